/**
 * The UI is pushed the queue's derived figures (stats, ETA, pool, providers) instead of polling
 * them: a summary follows the changes that move them, folded to at most one per interval.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import { publishQueueSummary } from '../../src/main/engine/queue-summary'
import type { QueueSummary } from '../../src/shared/types'
import { openTestEngine, until } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'

let engine: Engine<TestServices> | undefined
let stop: (() => void) | undefined
afterEach(async () => {
  stop?.()
  await engine?.close(100)
  engine = undefined
})

function collect(e: Engine<TestServices>): QueueSummary[] {
  const seen: QueueSummary[] = []
  e.events.on('queue.summary', (s) => seen.push(s))
  return seen
}

describe('queue summaries', () => {
  it('follow the changes that move the figures, folded to one per interval', async () => {
    engine = openTestEngine()
    const seen = collect(engine)
    stop = publishQueueSummary(engine, { minIntervalMs: 200, driftMs: 60_000 })
    await until(() => seen.length === 1, 2_000, 'the first summary')
    expect(seen[0]!.stats.total).toBe(0)

    for (let i = 0; i < 50; i++) engine.queue.enqueue({ type: 'one', input: {} })
    await until(() => seen.at(-1)!.stats.total === 50, 2_000, 'a summary with the 50 jobs')
    expect(seen.length).toBeLessThanOrEqual(3) // 50 changes, not 50 summaries
    expect(seen.at(-1)!.eta.jobs).toHaveLength(50)

    engine.pool.start()
    await engine.pool.whenIdle()
    await until(() => seen.at(-1)!.stats.byStatus.completed === 50, 3_000, 'a summary after the run')
    expect(seen.at(-1)!.pool.state).toBe('running')

    stop()
    const count = seen.length
    engine.queue.enqueue({ type: 'one', input: {} })
    await new Promise((r) => setTimeout(r, 400))
    expect(seen).toHaveLength(count)
  })

  it('computes nothing while nobody listens', async () => {
    engine = openTestEngine()
    const seen = collect(engine)
    let listening = false
    stop = publishQueueSummary(engine, { minIntervalMs: 20, driftMs: 60_000, listening: () => listening })
    engine.queue.enqueue({ type: 'one', input: {} })
    await new Promise((r) => setTimeout(r, 200))
    expect(seen).toEqual([])
    listening = true
    engine.queue.enqueue({ type: 'one', input: {} })
    await until(() => seen.length === 1, 2_000, 'a summary once someone listens')
    expect(seen[0]!.stats.total).toBe(2)
  })

  it('while a job runs, comes again now and then without changes (its ETA drifts)', async () => {
    engine = openTestEngine()
    // Longer than any wait below: the job still runs when the summaries are counted (close aborts it).
    engine.queue.enqueue({ type: 'three', input: { sleepMs: { a: 60_000 } } })
    engine.pool.start()
    await until(() => engine!.queue.stats().byStatus.processing === 1, 2_000, 'the job to run')
    const seen = collect(engine)
    stop = publishQueueSummary(engine, { minIntervalMs: 50, driftMs: 200 })
    // A loaded machine may look less often than every 200 ms: what counts is that the summaries come.
    await until(() => seen.length >= 3, 15_000, 'three summaries while the job runs')
    expect(seen.every((s) => s.stats.byStatus.processing === 1)).toBe(true)
  })
})
