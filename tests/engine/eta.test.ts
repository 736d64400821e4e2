import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import { openTestEngine, until } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'

let engine: Engine<TestServices>
afterEach(async () => {
  await engine?.close(100)
})

const finishOf = (e: Engine<TestServices>) => new Map(e.eta().jobs.map((j) => [j.jobId, j.finishInMs]))

describe('queue ETA', () => {
  it('gives no end time while the whole queue is paused, and times again once it is resumed', () => {
    engine = openTestEngine({ concurrency: 2 })
    const ids = [1, 2, 3, 4].map(() => engine.queue.enqueue({ type: 'one', input: {} }).id)
    engine.queue.setQueuePaused(true)
    const paused = engine.eta()
    expect(paused.paused).toBe(true)
    expect(paused.totalMs).toBeNull()
    expect(paused.jobs.map((j) => [j.jobId, j.finishInMs])).toEqual(ids.map((id) => [id, null]))
    // Their own work is still known (what a resume would cost).
    expect(paused.jobs.every((j) => j.remainingWorkMs > 0)).toBe(true)

    engine.queue.setQueuePaused(false)
    const resumed = engine.eta()
    expect(resumed.paused).toBe(false)
    expect(resumed.totalMs).toBeGreaterThan(0)
    expect(resumed.jobs.every((j) => typeof j.finishInMs === 'number' && j.finishInMs > 0)).toBe(true)
  })

  it('under a queue pause, a running job on its last step still finishes; one with steps after it waits', async () => {
    engine = openTestEngine({ concurrency: 2 })
    const dir = engine.dataDir
    writeFileSync(join(dir, 'hold'), '')
    const last = engine.queue.enqueue({ type: 'one', input: { holdWhile: { only: 'hold' } } })
    const more = engine.queue.enqueue({ type: 'three', input: { holdWhile: { a: 'hold' } } })
    engine.pool.start()
    await until(() => engine.queue.stats().byStatus.processing === 2, 5_000, 'both running')
    engine.queue.setQueuePaused(true)
    const finish = finishOf(engine)
    expect(finish.get(last.id)).toEqual(expect.any(Number))
    expect(finish.get(more.id)).toBeNull()
    expect(engine.eta().totalMs).toBeNull()
    rmSync(join(dir, 'hold'))
  })

  it('a running job asked to pause gets no ETA, and frees its worker after its current step for the job behind', async () => {
    engine = openTestEngine({ concurrency: 1 })
    const dir = engine.dataDir
    writeFileSync(join(dir, 'hold'), '')
    const running = engine.queue.enqueue({ type: 'three', input: { holdWhile: { a: 'hold' } } })
    const behind = engine.queue.enqueue({ type: 'one', input: {} })
    engine.pool.start()
    await until(() => engine.queue.get(running.id)!.status === 'processing', 5_000, 'running')
    const before = finishOf(engine).get(behind.id)!
    engine.queue.pauseJob(running.id)
    const eta = engine.eta()
    const finish = new Map(eta.jobs.map((j) => [j.jobId, j.finishInMs]))
    expect(finish.get(running.id)).toBeNull()
    // Steps b and c of the pausing job no longer stand in front of it.
    expect(finish.get(behind.id)!).toBeLessThan(before - 150)
    expect(eta.totalMs).toBe(finish.get(behind.id))
    rmSync(join(dir, 'hold'))
  })

  it('leaves individually paused jobs out: no ETA of their own, nothing added to the queue’s', () => {
    engine = openTestEngine({ concurrency: 1 })
    const a = engine.queue.enqueue({ type: 'one', input: {} })
    const held = engine.queue.enqueue({ type: 'one', input: {} })
    const before = engine.eta().totalMs!
    engine.queue.pauseJob(held.id)
    const eta = engine.eta()
    expect(eta.jobs.map((j) => j.jobId)).toEqual([a.id])
    expect(eta.totalMs).toBeLessThan(before)
  })

  it('starts a job held by a retry backoff no earlier than its retry time', async () => {
    engine = openTestEngine({ concurrency: 2 })
    const job = engine.queue.enqueue({ type: 'one', input: { fail: { only: { kind: 'retryable', times: 1, retryAfterMs: 60_000 } } } })
    engine.pool.start()
    await until(() => engine.queue.get(job.id)!.runAfter > Date.now(), 5_000, 'backing off')
    const eta = engine.eta()
    expect(eta.jobs[0]!.finishInMs).toBeGreaterThan(55_000)
    expect(eta.totalMs).toBeGreaterThan(55_000)
  })
})

describe('queue ETA with a running batch', () => {
  it('counts the rows the batch has not queued yet, not only the few jobs it keeps in the queue', async () => {
    const { BatchManager } = await import('../../src/main/engine/batch/manager')
    const { csvFile, labelledRows } = await import('../batch/helpers/batches')
    engine = openTestEngine({ concurrency: 2 })
    const batches = new BatchManager(engine)
    try {
      const created = await batches.create({ source: { kind: 'file', path: csvFile(engine.dataDir, 'rows.csv', labelledRows('q', 30)) }, config: { pipeline: 'one' } })
      batches.start()
      batches.startBatch(created.id) // queues a window of rows; the pool is not running
      const eta = engine.eta()
      expect(eta.jobs).toHaveLength(4)
      expect(eta.batchRowsWaiting).toBe(26)
      // 30 rows of one 100 ms step (the test pipeline's first guess) on two workers.
      expect(eta.totalMs).toBe(1_500)
    } finally {
      batches.stop()
    }
  })
})
