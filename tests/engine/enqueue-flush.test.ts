import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import { commitCounts, inTransaction, walFlushed } from '../../src/main/engine/store/database'
import { openDatabase } from '../../src/main/engine/store/database'
import { databaseFile } from '../../src/main/engine/engine'
import { ROWS_PER_INSERT } from '../../src/main/engine/store/bulk-insert'
import { openTestEngine, tempDir } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'

let engine: Engine<TestServices> | undefined
afterEach(async () => {
  await engine?.close()
  engine = undefined
})

describe('a bulk enqueue', () => {
  it('commits without waiting for the disk, and is fsynced right after, off the thread', async () => {
    engine = openTestEngine()
    const before = commitCounts(engine.db)
    const jobs = engine.queue.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ type: 'one', input: { label: `j${i}` } })))
    expect(jobs).toHaveLength(50)
    // Committed (crash-safe) at once, not fsynced inside the commit...
    const committed = commitCounts(engine.db)
    expect(committed.relaxed - before.relaxed).toBe(1)
    expect(committed.durable - before.durable).toBe(0)
    // ...and on disk once its flush lands.
    await walFlushed(engine.db)
    const flushed = commitCounts(engine.db)
    expect(flushed.durable - before.durable).toBe(1)
    expect(flushed.relaxed - before.relaxed).toBe(0)
  })

  it('inside a caller’s transaction, commits with it (or not at all)', () => {
    engine = openTestEngine()
    const db = engine.db
    expect(() =>
      inTransaction(db, () => {
        engine!.queue.enqueue({ type: 'one', input: {} })
        throw new Error('the batch row could not be marked queued')
      })
    ).toThrow(/could not be marked/)
    expect(engine.queue.list()).toHaveLength(0)
  })

  it('returns the jobs as stored, and they are there after the engine closes and the file is opened again', async () => {
    const dir = tempDir()
    engine = openTestEngine({}, dir)
    const jobs = engine.queue.enqueueMany([{ type: 'one', input: {} }, { type: 'three', input: { label: 'x' }, priority: 2, title: 'T', maxRetries: 5 }])
    // The views it returned without reading the rows back are what the rows hold.
    for (const job of jobs) expect(engine.queue.list().find((j) => j.id === job.id)).toEqual(job)
    await engine.close()
    engine = undefined
    const db = openDatabase(databaseFile(dir))
    expect(db.prepare('SELECT id, priority FROM jobs ORDER BY seq').all()).toEqual(jobs.map((j) => ({ id: j.id, priority: j.priority })))
    db.close()
  })

  it('stores every job, step and log line when they fill several many-row inserts and part of one more', () => {
    engine = openTestEngine()
    // One- and three-step jobs mixed: the steps' inserts fill up at another pace than the jobs'.
    const count = ROWS_PER_INSERT * 2 + 5
    const jobs = engine.queue.enqueueMany(
      Array.from({ length: count }, (_, i) => (i % 3 === 0 ? { type: 'three', input: { label: `t${i}` }, priority: 1 + (i % 10) } : { type: 'one', input: { label: `o${i}` } }))
    )
    expect(jobs).toHaveLength(count)
    for (const [i, job] of jobs.entries()) {
      const detail = engine.queue.get(job.id)!
      expect({ ...detail, steps: undefined }).toEqual({ ...job, steps: undefined })
      expect(detail.steps.map((s) => [s.index, s.name, s.status])).toEqual(
        i % 3 === 0 ? [[0, 'a', 'pending'], [1, 'b', 'pending'], [2, 'c', 'pending']] : [[0, 'only', 'pending']]
      )
      expect(engine.queue.logs(job.id).map((l) => l.message)).toEqual([`queued with priority ${job.priority}`])
    }
    // Numbered and placed in the order asked.
    expect(jobs.map((j) => j.position)).toEqual(jobs.map((_, i) => jobs[0]!.position + i))
  })
})
