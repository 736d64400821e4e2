import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHandlers, dispatch } from '../../src/main/api/handlers'
import type { Engine } from '../../src/main/engine/engine'
import { commitCounts } from '../../src/main/engine/store/database'
import type { EngineEvent } from '../../src/shared/types'
import { openTestEngine } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'
import { shortJobId } from '../../src/shared/job-id'

let engine: Engine<TestServices>
afterEach(async () => {
  await engine?.close(100)
})

const commits = () => {
  const c = commitCounts(engine.db)
  return c.durable + c.relaxed
}

describe('many jobs at once', () => {
  it('cancels a selection in one transaction, each job done or skipped with its reason, events after the commit', async () => {
    engine = openTestEngine()
    const [a, b, c] = [1, 2, 3].map((i) => engine.queue.enqueue({ type: 'three', input: { label: `j${i}` } }))
    engine.queue.cancel(c!.id)
    const seen: EngineEvent[] = []
    engine.events.subscribe((e) => seen.push(e))
    const before = commits()
    const r = engine.queue.cancelMany({ ids: [a!.id, shortJobId(b!.id), c!.id, 'zzzzzzzz', a!.id] })
    expect(commits() - before).toBe(1)
    expect(r.done).toBe(2)
    expect(r.results).toEqual([
      { id: a!.id, outcome: 'done' },
      { id: b!.id, outcome: 'done' },
      { id: c!.id, outcome: 'skipped', code: 'finished', reason: 'job is already cancelled; nothing to cancel' },
      { id: 'zzzzzzzz', outcome: 'skipped', code: 'not_found', reason: 'no job with id zzzzzzzz' }
    ])
    expect([a, b].map((j) => engine.queue.get(j!.id)!.status)).toEqual(['cancelled', 'cancelled'])
    expect(seen.filter((e) => e.type === 'job.changed').map((e) => (e as { job: { id: string } }).job.id)).toEqual([a!.id, b!.id])
  })

  it('by status: retry the failed, clear the finished, set a priority, pause and resume the queued', async () => {
    engine = openTestEngine()
    const jobs = [1, 2, 3, 4].map((i) => engine.queue.enqueue({ type: 'three', input: { label: `s${i}` } }))
    engine.queue.cancelMany({ ids: [jobs[0]!.id, jobs[1]!.id] })

    const retried = engine.queue.retryMany({ status: 'cancelled' })
    expect(retried.done).toBe(2)
    expect(engine.queue.list({ status: 'pending' })).toHaveLength(4)
    // A queued job is not something to retry: said so.
    expect(engine.queue.retryMany({ ids: [jobs[2]!.id] }).results[0]).toMatchObject({ outcome: 'skipped', code: 'not_retryable' })

    expect(engine.queue.pauseMany({ status: 'pending' }).done).toBe(4)
    expect(engine.queue.resumeMany({ ids: [jobs[3]!.id] }).done).toBe(1)
    expect(engine.queue.list({ status: 'paused' })).toHaveLength(3)

    const prio = engine.queue.setPriorityMany({ ids: jobs.map((j) => j.id) }, 2)
    expect(prio.done).toBe(4)
    expect(engine.queue.setPriorityMany({ ids: [jobs[0]!.id] }, 2).results[0]).toMatchObject({ outcome: 'skipped', code: 'unchanged' })

    engine.queue.cancelMany({ status: ['paused', 'pending'] })
    const dir = join(engine.artifactsRoot, jobs[0]!.id)
    const before = commits()
    const cleared = engine.queue.removeMany({ status: ['completed', 'failed', 'cancelled'] })
    expect(commits() - before).toBe(1)
    expect(cleared.done).toBe(4)
    expect(engine.queue.list()).toEqual([])
    expect(existsSync(dir)).toBe(false)
  })

  it('through the contract: a bad request names the field; the single-id commands answer as before', async () => {
    engine = openTestEngine()
    const handlers = createHandlers(engine)
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'c' } })
    const empty = await dispatch(handlers, 'jobs/cancelMany', { ids: [] })
    expect(empty).toMatchObject({ ok: false, error: { message: expect.stringContaining('ids') } })
    const both = await dispatch(handlers, 'jobs/cancelMany', { ids: [job.id], status: 'pending' })
    expect(both.ok).toBe(false)
    const badStatus = await dispatch(handlers, 'jobs/removeMany', { status: 'finished' })
    expect(badStatus).toMatchObject({ ok: false, error: { message: expect.stringContaining('status') } })
    const tooMany = await dispatch(handlers, 'jobs/cancelMany', { ids: Array.from({ length: 10_001 }, (_, i) => `id-${i}`) })
    expect(tooMany).toMatchObject({ ok: false, error: { message: expect.stringContaining('10000') } })
    const prio = await dispatch(handlers, 'jobs/setPriorityMany', { status: 'pending', priority: 1 })
    expect(prio).toEqual({ ok: true, value: { done: 1, skipped: 0, results: [{ id: job.id, outcome: 'done' }] } })
    const noPrio = await dispatch(handlers, 'jobs/setPriorityMany', { ids: [job.id] })
    expect(noPrio.ok).toBe(false)
    expect(await dispatch(handlers, 'jobs/cancel', { id: job.id })).toMatchObject({ ok: true, value: { id: job.id, status: 'cancelled' } })
  })
})
