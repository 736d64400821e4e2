/**
 * The farm's lease store on a real PostgreSQL: fencing after a takeover, finished steps kept across
 * an expired lease, totals on completion, and the group commit's transaction.
 */
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LeaseLostError } from '../../src/main/engine/errors'
import { EventBus } from '../../src/main/engine/events'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import type { PgClaimedJob, PgLeaseStore } from '../../src/main/engine/store/postgres/leases'
import type { ClaimedJob } from '../../src/main/engine/store/leases'
import type { EngineEvent } from '../../src/shared/types'
import { addJob, claimOne, commit, held, leaseStore, success, testDataDir, workDirOf } from '../helpers/farm-jobs'
import { usePostgres } from '../helpers/postgres'
import { endPool } from '../helpers/pg-pool'

const db = usePostgres()
let pool: pg.Pool
const dataDir = testDataDir()
const clock = { now: 1_000_000 }

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 6 })
})
afterAll(async () => {
  await endPool(pool)
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
  await pool.query('DELETE FROM provider_calls')
  clock.now = 1_000_000
})

const LEASE = 30_000

async function claimed(store: PgLeaseStore): Promise<PgClaimedJob> {
  const c = await claimOne(store, LEASE)
  expect(c).not.toBeNull()
  return c!
}

/** A worker's lease runs out (it stopped renewing: SIGSTOP, a cut link) and another takes the job over. */
async function takeover(stalled: PgClaimedJob, next: PgLeaseStore): Promise<PgClaimedJob> {
  clock.now += LEASE + 1
  expect(await next.reclaimAbandoned()).toEqual([stalled.lease.jobId])
  const c = await claimed(next)
  expect(c.lease.fence).toBe(stalled.lease.fence + 1)
  return c
}

async function logsOf(jobId: string): Promise<Array<{ level: string; code: string | null; params: Record<string, unknown> | null; step: string | null }>> {
  const { rows } = await pool.query('SELECT level, code, params, step FROM job_logs WHERE job_id = $1 ORDER BY id', [jobId])
  return rows.map((r) => ({ ...r, params: r.params ? JSON.parse(r.params) : null }))
}

describe('farm lease store: fencing', () => {
  it("a stalled worker's completion, retry, failure, release, progress and log lines are all refused after takeover; the new holder's succeed", async () => {
    await addJob(pool, 'j1', [{ name: 'script', resource: 'llm' }, { name: 'render', resource: 'ffmpeg' }])
    const a = leaseStore(pool, 'worker-a', dataDir, clock)
    const b = leaseStore(pool, 'worker-b', dataDir, clock)
    const first = await claimed(a)
    const [script] = first.steps
    expect(await a.startStep(first.lease, held(script!), workDirOf(dataDir, 'j1', 'script'), 3)).toBe(1)

    const second = await takeover(first, b)
    expect(second.job.currentStep).toBe('script')
    const logsBefore = (await logsOf('j1')).length

    // Worker A wakes up and tries every write it could make: each is refused, and writes nothing.
    const step = held(script!)
    const paid = success(dataDir, 'j1', 'script', { provider: 'openai', costUsd: 0.5 })
    await expect(commit(a, a.completeStep(first.lease, step, paid, { resource: 'ffmpeg', step: 'render', jobProgress: 50 }))).rejects.toBeInstanceOf(LeaseLostError)
    await expect(commit(a, a.retryLater(first.lease, step, 'boom', clock.now + 5000, 100, 'openai'))).rejects.toBeInstanceOf(LeaseLostError)
    await expect(commit(a, a.waitForProvider(first.lease, step, 'openai', 'down', clock.now + 5000, { durationMs: 10 }))).rejects.toBeInstanceOf(LeaseLostError)
    await expect(commit(a, a.failJob(first.lease, step, 'fatal', 100, 'openai'))).rejects.toBeInstanceOf(LeaseLostError)
    await expect(commit(a, a.release(first.lease, 'paused', 'stopping'))).rejects.toBeInstanceOf(LeaseLostError)
    await expect(a.saveProgress(first.lease, 0, 80, 40)).rejects.toBeInstanceOf(LeaseLostError)
    await expect(a.startStep(first.lease, step, workDirOf(dataDir, 'j1', 'script'), 3)).rejects.toBeInstanceOf(LeaseLostError)
    await expect(a.logSkipped(first.lease, [step])).rejects.toBeInstanceOf(LeaseLostError)
    expect(await a.logHeld(first.lease, 'info', 'a late line from the stalled worker', 'script')).toBe(false)
    expect(await a.renew(first.lease, LEASE)).toBe(false)

    const job = (await pool.query('SELECT status, lease_owner, lease_fence, progress, retry_count, error FROM jobs')).rows[0]
    expect(job).toEqual({ status: 'processing', lease_owner: 'worker-b', lease_fence: '2', progress: 0, retry_count: 0, error: null })
    const steps = (await pool.query('SELECT name, status, output, progress, error FROM steps ORDER BY idx')).rows
    expect(steps).toEqual([
      { name: 'script', status: 'pending', output: null, progress: 0, error: null },
      { name: 'render', status: 'pending', output: null, progress: 0, error: null }
    ])
    expect((await pool.query('SELECT count(*)::int AS n FROM provider_calls')).rows[0].n).toBe(0)
    expect((await logsOf('j1')).length).toBe(logsBefore)

    // Worker B, the holder, writes.
    const [s0, s1] = second.steps
    await b.startStep(second.lease, held(s0!), workDirOf(dataDir, 'j1', 'script'), 3)
    await b.saveProgress(second.lease, 0, 50, 25)
    expect(await b.logHeld(second.lease, 'info', 'a line from the holder', 'script')).toBe(true)
    const mid = await commit(b, b.completeStep(second.lease, { ...held(s0!), attempts: 1 }, success(dataDir, 'j1', 'script', { provider: 'openai', costUsd: 0.5 }), { resource: 'ffmpeg', step: 'render', jobProgress: 50 }))
    expect(mid).toMatchObject({ status: 'processing', currentStep: 'render', progress: 50, costUsd: 0.5 })
    await b.startStep(second.lease, held(s1!), workDirOf(dataDir, 'j1', 'render'), 3)
    const done = await commit(b, b.completeStep(second.lease, held(s1!), success(dataDir, 'j1', 'render'), { resource: null, jobProgress: 100, jobResult: { ok: true } }))
    expect(done).toMatchObject({ status: 'completed', result: { ok: true }, progress: 100 })
    expect((await pool.query('SELECT provider, ok, worker_id FROM provider_calls')).rows).toEqual([{ provider: 'openai', ok: true, worker_id: 'worker-b' }])
    const codes = (await logsOf('j1')).map((l) => l.code ?? 'text')
    expect(codes).toEqual(['started', 'workerLost', 'started', 'text', 'finished', 'started', 'finishedJob'])
  })

  it('a claim whose commit was lost gives no writes to its worker, even when the next claim raises the fence to the same number', async () => {
    await addJob(pool, 'lost', [{ name: 'one' }])
    const a = leaseStore(pool, 'a', dataDir, clock)
    const b = leaseStore(pool, 'b', dataDir, clock)
    const stale = await claimed(a)
    // The server crashes before the claim's commit reached its disk (asynchronous commit, a
    // failover): the job is as it was before the claim.
    await pool.query(`UPDATE jobs SET status = 'pending', lease_fence = lease_fence - 1, lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL`)
    const next = await claimed(b)
    expect(next.lease.fence).toBe(stale.lease.fence)
    await expect(commit(a, a.completeStep(stale.lease, held(stale.steps[0]!), success(dataDir, 'lost', 'one'), { resource: null, jobProgress: 100, jobResult: 'a' }))).rejects.toBeInstanceOf(LeaseLostError)
    expect(await a.renew(stale.lease, LEASE)).toBe(false)
    expect(await a.logHeld(stale.lease, 'info', 'late', null)).toBe(false)
    expect((await commit(b, b.completeStep(next.lease, held(next.steps[0]!), success(dataDir, 'lost', 'one'), { resource: null, jobProgress: 100, jobResult: 'b' }))).result).toBe('b')
  })

  it('each fenced write by the holder works on its own: retry later, wait for a provider, fail, release', async () => {
    const store = leaseStore(pool, 'w', dataDir, clock)
    for (const id of ['r', 'p', 'f', 'g']) await addJob(pool, id, [{ name: 'one', resource: 'llm' }])

    const r = await claimed(store)
    await store.startStep(r.lease, held(r.steps[0]!), workDirOf(dataDir, 'r', 'one'), 3)
    const retried = await commit(store, store.retryLater(r.lease, { ...held(r.steps[0]!), attempts: 1 }, 'timeout', clock.now + 5000, 120, 'openai'))
    expect(retried).toMatchObject({ status: 'pending', retryCount: 1, runAfter: clock.now + 5000, currentStep: null })

    const p = await claimed(store)
    await store.startStep(p.lease, held(p.steps[0]!), workDirOf(dataDir, 'p', 'one'), 3)
    const waiting = await commit(store, store.waitForProvider(p.lease, held(p.steps[0]!), 'openai', 'HTTP 503', clock.now + 9000, { durationMs: 30 }))
    expect(waiting).toMatchObject({ status: 'pending', waitingReason: 'waiting for openai: HTTP 503', retryCount: 0 })

    const f = await claimed(store)
    await store.startStep(f.lease, held(f.steps[0]!), workDirOf(dataDir, 'f', 'one'), 3)
    const failed = await commit(store, store.failJob(f.lease, held(f.steps[0]!), 'bad request', 250, 'openai'))
    expect(failed).toMatchObject({ status: 'failed', error: 'one: bad request', actualDurationMs: 250 })

    const g = await claimed(store)
    await store.startStep(g.lease, held(g.steps[0]!), workDirOf(dataDir, 'g', 'one'), 3)
    const paused = await commit(store, store.release(g.lease, 'paused', 'paused by the user'))
    expect(paused).toMatchObject({ status: 'paused', currentStep: null })

    const steps = (await pool.query('SELECT job_id, status, attempts, error FROM steps ORDER BY job_id')).rows
    expect(steps).toEqual([
      { job_id: 'f', status: 'failed', attempts: 1, error: 'bad request' },
      { job_id: 'g', status: 'pending', attempts: 0, error: null },
      // The provider was down: the attempt is given back.
      { job_id: 'p', status: 'pending', attempts: 0, error: 'HTTP 503' },
      { job_id: 'r', status: 'pending', attempts: 1, error: 'timeout' }
    ])
    const calls = (await pool.query('SELECT ok, duration_ms, error FROM provider_calls ORDER BY id')).rows
    expect(calls).toEqual([
      { ok: false, duration_ms: '120', error: 'timeout' },
      { ok: false, duration_ms: '30', error: 'HTTP 503' },
      { ok: false, duration_ms: '250', error: 'bad request' }
    ])
    // A job back in the queue is not claimable before its time; then it is.
    expect(await claimOne(store, LEASE)).toBeNull()
    clock.now += 10_000
    expect((await claimed(store)).lease.jobId).toBe('r')
  })

  it("a group commit stores the checkpoints whose lease holds, refuses the one taken over, and claims and starts the next job in the same transaction", async () => {
    await addJob(pool, 'g1', [{ name: 'one' }])
    await addJob(pool, 'g2', [{ name: 'one' }])
    const a = leaseStore(pool, 'a', dataDir, clock)
    const b = leaseStore(pool, 'b', dataDir, clock)
    const one = (await claimOne(a, LEASE))!
    clock.now += LEASE / 2
    const two = (await claimOne(a, LEASE))!
    // g1's lease runs out (g2's, claimed later, still holds); b takes g1 over.
    clock.now += LEASE / 2 + 1
    expect(await b.reclaimAbandoned()).toEqual(['g1'])
    expect((await claimed(b)).lease.jobId).toBe('g1')
    await addJob(pool, 'g3', [{ name: 'first' }, { name: 'second' }])
    const writes = [one, two].map((c) => a.completeStep(c.lease, held(c.steps[0]!), success(dataDir, c.lease.jobId, 'one'), { resource: null, jobProgress: 100, jobResult: c.lease.jobId }))
    let finished: string[] = []
    const group = await a.commitGroup(writes, {
      flushed: true,
      isolated: false,
      join: (done) => {
        finished = [...done]
        return { leaseMs: LEASE, max: 2, plan: (c) => ({ step: held(c.steps[0]!), workDir: workDirOf(dataDir, c.lease.jobId, 'first'), maxAttempts: 3, skipped: [] }) }
      }
    })
    expect(group.outcomes.map((o) => ('job' in o ? o.job.status : o.failure instanceof LeaseLostError ? 'lost' : o.failure))).toEqual(['lost', 'completed'])
    // The companion is asked before the round trip, with the jobs the group's writes complete:
    // g1's write is refused, and its run ends all the same, so its slot is free either way.
    expect(finished).toEqual(['g1', 'g2'])
    // The companion's claim took the one ready job, in the group's commit, and planned its first step's start.
    expect(group.claims && 'claimed' in group.claims && group.claims.claimed.map((c) => [c.lease.jobId, c.started?.attempt])).toEqual([['g3', 1]])
    expect((await pool.query('SELECT id, status, lease_owner, current_step FROM jobs ORDER BY id')).rows).toEqual([
      { id: 'g1', status: 'processing', lease_owner: 'b', current_step: 'one' },
      { id: 'g2', status: 'completed', lease_owner: null, current_step: null },
      { id: 'g3', status: 'processing', lease_owner: 'a', current_step: 'first' }
    ])
    // The start is written by the store's next round trip (here asked for at once).
    await a.writeStarts()
    expect((await pool.query(`SELECT name, status, attempts, worker_id FROM steps WHERE job_id = 'g3' ORDER BY idx`)).rows).toEqual([
      { name: 'first', status: 'running', attempts: 1, worker_id: 'a' },
      { name: 'second', status: 'pending', attempts: 0, worker_id: null }
    ])
  })

  it("a failed claim in a group undoes its own part only; a failed group writes and announces nothing", async () => {
    await addJob(pool, 'e1', [{ name: 'one' }, { name: 'two' }])
    await addJob(pool, 'e2', [{ name: 'one' }])
    const events = new EventBus()
    const seen: EngineEvent[] = []
    events.subscribe((e) => seen.push(e))
    const store = leaseStore(pool, 'w', dataDir, clock, { events })
    const [c] = (await store.claim({ leaseMs: LEASE, max: 1, plan: (j) => ({ step: held(j.steps[0]!), workDir: workDirOf(dataDir, 'e1', 'one'), maxAttempts: 3, skipped: [] }) }))
    await store.writeStarts()
    // The claim and its start are announced after their commits.
    expect(seen.map((e) => (e.type === 'job.log' ? `log:${e.line.code}` : e.type))).toEqual(['job.changed', 'log:started'])
    seen.length = 0
    const step = { ...held(c!.steps[0]!), attempts: 1 }
    // A write that breaks a constraint (progress over 100) takes the group's transaction with it.
    const broken = store.completeStep(c!.lease, step, success(dataDir, 'e1', 'one'), { resource: 'cpu', step: 'two', jobProgress: 150 })
    await expect(store.commitGroup([broken], { flushed: true, isolated: false, join: null })).rejects.toMatchObject({ code: '23514' })
    expect(seen).toEqual([])
    expect((await pool.query(`SELECT status FROM steps WHERE job_id = 'e1' AND idx = 0`)).rows[0].status).toBe('running')
    // A claim that fails inside the group (its plan throws) is undone alone: the write commits.
    const good = store.completeStep(c!.lease, step, success(dataDir, 'e1', 'one'), { resource: 'cpu', step: 'two', jobProgress: 50 })
    const group = await store.commitGroup([good], {
      flushed: true,
      isolated: false,
      join: () => ({
        leaseMs: LEASE,
        max: 1,
        plan: () => {
          throw new Error('no slot after all')
        }
      })
    })
    expect(group.outcomes.map((o) => 'job' in o && o.job.progress)).toEqual([50])
    expect(group.claims && 'failure' in group.claims && (group.claims.failure as Error).message).toBe('no slot after all')
    expect((await pool.query(`SELECT id, status FROM jobs ORDER BY id`)).rows).toEqual([
      { id: 'e1', status: 'processing' },
      { id: 'e2', status: 'pending' }
    ])
    // Announced: the write (its line, then the job), not the claim that was undone.
    expect(seen.map((e) => (e.type === 'job.log' ? `log:${e.line.code}` : `${e.type}:${'job' in e ? e.job.id : ''}`))).toEqual(['log:finished', 'job.changed:e1'])
  })
})

describe('farm lease store: one round trip per job', () => {
  const plan = (c: ClaimedJob) => ({ step: held(c.steps[0]!), workDir: workDirOf(dataDir, c.lease.jobId, c.steps[0]!.name), maxAttempts: 3, skipped: [] })

  /** The messages the pool's connections send, counted as they go (each is one round trip). */
  function countMessages(p: pg.Pool): { sent: string[]; stop: () => void } {
    const sent: string[] = []
    const wrapped = new WeakSet<pg.PoolClient>()
    const onAcquire = (client: pg.PoolClient) => {
      if (wrapped.has(client)) return
      wrapped.add(client)
      const query = client.query.bind(client) as (...args: unknown[]) => unknown
      ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        sent.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text))
        return query(...args)
      }
    }
    p.on('acquire', onAcquire)
    return { sent, stop: () => p.off('acquire', onAcquire) }
  }

  it("a no-op job's start, its checkpoint and the next claim go in one message, one transaction", async () => {
    for (const id of ['o1', 'o2']) await addJob(pool, id, [{ name: 'one' }])
    const own = new pg.Pool({ connectionString: db.url, max: 2 })
    try {
      const store = leaseStore(own, 'w', dataDir, clock, { startWaitMs: 60_000 })
      const [first] = await store.claim({ leaseMs: LEASE, max: 1, plan })
      expect(first!.started?.attempt).toBe(1)
      // Planned, not written yet: it waits for the next round trip.
      expect((await pool.query(`SELECT status FROM steps WHERE job_id = 'o1'`)).rows).toEqual([{ status: 'pending' }])
      const counting = countMessages(own)
      const group = await store.commitGroup(
        [store.completeStep(first!.lease, { ...held(first!.steps[0]!), attempts: 1 }, success(dataDir, 'o1', 'one'), { resource: null, jobProgress: 100, jobResult: 'o1' })],
        { flushed: true, isolated: false, join: () => ({ leaseMs: LEASE, max: 1, plan }) }
      )
      counting.stop()
      expect(counting.sent).toHaveLength(1)
      // BEGIN, the checkpoint with its step's start (one statement), the claim (each prepared once
      // per connection), COMMIT.
      expect(counting.sent[0]).toMatch(/^BEGIN;[\s\S]*COMMIT$/)
      expect(counting.sent[0]!.match(/^EXECUTE farm_trip_\d+/gm)).toHaveLength(2)
      expect(group.outcomes.map((o) => 'job' in o && o.job.status)).toEqual(['completed'])
      expect(group.claims && 'claimed' in group.claims && group.claims.claimed.map((c) => [c.lease.jobId, c.started?.attempt])).toEqual([['o2', 1]])
      // The start and the checkpoint were written by one transaction: their log lines carry its id.
      const lines = (await pool.query(`SELECT code, xmin::text AS tx FROM job_logs WHERE job_id = 'o1' ORDER BY id`)).rows
      expect(lines.map((l) => l.code)).toEqual(['started', 'finishedJob'])
      expect(lines[0].tx).toBe(lines[1].tx)
      expect((await pool.query(`SELECT status, attempts, worker_id, started_at FROM steps WHERE job_id = 'o1'`)).rows).toEqual([
        { status: 'completed', attempts: 1, worker_id: 'w', started_at: String(clock.now) }
      ])
    } finally {
      await endPool(own)
    }
  })

  it('a start waits only a few milliseconds for the next round trip: a longer step shows as running while it runs', async () => {
    await addJob(pool, 'l1', [{ name: 'one' }])
    const store = leaseStore(pool, 'w', dataDir, clock)
    await store.claim({ leaseMs: LEASE, max: 1, plan })
    const deadline = Date.now() + 20_000
    let step: { status: string; attempts: number } | undefined
    while (Date.now() < deadline) {
      step = (await pool.query(`SELECT status, attempts FROM steps WHERE job_id = 'l1'`)).rows[0]
      if (step?.status === 'running') break
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(step).toEqual({ status: 'running', attempts: 1 })
    expect((await logsOf('l1')).map((l) => l.code)).toEqual(['started'])
  })

  it("a start not yet written when the lease was taken over writes nothing, and the stalled worker's checkpoint is refused", async () => {
    await addJob(pool, 'f1', [{ name: 'one' }, { name: 'two' }])
    const a = leaseStore(pool, 'worker-a', dataDir, clock, { startWaitMs: 60_000 })
    const b = leaseStore(pool, 'worker-b', dataDir, clock)
    const [first] = (await a.claim({ leaseMs: LEASE, max: 1, plan })) as PgClaimedJob[]
    await takeover(first!, b)
    // Worker A wakes up: its start goes now, fenced, and is refused.
    await a.writeStarts()
    expect((await pool.query(`SELECT status, attempts, worker_id FROM steps WHERE job_id = 'f1' ORDER BY idx`)).rows).toEqual([
      { status: 'pending', attempts: 0, worker_id: null },
      { status: 'pending', attempts: 0, worker_id: null }
    ])
    expect((await logsOf('f1')).map((l) => l.code)).toEqual(['workerLost'])
    await expect(
      commit(a, a.completeStep(first!.lease, { ...held(first!.steps[0]!), attempts: 1 }, success(dataDir, 'f1', 'one'), { resource: 'cpu', step: 'two', jobProgress: 50 }))
    ).rejects.toBeInstanceOf(LeaseLostError)
    expect((await pool.query(`SELECT status, lease_owner FROM jobs WHERE id = 'f1'`)).rows).toEqual([{ status: 'processing', lease_owner: 'worker-b' }])
  })

  it('a claim for several jobs whose plan fails gives back every job it took, as they were', async () => {
    for (const id of ['p1', 'p2', 'p3']) await addJob(pool, id, [{ name: 'one' }])
    const store = leaseStore(pool, 'w', dataDir, clock, { startWaitMs: 60_000 })
    let plans = 0
    await expect(
      store.claim({
        leaseMs: LEASE,
        max: 3,
        plan: (c) => {
          if (++plans === 2) throw new Error('no slot after all')
          return plan(c)
        }
      })
    ).rejects.toThrow('no slot after all')
    expect((await pool.query(`SELECT id, status, lease_owner, started_at, current_step FROM jobs ORDER BY id`)).rows).toEqual([
      { id: 'p1', status: 'pending', lease_owner: null, started_at: null, current_step: null },
      { id: 'p2', status: 'pending', lease_owner: null, started_at: null, current_step: null },
      { id: 'p3', status: 'pending', lease_owner: null, started_at: null, current_step: null }
    ])
    // The start planned for the first one is not written either.
    await store.writeStarts()
    expect((await pool.query(`SELECT count(*)::int AS n FROM job_logs`)).rows[0].n).toBe(0)
    // Claimed again, in the same order.
    expect((await claimed(store)).lease.jobId).toBe('p1')
  })
})

describe('farm lease store: steps across an expired lease', () => {
  it("a multi-step job's finished steps are not rerun: its next claim starts at the first unfinished step, with their outputs", async () => {
    await addJob(pool, 'm1', [{ name: 'script', resource: 'llm' }, { name: 'voice', resource: 'tts' }, { name: 'render', resource: 'ffmpeg' }])
    const a = leaseStore(pool, 'a', dataDir, clock)
    const b = leaseStore(pool, 'b', dataDir, clock)
    const first = await claimed(a)
    expect(first.job.currentStep).toBe('script')
    const [script, voice, render] = first.steps.map(held)
    await a.startStep(first.lease, script!, workDirOf(dataDir, 'm1', 'script'), 3)
    await commit(a, a.completeStep(first.lease, { ...script!, attempts: 1 }, success(dataDir, 'm1', 'script', { provider: 'openai', costUsd: 0.02, durationMs: 400 }), { resource: 'tts', step: 'voice', jobProgress: 33 }))
    await a.startStep(first.lease, voice!, workDirOf(dataDir, 'm1', 'voice'), 3)
    await commit(a, a.completeStep(first.lease, { ...voice!, attempts: 1 }, success(dataDir, 'm1', 'voice', { provider: 'elevenlabs', costUsd: 0.1, durationMs: 900 }), { resource: 'ffmpeg', step: 'render', jobProgress: 66 }))
    expect((await pool.query('SELECT next_needs, next_resource FROM jobs')).rows[0]).toEqual({ next_needs: ['ffmpeg', 'libass'], next_resource: 'ffmpeg' })
    await a.startStep(first.lease, render!, workDirOf(dataDir, 'm1', 'render'), 3)

    const second = await takeover(first, b)
    expect(second.job.currentStep).toBe('render')
    expect(second.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ['script', 'completed', 1],
      ['voice', 'completed', 1],
      // It was running when its worker was lost: back to pending, to run again.
      ['render', 'pending', 1]
    ])
    // The finished steps' outputs and files come back, as paths on this machine under the data folder.
    expect(second.steps[1]!.output).toEqual({ step: 'voice' })
    expect(second.steps[1]!.files).toEqual({ out: join(dataDir, 'jobs', 'm1', 'voice.w', 'voice.txt') })
    // … stored relative to it, so every machine finds them wherever it mounts the folder.
    expect((await pool.query(`SELECT files, work_dir FROM steps WHERE name = 'voice'`)).rows[0]).toEqual({
      files: JSON.stringify({ out: 'jobs/m1/voice.w/voice.txt' }),
      work_dir: 'jobs/m1/voice.w'
    })
    // The lease carries what the finished steps spent: the job's totals count them once.
    expect(second.lease.spent).toEqual({ costUsd: 0.12000000000000001, costUnknown: false, runMs: 1300 })
    const r = second.steps[2]!
    await b.startStep(second.lease, held(r), workDirOf(dataDir, 'm1', 'render'), 3)
    const done = await commit(b, b.completeStep(second.lease, { ...held(r), attempts: 2 }, success(dataDir, 'm1', 'render', { costUsd: 0, durationMs: 2000 }), { resource: null, jobProgress: 100, jobResult: { video: 'm1.mp4' } }))
    expect(done).toMatchObject({ status: 'completed', costUsd: 0.12000000000000001, costKnown: true, actualDurationMs: 3300 })
    // Every step ran (was started) the number of times the log says; the finished ones once.
    const starts = (await logsOf('m1')).filter((l) => l.code === 'started').map((l) => l.step)
    expect(starts).toEqual(['script', 'voice', 'render', 'render'])
    expect((await pool.query('SELECT provider FROM provider_calls ORDER BY id')).rows.map((x) => x.provider)).toEqual(['openai', 'elevenlabs'])
  })

  it("totals on completion: the steps' cost (unknown when a price was), and their run time", async () => {
    await addJob(pool, 't1', [{ name: 'a' }, { name: 'b' }, { name: 'c' }])
    const store = leaseStore(pool, 'w', dataDir, clock)
    const c = await claimed(store)
    const costs = [0.5, null, 0.25]
    for (const [i, s] of c.steps.entries()) {
      await store.startStep(c.lease, held(s), workDirOf(dataDir, 't1', s.name), 3)
      const last = i === c.steps.length - 1
      await commit(store, 
        store.completeStep(c.lease, { ...held(s), attempts: 1 }, success(dataDir, 't1', s.name, { costUsd: costs[i]!, durationMs: 100 * (i + 1), provider: `p${i}` }), {
          resource: last ? null : 'cpu',
          jobProgress: ((i + 1) / 3) * 100,
          ...(last ? { jobResult: 'done' } : {})
        })
      )
    }
    const job = (await pool.query('SELECT status, cost_usd, cost_unknown, actual_duration_ms, completed_at, lease_owner, lease_token FROM jobs')).rows[0]
    expect(job).toEqual({ status: 'completed', cost_usd: 0.75, cost_unknown: true, actual_duration_ms: '600', completed_at: String(clock.now), lease_owner: null, lease_token: null })
    // The same totals as the stored steps add up to.
    const sums = (await pool.query(`SELECT sum(cost_usd) AS cost, sum(duration_ms)::int AS ms FROM steps WHERE job_id = 't1' AND status = 'completed'`)).rows[0]
    expect(sums).toEqual({ cost: 0.75, ms: 600 })
  })
})
