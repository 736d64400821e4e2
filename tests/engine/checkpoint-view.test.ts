import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import type { JobView } from '../../src/shared/types'
import { openTestEngine, until } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'

let engine: Engine<TestServices>
afterEach(async () => {
  await engine?.close(100)
})

/**
 * Every job.changed view, checked against the job as stored at that moment: the views are
 * announced right after their commit, before anything else can write.
 */
function watchViews(e: Engine<TestServices>): { announced: JobView[]; mismatches: string[] } {
  const seen = { announced: [] as JobView[], mismatches: [] as string[] }
  e.events.subscribe((event) => {
    if (event.type !== 'job.changed') return
    const stored = e.queue.require(event.job.id)
    seen.announced.push(event.job)
    if (JSON.stringify(stored) !== JSON.stringify(event.job)) seen.mismatches.push(`${JSON.stringify(event.job)}\n  stored: ${JSON.stringify(stored)}`)
  }, ['job.changed'])
  return seen
}

/**
 * A step's checkpoint builds the job's view from the held job's last view and the few columns its
 * UPDATE returns (leases.ts, movedOn): what it announces must be the job as stored.
 */
describe('the view a checkpoint announces', () => {
  it('is the job as stored, step after step, job after job, retries included', async () => {
    engine = openTestEngine({ concurrency: 2 })
    const seen = watchViews(engine)
    const three = engine.queue.enqueue({ type: 'three', input: { label: 't' } })
    const one = engine.queue.enqueue({ type: 'one', input: { label: 'o' } })
    const retried = engine.queue.enqueue({ type: 'three', input: { label: 'r', fail: { b: { kind: 'retryable', times: 1 } } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    expect(seen.mismatches).toEqual([])
    for (const id of [three.id, one.id, retried.id]) expect(engine.queue.require(id).status).toBe('completed')
    // Each step's checkpoint announced its job: its starts of b and c too.
    expect(seen.announced.filter((j) => j.id === three.id && j.status === 'processing' && j.progress > 0).length).toBeGreaterThanOrEqual(2)
    expect(seen.announced.filter((j) => j.id === three.id && j.status === 'completed')).toHaveLength(1)
  })

  it('carries a pause asked for while the step ran, and the job pauses before its next step', async () => {
    engine = openTestEngine({ concurrency: 1 })
    const seen = watchViews(engine)
    const gate = join(engine.dataDir, 'gate')
    writeFileSync(gate, '')
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'p', holdWhile: { a: 'gate' } } })
    engine.pool.start()
    await until(() => engine.queue.require(job.id).status === 'processing')
    engine.queue.pauseJob(job.id)
    rmSync(gate)
    await until(() => engine.queue.require(job.id).status === 'paused')
    expect(seen.mismatches).toEqual([])
    // The checkpoint of a announced the pause asked for while a ran.
    expect(seen.announced.some((j) => j.id === job.id && j.status === 'processing' && j.pauseRequested && j.progress > 0)).toBe(true)
    expect(engine.queue.get(job.id)!.steps.map((s) => s.status)).toEqual(['completed', 'pending', 'pending'])
  })
})
