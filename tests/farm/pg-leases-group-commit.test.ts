/**
 * The engine's group commit (store/group-commit.ts) on the farm's lease store: checkpoints
 * submitted together share one PostgreSQL transaction, a lost lease fails its own checkpoint only,
 * a write that breaks a constraint is retried alone (savepoints: PostgreSQL aborts a transaction at
 * its first error), and the companion's claims land in the group's commit.
 */
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LeaseLostError } from '../../src/main/engine/errors'
import { GroupCommit } from '../../src/main/engine/store/group-commit'
import type { Claim, ClaimRequest, StepStart } from '../../src/main/engine/store/leases'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { addJob, claimOne, held, leaseStore, success, testDataDir, workDirOf } from '../helpers/farm-jobs'
import { usePostgres } from '../helpers/postgres'
import { endPool } from '../helpers/pg-pool'

const db = usePostgres()
let pool: pg.Pool
const dataDir = testDataDir()
const clock = { now: 1_000_000 }
const LEASE = 30_000

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 4 })
})
afterAll(async () => {
  await endPool(pool)
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
  clock.now = 1_000_000
})

describe('the group commit on the farm', () => {
  it('checkpoints submitted together commit in one transaction; the one whose lease was taken over fails alone; the companion claims in that commit', async () => {
    for (const id of ['a1', 'a2', 'a3']) await addJob(pool, id, [{ name: 'one' }])
    const a = leaseStore(pool, 'a', dataDir, clock)
    const b = leaseStore(pool, 'b', dataDir, clock)
    const first = (await claimOne(a, LEASE))!
    clock.now += LEASE / 2
    const others = [(await claimOne(a, LEASE))!, (await claimOne(a, LEASE))!]
    clock.now += LEASE / 2 + 1
    expect(await b.reclaimAbandoned()).toEqual(['a1'])
    expect((await claimOne(b, LEASE))!.lease.jobId).toBe('a1')
    await addJob(pool, 'next', [{ name: 'one' }])

    const settled: Array<{ claimed: Claim[] } | { failure: unknown }> = []
    const group = new GroupCommit<StepStart>({
      transactions: a,
      companion: {
        join: (finished): ClaimRequest | null =>
          finished.size ? { leaseMs: LEASE, max: finished.size, plan: (c) => ({ step: held(c.steps[0]!), workDir: workDirOf(dataDir, c.lease.jobId, 'one'), maxAttempts: 3, skipped: [] }) } : null,
        settled: (_request, outcome) => settled.push(outcome)
      }
    })
    const results = await Promise.allSettled(
      [first, ...others].map((c) => group.submit(a.completeStep(c.lease, held(c.steps[0]!), success(dataDir, c.lease.jobId, 'one'), { resource: null, jobProgress: 100, jobResult: c.lease.jobId })))
    )
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.status : r.reason instanceof LeaseLostError ? 'lost' : String(r.reason)))).toEqual(['lost', 'completed', 'completed'])
    // One claim for the two slots freed; one job was ready, claimed and started.
    expect(settled.map((s) => ('claimed' in s ? s.claimed.map((c) => [c.lease.jobId, c.started?.attempt]) : s.failure))).toEqual([[['next', 1]]])
    // Rows written by one transaction carry its id (xmin): the two checkpoints shared one. (The
    // claim's row carries its savepoint's own id, a subtransaction of that same transaction.)
    const xmins = (await pool.query(`SELECT id, xmin::text AS tx FROM jobs WHERE id IN ('a2', 'a3') ORDER BY id`)).rows
    expect(xmins).toHaveLength(2)
    expect(xmins[0].tx).toBe(xmins[1].tx)
    expect((await pool.query(`SELECT id, status, lease_owner FROM jobs ORDER BY id`)).rows).toEqual([
      { id: 'a1', status: 'processing', lease_owner: 'b' },
      { id: 'a2', status: 'completed', lease_owner: null },
      { id: 'a3', status: 'completed', lease_owner: null },
      { id: 'next', status: 'processing', lease_owner: 'a' }
    ])
  })

  it('a write that breaks a constraint takes the group down once; retried each in a savepoint, it fails alone and the others commit', async () => {
    for (const id of ['c1', 'c2', 'c3']) await addJob(pool, id, [{ name: 'one' }, { name: 'two' }])
    const a = leaseStore(pool, 'a', dataDir, clock)
    const claims = [(await claimOne(a, LEASE))!, (await claimOne(a, LEASE))!, (await claimOne(a, LEASE))!]
    let joins = 0
    const settled: unknown[] = []
    const group = new GroupCommit<StepStart>({
      transactions: a,
      companion: {
        join: () => {
          joins++
          return { leaseMs: LEASE, max: 1 }
        },
        settled: (_request, outcome) => settled.push('failure' in outcome ? (outcome.failure as { code?: string }).code : outcome.claimed.length)
      }
    })
    const results = await Promise.allSettled(
      claims.map((c, i) =>
        group.submit(
          a.completeStep(c.lease, held(c.steps[0]!), success(dataDir, c.lease.jobId, 'one'), { resource: 'cpu', step: 'two', jobProgress: i === 1 ? 101 : 50 })
        )
      )
    )
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.progress : (r.reason as { code?: string }).code))).toEqual([50, '23514', 50])
    // The first try asked its companion before its round trip, and its claim failed with it (the
    // companion is told); the retry, each write isolated, does not ask the companion.
    expect(joins).toBe(1)
    expect(settled).toEqual(['23514'])
    expect((await pool.query(`SELECT job_id, status FROM steps WHERE idx = 0 ORDER BY job_id`)).rows).toEqual([
      { job_id: 'c1', status: 'completed' },
      { job_id: 'c2', status: 'pending' },
      { job_id: 'c3', status: 'completed' }
    ])
  })
})
