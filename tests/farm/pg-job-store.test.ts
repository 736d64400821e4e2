/**
 * What the farm's job store adds to the shared semantics (job-store-semantics.test.ts): several
 * machines on one queue. Each machine here is a PgJobStore with a pool of its own on the same
 * database: they hear each other's changes (NOTIFY), wake workers when a job becomes claimable,
 * and keep one consistent queue order when they enqueue and reorder at the same moment.
 */
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { QueueError } from '../../src/main/engine/errors'
import { EventBus } from '../../src/main/engine/events'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { FARM_STATUS_ORIGIN, listenForJobChanges, type FarmJobNotice } from '../../src/main/engine/store/postgres/job-events'
import { inJobTransaction } from '../../src/main/engine/store/postgres/job-transaction'
import { relayFarmChanges } from '../../src/main/engine/store/postgres/job-relay'
import { shortJobId } from '../../src/shared/job-id'
import type { EngineEvent } from '../../src/shared/types'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { listenForWake } from '../../src/main/engine/store/postgres/wake'
import { claimAs } from '../helpers/farm-jobs'
import { jobRoutes } from '../../src/main/api/jobs'
import { dispatch } from '../../src/main/api/dispatch'
import type { Handlers } from '../../src/main/api/handler-map'
import type { AsyncJobStore } from '../../src/main/engine/store/jobs'
import { openTestEngine, tempDir, until } from '../helpers/engine'
import { usePostgres } from '../helpers/postgres'
import { testPipelines } from '../helpers/test-pipelines'

const database = usePostgres()
const pools: pg.Pool[] = []
let machineA: PgJobStore
let machineB: PgJobStore

function machine(): PgJobStore {
  const pool = new pg.Pool({ connectionString: database.url, max: 4 })
  pool.on('error', () => undefined)
  pools.push(pool)
  const dataDir = tempDir('studio-farm-')
  // A narrated video's shape: its steps need a speech engine, then ffmpeg (only enqueued, never run here).
  const pipelines = testPipelines().register({
    name: 'narrated',
    title: 'Narrated',
    input: z.object({}).passthrough(),
    steps: [
      { name: 'voice', title: 'Voice', resource: 'tts', estimateMs: 10, run: async () => ({ data: null }) },
      { name: 'video', title: 'Video', resource: 'ffmpeg', estimateMs: 10, run: async () => ({ data: null }) }
    ]
  })
  return new PgJobStore({ pool, events: new EventBus(), pipelines, dataDir, artifactsRoot: `${dataDir}/jobs`, stepNeeds })
}

beforeAll(async () => {
  await farmInit(database.url)
  machineA = machine()
  machineB = machine()
})
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()))
})
beforeEach(async () => {
  await pools[0]!.query('DELETE FROM jobs')
  await pools[0]!.query('DELETE FROM settings')
})

const one = (title: string) => ({ type: 'one', input: {}, title })

async function queuedPositions(): Promise<Array<{ title: string; position: number }>> {
  const { rows } = await pools[0]!.query<{ title: string; position: string }>(
    "SELECT title, position FROM jobs WHERE status IN ('pending','paused') ORDER BY priority, position, seq"
  )
  return rows.map((r) => ({ title: r.title, position: Number(r.position) }))
}

describe('the farm job store, several machines on one queue', () => {
  it("another machine's window hears each committed change, by job; a refused change is never heard, nor a machine's own", async () => {
    const heard: FarmJobNotice[] = []
    // The database's own status notices (migration 6, for windows) are left out: this is the job store's.
    const listener = await listenForJobChanges(database.url, (n) => heard.push(n), { ownOrigin: machineB.origin, skipOrigins: [FARM_STATUS_ORIGIN] })
    try {
      const job = await machineA.enqueue(one('heard'))
      await machineA.cancel(job.id)
      await expect(machineA.pauseJob(job.id)).rejects.toBeInstanceOf(QueueError)
      await machineB.enqueue(one('its own'))
      await machineA.log(job.id, 'info', 'a word')
      await machineA.remove(job.id)
      await machineA.enqueueMany(Array.from({ length: 300 }, (_, i) => one(`bulk ${i}`)))
      await machineA.setQueuePaused(true)
      await until(() => heard.some((n) => n.paused === true), 20_000, 'the pause to be heard')
      const a = machineA.origin
      expect(heard).toEqual([
        { origin: a, changed: [job.id] },
        { origin: a, changed: [job.id], logged: [job.id] },
        { origin: a, logged: [job.id] },
        { origin: a, removed: [job.id] },
        // 300 ids do not fit in a notification: "reload".
        { origin: a, all: true },
        { origin: a, paused: true }
      ])
    } finally {
      await listener.close()
    }
  })

  it('wakes workers when a job becomes claimable (queued, retried, resumed, queue resumed), not when one stops', async () => {
    const wakes: string[] = []
    const listener = await listenForWake(database.url, (reason) => wakes.push(reason))
    try {
      const job = await machineA.enqueue(one('w'))
      await until(() => wakes.length === 1, 20_000, 'the enqueue to wake workers')
      await machineA.pauseJob(job.id)
      await machineA.cancel(job.id)
      await machineA.setQueuePaused(true)
      await machineA.retry(job.id)
      // Notifications arrive in commit order: had the pause, cancel or queue pause woken anyone, it would show here.
      await until(() => wakes.length >= 2, 20_000, 'the retry to wake workers')
      expect(wakes).toHaveLength(2)
      await machineA.pauseJob(job.id)
      await machineA.resumeJob(job.id)
      await machineA.setQueuePaused(false)
      await until(() => wakes.length >= 4, 20_000, 'resumes to wake workers')
      expect(wakes).toEqual(['jobs', 'jobs', 'jobs', 'jobs'])
    } finally {
      await listener.close()
    }
  })

  it('two machines enqueueing at once: every job has its own place, and each machine keeps its own order', async () => {
    const batches = (store: PgJobStore, name: string) =>
      Array.from({ length: 8 }, (_, b) => store.enqueueMany(Array.from({ length: 25 }, (_, i) => one(`${name}-${String(b * 25 + i).padStart(3, '0')}`))))
    const results = await Promise.all([...batches(machineA, 'A'), ...batches(machineB, 'B')])
    expect(results.flat()).toHaveLength(400)
    const queue = await queuedPositions()
    expect(new Set(queue.map((q) => q.position)).size).toBe(400)
    for (const name of ['A', 'B']) {
      const mine = queue.filter((q) => q.title.startsWith(name)).map((q) => q.title)
      // Batches run at once may interleave; inside each batch the order given is kept.
      for (let b = 0; b < 8; b++) {
        const batch = mine.filter((t) => Math.floor(Number(t.slice(2)) / 25) === b)
        expect(batch).toEqual([...batch].sort())
      }
    }
    // The claim follows the same order as the list.
    const claimed: string[] = []
    for (let c; (c = await claimAs(pools[0]!, 'w')); ) claimed.push(c.lease.jobId)
    const ids = (await pools[0]!.query<{ id: string }>('SELECT id FROM jobs ORDER BY priority, position')).rows.map((r) => r.id)
    expect(claimed).toEqual(ids)
  })

  it('two machines reordering at once: moves are applied one after the other, never leaving two jobs on one place', async () => {
    const jobs = await machineA.enqueueMany(Array.from({ length: 12 }, (_, i) => ({ ...one(`j${i}`), priority: i % 2 ? 5 : 7 })))
    const directions = ['top', 'bottom', 'up', 'down'] as const
    const mover = async (store: PgJobStore, seed: number) => {
      for (let i = 0; i < 25; i++) {
        const job = jobs[(seed * 7 + i * 5) % jobs.length]!
        try {
          await store.move(job.id, directions[(seed + i) % 4]!)
        } catch (err) {
          if (!(err instanceof QueueError) || err.code !== 'cannot_move') throw err
        }
      }
    }
    await Promise.all([mover(machineA, 1), mover(machineB, 2), mover(machineA, 3), mover(machineB, 4)])
    const queue = await queuedPositions()
    expect(queue).toHaveLength(12)
    const keys = queue.map((q) => q.position)
    expect(new Set(keys).size).toBe(12)
  })

  it('a cancel racing a claim: the job ends cancelled either way, its lease revoked', async () => {
    for (let round = 0; round < 20; round++) {
      const job = await machineA.enqueue(one(`race ${round}`))
      const [, cancelled] = await Promise.all([
        claimAs(pools[1]!, 'racer'),
        machineB.cancel(job.id)
      ])
      expect(cancelled.status).toBe('cancelled')
      const { rows } = await pools[0]!.query('SELECT status, lease_owner, lease_token FROM jobs WHERE id = $1', [job.id])
      expect(rows[0]).toEqual({ status: 'cancelled', lease_owner: null, lease_token: null })
    }
  })

  it('a bulk enqueue is one statement: 5 000 jobs with their steps and lines, in the order given', async () => {
    const jobs = await machineA.enqueueMany(Array.from({ length: 5000 }, (_, i) => ({ type: 'three', input: {}, title: `n${i}` })))
    expect(jobs.map((j) => j.title)).toEqual(Array.from({ length: 5000 }, (_, i) => `n${i}`))
    expect(jobs.map((j) => j.position)).toEqual([...jobs.map((j) => j.position)].sort((x, y) => x - y))
    const { rows } = await pools[0]!.query(
      'SELECT (SELECT count(*)::int FROM jobs) AS jobs, (SELECT count(*)::int FROM steps) AS steps, (SELECT count(*)::int FROM job_logs) AS lines'
    )
    expect(rows[0]).toEqual({ jobs: 5000, steps: 15000, lines: 5000 })
  })

  it("a job names what its next step needs: only a machine that has it claims it, after a retry too", async () => {
    const job = await machineA.enqueue({ type: 'narrated', input: {}, title: 'film' })
    const needs = async () => (await pools[0]!.query('SELECT next_needs FROM jobs WHERE id = $1', [job.id])).rows[0].next_needs
    expect(await needs()).toEqual(['speech'])
    expect(await claimAs(pools[0]!, 'renderer', ['ffmpeg', 'libass'])).toBeNull()
    expect((await claimAs(pools[0]!, 'speaker', ['speech']))?.lease.jobId).toBe(job.id)
    // The voice is done, the video failed (as a worker's checkpoints leave it).
    await pools[0]!.query(`UPDATE steps SET status = 'completed', output = '{}' WHERE job_id = $1 AND idx = 0`, [job.id])
    await pools[0]!.query(`UPDATE steps SET status = 'failed' WHERE job_id = $1 AND idx = 1`, [job.id])
    await pools[0]!.query(`UPDATE jobs SET status = 'failed', completed_at = 1, lease_owner = NULL WHERE id = $1`, [job.id])
    await machineA.retry(job.id)
    expect(await needs()).toEqual(['ffmpeg', 'libass'])
    await machineA.cancel(job.id)
    await machineA.retry(job.id, { fromStep: 'voice' })
    expect(await needs()).toEqual(['speech'])
  })

  it('the jobs router answers the same on either backend, refusals included', async () => {
    /** A script of requests through dispatch; ids, times, positions and line ids made comparable. */
    const script = async (store: AsyncJobStore) => {
      const handlers = jobRoutes(store) as unknown as Handlers
      const ids: string[] = []
      const call = async (name: string, request: unknown) => {
        const text = JSON.stringify(await dispatch(handlers, name, request), (key, v) =>
          ['createdAt', 'updatedAt', 'completedAt', 'startedAt', 'ts', 'position'].includes(key) || (key === 'id' && typeof v === 'number') ? undefined : v
        )
        return JSON.parse(ids.reduce((t, id, i) => t.split(id).join(`job${i}`), text))
      }
      const out: unknown[] = []
      const first = await dispatch(handlers, 'jobs/enqueueMany', { jobs: [{ type: 'three', input: {}, title: 'a' }, { type: 'one', input: {}, title: 'b', priority: 3 }] })
      ids.push(...(first as { value: Array<{ id: string }> }).value.map((j) => j.id))
      out.push(await call('jobs/list', {}))
      out.push(await call('jobs/move', { id: ids[0], direction: 'top' }))
      out.push(await call('jobs/place', { id: ids[0], after: ids[1] }))
      out.push(await call('jobs/setPriority', { id: ids[1], priority: 11 }))
      out.push(await call('jobs/pause', { id: ids[1] }))
      out.push(await call('jobs/cancel', { id: ids[1] }))
      out.push(await call('jobs/cancel', { id: ids[1] }))
      out.push(await call('jobs/retry', { id: ids[0] }))
      out.push(await call('jobs/retry', { id: ids[1], fromStep: 'zz' }))
      out.push(await call('jobs/cancelMany', { ids: [ids[0], ids[1], 'nope-nope'] }))
      out.push(await call('jobs/get', { id: shortJobId(ids[0]!) }))
      out.push(await call('jobs/logs', { id: ids[0] }))
      out.push(await call('jobs/removeMany', { status: 'cancelled' }))
      out.push(await call('jobs/remove', { id: ids[0] }))
      return out
    }
    const engine = openTestEngine()
    try {
      const local = await script(engine.queue)
      const farm = await script(machineA)
      expect(farm).toEqual(local)
      // And the script did what it says: a refusal, a bulk outcome, a removal.
      expect(local[6]).toMatchObject({ ok: false, error: { code: 'finished' } })
      expect(local[9]).toMatchObject({ ok: true, value: { done: 1, skipped: 2 } })
      expect(local[13]).toMatchObject({ ok: false, error: { code: 'not_found' } })
    } finally {
      await engine.close(100)
    }
  })

  it('two operations waiting on each other: PostgreSQL aborts one, which runs again, and both complete', async () => {
    await pools[0]!.query("INSERT INTO settings (key, value) VALUES ('x', ''), ('y', '')")
    let arrived = 0
    let release!: () => void
    const bothHoldOne = new Promise<void>((r) => (release = r))
    // Each first takes one row, waits until the other holds the other row, then asks for it: a deadlock.
    const arrive = () => (++arrived === 2 && release(), bothHoldOne)
    const attempts = { one: 0, two: 0 }
    const finished = { one: () => {}, two: () => {} }
    const done = {
      one: new Promise<void>((r) => (finished.one = r)),
      two: new Promise<void>((r) => (finished.two = r))
    }
    const op = (name: 'one' | 'two', first: string, second: string, pool: pg.Pool) =>
      inJobTransaction(pool, name, async (tx) => {
        // The one PostgreSQL aborted runs again once the other has committed (else they could meet again).
        if (++attempts[name] > 1) await done[name === 'one' ? 'two' : 'one']
        await tx.query(`UPDATE settings SET value = value || $2 WHERE key = $1`, [first, name])
        await arrive()
        await tx.query(`UPDATE settings SET value = value || $2 WHERE key = $1`, [second, name])
      })
    const results = await Promise.allSettled([
      op('one', 'x', 'y', pools[0]!).finally(finished.one),
      op('two', 'y', 'x', pools[1]!).finally(finished.two)
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(attempts.one + attempts.two).toBe(3)
    const { rows } = await pools[0]!.query("SELECT key, value FROM settings WHERE key IN ('x', 'y') ORDER BY key")
    for (const r of rows) expect([...r.value.matchAll(/one|two/g)].map((m) => m[0]).sort()).toEqual(['one', 'two'])
  })

  it("a machine's window sees another machine's changes as its own events, with the jobs as they now are", async () => {
    const seen: EngineEvent[] = []
    const events = new EventBus()
    events.subscribe((e) => seen.push(e))
    const relay = await relayFarmChanges({ url: database.url, pool: pools[1]!, events, dataDir: tempDir('studio-farm-'), ownOrigin: machineB.origin })
    try {
      const last = (title: string) => [...seen].reverse().find((e) => e.type === 'job.changed' && e.job.title === title) as Extract<EngineEvent, { type: 'job.changed' }> | undefined
      // Each change is waited for before the next: a relayed view is the job as it is when the notice arrives.
      const [far, other] = await machineA.enqueueMany([one('far'), one('other')])
      await until(() => last('far') && last('other'), 20_000, 'the enqueue to be relayed')
      expect(last('far')!.job).toEqual(far)
      await machineA.move(other!.id, 'top')
      await until(() => last('other')!.job.position < last('far')!.job.position, 20_000, 'the move to be relayed')
      await machineA.cancel(far!.id)
      await until(() => last('far')!.job.status === 'cancelled', 20_000, 'the cancel to be relayed')
      // This machine's own change is not relayed back to it: its store has already announced it.
      await machineB.enqueue(one('mine'))
      await machineA.remove(far!.id)
      await until(() => seen.some((e) => e.type === 'job.removed'), 20_000, 'the removal to be relayed')
      expect(seen.filter((e) => e.type === 'job.removed')).toEqual([{ type: 'job.removed', jobId: far!.id }])
      expect(last('mine')).toBeUndefined()
      const before = seen.length
      await machineA.enqueueMany(Array.from({ length: 300 }, (_, i) => one(`bulk ${i}`)))
      await machineA.setQueuePaused(true)
      await until(() => seen.some((e) => e.type === 'queue.changed'), 20_000, 'the pause to be relayed')
      // The bulk enqueue named no jobs: every job changed lately is sent, each once.
      const after = seen.slice(before)
      expect(after.filter((e) => e.type === 'job.changed' && e.job.title.startsWith('bulk '))).toHaveLength(300)
      expect(after.at(-1)).toEqual({ type: 'queue.changed', paused: true })
    } finally {
      await relay.close()
    }
  })
})
