import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import { JobIds, scramble32 } from '../../src/main/engine/store/job-ids'
import { isTimeOrderedJobId, shortJobId } from '../../src/shared/job-id'
import { openTestEngine, tempDir } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

let engine: Engine<TestServices> | undefined
afterEach(async () => {
  await engine?.close(100)
  engine = undefined
})

describe('job ids', () => {
  it('are time-ordered UUIDs that ascend in enqueue order, each with a distinct short id, in one call of 10 000', () => {
    engine = openTestEngine()
    const jobs = engine.queue.enqueueMany(Array.from({ length: 10_000 }, (_, i) => ({ type: 'one', input: { label: `j${i}` } })))
    const ids = jobs.map((j) => j.id)
    for (const id of ids) expect(id).toMatch(UUID_V7)
    // Ascending: appended to the id index, not inserted at random places of it.
    expect([...ids].sort()).toEqual(ids)
    const shorts = new Set(ids.map(shortJobId))
    expect(shorts.size).toBe(10_000)
    // The short id is the distinct end, not the start, which is the same time for the whole call.
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBeLessThan(3)
    for (const i of [0, 1, 4_999, 9_999]) {
      const job = jobs[i]!
      expect(engine.queue.require(shortJobId(job.id)).id).toBe(job.id)
      expect(engine.queue.require(shortJobId(job.id).toUpperCase()).id).toBe(job.id)
      expect(engine.queue.require(job.id).id).toBe(job.id)
      expect(engine.queue.list({ text: shortJobId(job.id) }).map((j) => j.id)).toEqual([job.id])
    }
    // A second call goes on distinct: the short id is the job's number, scrambled.
    const more = engine.queue.enqueueMany(Array.from({ length: 100 }, () => ({ type: 'one', input: {} })))
    for (const j of more) shorts.add(shortJobId(j.id))
    expect(shorts.size).toBe(10_100)
  })

  it('a prefix of the short id finds the job; a prefix that fits two is ambiguous, as before', () => {
    engine = openTestEngine()
    const [a, b] = engine.queue.enqueueMany([
      { type: 'one', input: {} },
      { type: 'one', input: {} }
    ])
    expect(engine.queue.require(shortJobId(a!.id).slice(0, 5)).id).toBe(a!.id)
    // The start of a time-ordered id is its enqueue's time, shared by both.
    expect(() => engine!.queue.require(a!.id.slice(0, 8))).toThrow(/more than one job id starts with/)
    expect(engine.queue.require(b!.id.slice(0, 30)).id).toBe(b!.id)
    expect(engine.queue.logs(shortJobId(b!.id))[0]?.code).toBe('queued')
  })

  it('jobs queued before time-ordered ids keep their UUID, found by its first 8 characters as before', async () => {
    const dir = tempDir()
    engine = openTestEngine({}, dir)
    const [kept, other] = engine.queue.enqueueMany([
      { type: 'one', input: {}, title: 'from before', priority: 4 },
      { type: 'one', input: {}, title: 'new' }
    ])
    await engine.close(100)
    engine = undefined
    // What a database made before them holds: random (version 4) ids, in every table that names the job.
    const old = randomUUID()
    const db = new Database(join(dir, 'studio.db'))
    db.prepare('UPDATE jobs SET id = ? WHERE id = ?').run(old, kept!.id)
    db.prepare('UPDATE steps SET job_id = ? WHERE job_id = ?').run(old, kept!.id)
    db.prepare('UPDATE job_logs SET job_id = ? WHERE job_id = ?').run(old, kept!.id)
    db.close()

    engine = openTestEngine({}, dir)
    expect(isTimeOrderedJobId(old)).toBe(false)
    expect(shortJobId(old)).toBe(old.slice(0, 8))
    expect(engine.queue.require(old).title).toBe('from before')
    expect(engine.queue.require(old.slice(0, 8)).id).toBe(old)
    expect(engine.queue.list({ text: old.slice(0, 8) }).map((j) => j.id)).toEqual([old])
    expect(engine.queue.get(old)?.steps).toHaveLength(1)
    expect(engine.queue.logs(old.slice(0, 8)).map((l) => l.code)).toEqual(['queued'])
    expect(engine.queue.setPriority(old.slice(0, 8), 2).priority).toBe(2)
    expect(engine.queue.require(shortJobId(other!.id)).title).toBe('new')
    expect(engine.queue.cancel(old.slice(0, 6)).status).toBe('cancelled')
  })
})

describe('id making', () => {
  it('scramble32 gives no two job numbers the same short id', () => {
    const seen = new Set<number>()
    for (let n = 1; n <= 300_000; n++) seen.add(scramble32(n))
    expect(seen.size).toBe(300_000)
    // Consecutive numbers differ all over, not in their last character.
    expect(scramble32(1).toString(16).slice(0, 4)).not.toBe(scramble32(2).toString(16).slice(0, 4))
  })

  it('ids ascend across the counter carrying into its high part, and carry the time first', () => {
    const now = Date.UTC(2026, 11, 4, 12, 0, 0, 123)
    const ids = new JobIds(now)
    let last = ''
    let descents = 0
    for (let seq = 1; seq <= 140_000; seq++) {
      const id = ids.next(seq)
      if (seq % 997 === 0 || seq === 1 || seq === 140_000) expect(id).toMatch(UUID_V7)
      if (id <= last) descents++
      last = id
    }
    expect(descents).toBe(0)
    const first = ids.next(1)
    expect(parseInt(first.slice(0, 8) + first.slice(9, 13), 16)).toBe(now)
    expect(new JobIds(now + 1).next(1) > first).toBe(true)
  })
})
