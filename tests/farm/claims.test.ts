/**
 * Claims on the farm's queue through the lease store (PgLeaseStore), on a real PostgreSQL: many
 * workers at once, each job exactly once, along the path a worker runs for every job (a checkpoint
 * and the next claim in one round trip, the claimed job's start written with its checkpoint);
 * queue order; capabilities; and a lease that ran out, taken over and fenced.
 */
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LeaseLostError } from '../../src/main/engine/errors'
import type { ClaimedJob } from '../../src/main/engine/store/leases'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import type { PgClaim } from '../../src/main/engine/store/postgres/leases'
import { addJob, claimAs, claimOne, commit, held, leaseStore, success, testDataDir, workDirOf } from '../helpers/farm-jobs'
import { endPool } from '../helpers/pg-pool'
import { usePostgres } from '../helpers/postgres'

const db = usePostgres()
let pool: pg.Pool
const dataDir = testDataDir()

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 8 })
})
afterAll(async () => {
  await endPool(pool)
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
})

/** `n` one-step jobs straight into the table (no steps), as an enqueue leaves them. */
async function addJobs(n: number, o: { priority?: (i: number) => number; needs?: (i: number) => string[] } = {}): Promise<void> {
  await pool.query(
    `INSERT INTO jobs (id, type, payload, status, priority, position, next_needs, created_at, updated_at)
     SELECT 'job-' || lpad(i::text, 4, '0'), 'noop', '{}', 'pending', p, i, coalesce(string_to_array(nullif(needs, ''), ','), '{}'), 0, 0
       FROM unnest($1::int[], $2::int[], $3::text[]) AS t(i, p, needs)`,
    [
      Array.from({ length: n }, (_, i) => i),
      Array.from({ length: n }, (_, i) => o.priority?.(i) ?? 10),
      Array.from({ length: n }, (_, i) => (o.needs?.(i) ?? []).join(','))
    ]
  )
}

const plan = (c: ClaimedJob) => ({ step: held(c.steps[0]!), workDir: workDirOf(dataDir, c.lease.jobId, c.steps[0]!.name), maxAttempts: 3, skipped: [] })

describe('farm claims', () => {
  it('eight workers on their own connections, each job ending in the commit that claims the next, take each of 200 jobs exactly once', async () => {
    for (let i = 0; i < 200; i++) await addJob(pool, `j${String(i).padStart(3, '0')}`, [{ name: 'one' }])
    const pools = Array.from({ length: 8 }, () => new pg.Pool({ connectionString: db.url, max: 1 }))
    try {
      const taken: string[] = []
      await Promise.all(
        pools.map(async (p, w) => {
          const store = leaseStore(p, `w${w}`, dataDir, { now: 0 }, { now: Date.now })
          let next: PgClaim | undefined = (await store.claim({ leaseMs: 60_000, max: 1, plan }))[0]
          while (next) {
            const c = next
            taken.push(c.lease.jobId)
            const group = await store.commitGroup(
              [store.completeStep(c.lease, { ...held(c.steps[0]!), attempts: 1 }, success(dataDir, c.lease.jobId, 'one'), { resource: null, jobProgress: 100, jobResult: 'ok' })],
              { flushed: true, isolated: false, join: () => ({ leaseMs: 60_000, max: 1, plan }) }
            )
            expect(group.outcomes.map((o) => 'job' in o && o.job.status)).toEqual(['completed'])
            if (!group.claims || 'failure' in group.claims) throw new Error(`claim failed: ${String(group.claims && 'failure' in group.claims && group.claims.failure)}`)
            next = group.claims.claimed[0] as PgClaim | undefined
          }
        })
      )
      expect(taken).toHaveLength(200)
      expect(new Set(taken).size).toBe(200)
      const { rows } = await pool.query(`SELECT status, count(*)::int AS n, max(lease_fence)::int AS fence FROM jobs GROUP BY status`)
      expect(rows).toEqual([{ status: 'completed', n: 200, fence: 1 }])
      // Every job's step started once and finished once, its start written with its checkpoint.
      const steps = (await pool.query(`SELECT status, attempts, count(*)::int AS n FROM steps GROUP BY status, attempts`)).rows
      expect(steps).toEqual([{ status: 'completed', attempts: 1, n: 200 }])
      const lines = (await pool.query(`SELECT code, count(*)::int AS n FROM job_logs GROUP BY code ORDER BY code`)).rows
      expect(lines).toEqual([
        { code: 'finishedJob', n: 200 },
        { code: 'started', n: 200 }
      ])
    } finally {
      await Promise.all(pools.map(endPool))
    }
  })

  it('claims in queue order: priority, then the manual order, then FIFO', async () => {
    await addJobs(6, { priority: (i) => (i % 2 === 0 ? 5 : 1) })
    // Move job-0004 before job-0000 (manual order); equal positions fall back to FIFO.
    await pool.query(`UPDATE jobs SET position = -1 WHERE id = 'job-0004'`)
    await pool.query(`UPDATE jobs SET position = 3 WHERE id = 'job-0001'`)
    const order: string[] = []
    for (let c; (c = await claimAs(pool, 'w')); ) order.push(c.lease.jobId)
    expect(order).toEqual(['job-0001', 'job-0003', 'job-0005', 'job-0004', 'job-0000', 'job-0002'])
  })

  it('a worker takes only jobs whose next step it can run', async () => {
    await addJobs(4, { needs: (i) => (i < 2 ? ['ffmpeg', 'libass'] : ['gpu']) })
    const renderer = []
    for (let c; (c = await claimAs(pool, 'r', ['ffmpeg', 'libass', 'speech'])); ) renderer.push(c.lease.jobId)
    expect(renderer).toEqual(['job-0000', 'job-0001'])
    const gpu = []
    for (let c; (c = await claimAs(pool, 'g', ['gpu'])); ) gpu.push(c.lease.jobId)
    expect(gpu).toEqual(['job-0002', 'job-0003'])
  })

  it('a worker whose lease expired and was taken over can neither renew nor write; the new holder can', async () => {
    await addJob(pool, 'job-0000', [{ name: 'one' }])
    const clock = { now: 1_000_000 }
    const stalledStore = leaseStore(pool, 'stalled', dataDir, clock)
    const nextStore = leaseStore(pool, 'next', dataDir, clock)
    const stalled = (await claimOne(stalledStore, 1000))!
    expect(stalled.lease.fence).toBe(1)
    // Not yet expired: nothing to take back, and the holder can renew.
    clock.now += 500
    expect(await nextStore.reclaimAbandoned()).toEqual([])
    expect(await stalledStore.renew(stalled.lease, 1000)).toBe(true)
    // It stops renewing (SIGSTOP, a cut link); its lease runs out and another worker takes the job.
    clock.now += 1500
    expect(await nextStore.reclaimAbandoned()).toEqual(['job-0000'])
    const next = (await claimOne(nextStore, 60_000))!
    expect(next.lease.fence).toBe(2)
    // The stalled one wakes up: refused.
    expect(await stalledStore.renew(stalled.lease, 1000)).toBe(false)
    const step = { ...held(stalled.steps[0]!), attempts: 1 }
    await expect(
      commit(stalledStore, stalledStore.completeStep(stalled.lease, step, success(dataDir, 'job-0000', 'one'), { resource: null, jobProgress: 100, jobResult: { by: 'stalled' } }))
    ).rejects.toBeInstanceOf(LeaseLostError)
    await commit(nextStore, nextStore.completeStep(next.lease, step, success(dataDir, 'job-0000', 'one'), { resource: null, jobProgress: 100, jobResult: { by: 'next' } }))
    const { rows } = await pool.query(`SELECT status, result FROM jobs`)
    expect(rows).toEqual([{ status: 'completed', result: '{"by":"next"}' }])
  })
})
