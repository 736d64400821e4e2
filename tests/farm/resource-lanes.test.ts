/**
 * Farm-wide resource lanes on a real PostgreSQL (store/postgres/resource-lanes.ts): a lane's
 * concurrency holds whoever takes, even many takes at once on separate connections; a slot counts
 * only while the job's lease that took it is live and its step not completed (an expired lease, a
 * takeover, a finished step free it with no release); spacing is granted at the start itself on
 * the database's clock; a lease no longer live takes nothing; limits are checked, set and cleared.
 */
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import type { PgClaimedJob, PgLeaseStore } from '../../src/main/engine/store/postgres/leases'
import { changeFarmLimits, farmLaneUsage, readFarmLimits, releaseSlot, takeSlot, type SlotHolder } from '../../src/main/engine/store/postgres/resource-lanes'
import { addJob, claimOne, commit, held, leaseStore, success, testDataDir } from '../helpers/farm-jobs'
import { endPool } from '../helpers/pg-pool'
import { usePostgres } from '../helpers/postgres'

const db = usePostgres()
let pool: pg.Pool
const dataDir = testDataDir()
const clock = { now: 1_000_000 }
const LEASE = 30_000

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 12 })
})
afterAll(async () => {
  await endPool(pool)
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
  await pool.query('DELETE FROM resource_lanes')
  clock.now = 1_000_000
})

/** `n` jobs of one `api` step (then a `cpu` one), each claimed by `store`. */
async function claimedJobs(store: PgLeaseStore, n: number): Promise<PgClaimedJob[]> {
  const out: PgClaimedJob[] = []
  for (let i = 0; i < n; i++) {
    await addJob(pool, `j${i}`, [{ name: 'call', resource: 'api' }, { name: 'after', resource: 'cpu' }])
    const c = await claimOne(store, LEASE)
    expect(c).not.toBeNull()
    out.push(c!)
  }
  return out
}

const holder = (c: PgClaimedJob, step = 0): SlotHolder => ({ jobId: c.lease.jobId, fence: c.lease.fence, token: c.lease.token, stepIndex: step, workerId: c.lease.owner })
const take = (c: PgClaimedJob, resource = 'api') => takeSlot(pool, resource, holder(c), clock.now)
const running = async (resource = 'api') => (await farmLaneUsage(pool, clock.now)).find((u) => u.resource === resource)?.running

describe('farm resource lanes', () => {
  it('sets, reads and clears limits; a bad limit is refused naming its field, and nothing is written', async () => {
    expect(await changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: 5, minIntervalMs: 2000 }, { resource: 'llm', concurrency: 4, minIntervalMs: 0 }], clear: [] })).toEqual([
      { resource: 'llm', concurrency: 4, minIntervalMs: 0 },
      { resource: 'music', concurrency: 5, minIntervalMs: 2000 }
    ])
    await changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: 3, minIntervalMs: 500 }], clear: ['llm'] })
    expect(await readFarmLimits(pool)).toEqual([{ resource: 'music', concurrency: 3, minIntervalMs: 500 }])
    await expect(changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: 0, minIntervalMs: 0 }], clear: [] })).rejects.toThrow(/^music: concurrency: /)
    await expect(changeFarmLimits(pool, { set: [{ resource: 'Music!', concurrency: 1, minIntervalMs: 0 }], clear: [] })).rejects.toThrow(/resource: /)
    await expect(changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: 1, minIntervalMs: -5 }], clear: [] })).rejects.toThrow(/minIntervalMs: /)
    expect(await readFarmLimits(pool)).toEqual([{ resource: 'music', concurrency: 3, minIntervalMs: 500 }])
  })

  it('a full lane refuses a take until a slot is released; a resource with no lane says so', async () => {
    await changeFarmLimits(pool, { set: [{ resource: 'api', concurrency: 2, minIntervalMs: 0 }], clear: [] })
    const [a, b, c] = await claimedJobs(leaseStore(pool, 'w1', dataDir, clock), 3)
    const first = await take(a!)
    expect(first.taken).toBe(true)
    expect((await take(b!)).taken).toBe(true)
    expect(await take(c!)).toMatchObject({ taken: false, why: 'full' })
    expect(await running()).toBe(2)
    await releaseSlot(pool, 'api', (first as { slotId: number }).slotId)
    expect(await running()).toBe(1)
    expect((await take(c!)).taken).toBe(true)
    expect(await take(c!, 'other')).toEqual({ taken: false, why: 'no-lane', retryInMs: 0 })
  })

  it('a slot stops counting with no release when its lease expires, when its job is taken over, and when its step completes', async () => {
    await changeFarmLimits(pool, { set: [{ resource: 'api', concurrency: 1, minIntervalMs: 0 }], clear: [] })
    const w1 = leaseStore(pool, 'w1', dataDir, clock)
    const w2 = leaseStore(pool, 'w2', dataDir, clock)
    const [a, b] = await claimedJobs(w1, 2)
    expect((await take(a!)).taken).toBe(true)
    const full = await take(b!)
    // Full: worth asking again when the holder's lease could have run out, not before.
    expect(full).toEqual({ taken: false, why: 'full', retryInMs: LEASE })

    // Worker 1 stops renewing (killed, SIGSTOPped, cut off): its lease runs out, and so does its slot.
    clock.now += LEASE + 1
    expect(await running()).toBe(0)
    await w2.reclaimAbandoned()
    const again = (await claimOne(w2, LEASE))!
    expect(again.lease.fence).toBeGreaterThan(a!.lease.fence)
    // The stalled worker, resumed, asks with its old lease: refused, and nothing is written.
    expect(await take(a!)).toEqual({ taken: false, why: 'lost', retryInMs: 0 })
    expect((await take(again)).taken).toBe(true)
    // The old holder's rows were deleted by that take; the stalled worker's stale lease took nothing.
    expect((await pool.query('SELECT job_id, fence FROM resource_slots')).rows).toEqual([{ job_id: again.lease.jobId, fence: String(again.lease.fence) }])

    // Its step completes without releasing (the release was lost): the slot no longer counts.
    const step = held(again.steps[0]!)
    await commit(w2, w2.completeStep(again.lease, step, success(dataDir, again.lease.jobId, 'call'), { resource: 'cpu', step: 'after', jobProgress: 50 }))
    expect(await running()).toBe(0)
  })

  it('many takes at once on separate connections never exceed the lane', async () => {
    await changeFarmLimits(pool, { set: [{ resource: 'api', concurrency: 3, minIntervalMs: 0 }], clear: [] })
    const jobs = await claimedJobs(leaseStore(pool, 'w1', dataDir, clock), 10)
    const outcomes = await Promise.all(jobs.map((j) => take(j)))
    expect(outcomes.filter((o) => o.taken)).toHaveLength(3)
    expect(await running()).toBe(3)
  })

  it('spacing: a second start is refused until the interval has passed on the database clock, then granted', async () => {
    await changeFarmLimits(pool, { set: [{ resource: 'api', concurrency: 5, minIntervalMs: 400 }], clear: [] })
    const [a, b] = await claimedJobs(leaseStore(pool, 'w1', dataDir, clock), 2)
    const started = Date.now()
    // A lease that has run out takes nothing, and spends none of the lane's spacing.
    clock.now += LEASE + 1
    expect(await take(a!)).toEqual({ taken: false, why: 'lost', retryInMs: 0 })
    clock.now -= LEASE + 1
    expect((await take(a!)).taken).toBe(true)
    const refused = await take(b!)
    expect(refused).toMatchObject({ taken: false, why: 'spacing' })
    const wait = (refused as { retryInMs: number }).retryInMs
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(400)
    await new Promise((r) => setTimeout(r, wait))
    expect((await take(b!)).taken).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(400 - 5)
  })
})
