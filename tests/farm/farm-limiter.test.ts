/**
 * A farm worker's limiter (farm/farm-limiter.ts) on a real PostgreSQL, two of them as two workers:
 * a laned resource never starts with its claim (tryAcquire) and is taken in the database; the claim
 * leaves it aside once the farm's lane is full, counting this worker's waiters; a waiter is woken
 * by a release elsewhere; a wait is abortable and leaves nothing counted; a resource the farm sets
 * no lane for is this machine's own; a lane cleared while a step waits sends it to the local limits.
 */
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FarmLimiter } from '../../src/main/engine/farm/farm-limiter'
import { ResourceLimiter } from '../../src/main/engine/pool/resource-limiter'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import type { PgClaimedJob } from '../../src/main/engine/store/postgres/leases'
import { changeFarmLimits, farmLaneUsage, releaseSlot, takeSlot } from '../../src/main/engine/store/postgres/resource-lanes'
import { addJob, claimOne, leaseStore, testDataDir } from '../helpers/farm-jobs'
import { endPool } from '../helpers/pg-pool'
import { usePostgres } from '../helpers/postgres'

const db = usePostgres()
let pool: pg.Pool
const dataDir = testDataDir()
const clock = { now: Date.now() }

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 8 })
})
afterAll(async () => {
  await endPool(pool)
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
  await pool.query('DELETE FROM resource_lanes')
  clock.now = Date.now()
})

function limiter(workerId: string): FarmLimiter {
  return new FarmLimiter({
    local: new ResourceLimiter({ cpu: { concurrency: 1, minIntervalMs: 0 } }),
    lanes: {
      usage: () => farmLaneUsage(pool),
      take: (resource, holder) => takeSlot(pool, resource, holder),
      release: (resource, slotId) => releaseSlot(pool, resource, slotId)
    },
    workerId,
    // Long: a waiter woken sooner was woken by a release it heard of.
    refreshMs: 60_000,
    log: () => undefined
  })
}

async function claimedJobs(n: number): Promise<PgClaimedJob[]> {
  const store = leaseStore(pool, 'w', dataDir, clock)
  const out: PgClaimedJob[] = []
  for (let i = 0; i < n; i++) {
    await addJob(pool, `j${i}`, [{ name: 'call', resource: 'music' }])
    out.push((await claimOne(store, 60_000))!)
  }
  return out
}

const slotFor = (c: PgClaimedJob) => ({ lease: c.lease, stepIndex: 0 })

describe('the farm worker limiter', () => {
  it('takes laned resources in the database, leaves a full lane aside, wakes a waiter on a release, and aborts cleanly', async () => {
    await changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: 1, minIntervalMs: 0 }], clear: [] })
    const a = limiter('a')
    const b = limiter('b')
    await a.start()
    await b.start()
    try {
      const [j1, j2, j3] = await claimedJobs(3)
      expect(a.tryAcquire('music')).toBeNull()
      expect(a.saturated()).toEqual([])
      const releaseA = await a.acquire('music', undefined, slotFor(j1!))
      expect((await farmLaneUsage(pool)).find((u) => u.resource === 'music')?.running).toBe(1)
      await b.refresh()
      expect(b.saturated()).toEqual(['music'])

      // B waits for the farm's one slot; A's release wakes it (its refresh is a minute away).
      let got = false
      const waiting = b.acquire('music', undefined, slotFor(j2!)).then((release) => ((got = true), release))
      await new Promise((r) => setTimeout(r, 300))
      expect(got).toBe(false)
      releaseA()
      await waitUntil(async () => (await farmLaneUsage(pool))[0]!.running === 0)
      await b.heard()
      const releaseB = await waiting
      expect(got).toBe(true)

      // A third waits, and is aborted (its job cancelled): nothing stays counted for it.
      const controller = new AbortController()
      const aborted = a.acquire('music', controller.signal, slotFor(j3!))
      await a.refresh()
      expect(a.saturated()).toEqual(['music'])
      controller.abort(new Error('cancelled'))
      await expect(aborted).rejects.toThrow('cancelled')
      releaseB()
      await waitUntil(async () => (await farmLaneUsage(pool))[0]!.running === 0)
      await a.refresh()
      expect(a.saturated()).toEqual([])
      expect(a.status().find((s) => s.resource === 'music')).toEqual({ resource: 'music', running: 0, concurrency: 1, minIntervalMs: 0 })
    } finally {
      a.stop()
      b.stop()
    }
  })

  it("a resource with no lane is this machine's; a lane cleared while a step waits sends it to the local limits", async () => {
    await changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: 1, minIntervalMs: 0 }], clear: [] })
    const a = limiter('a')
    await a.start()
    try {
      const [j1, j2] = await claimedJobs(2)
      const cpu = a.tryAcquire('cpu')
      expect(cpu).not.toBeNull()
      expect(a.saturated()).toEqual(['cpu'])
      cpu!()
      const held = await a.acquire('music', undefined, slotFor(j1!))
      const waiting = a.acquire('music', undefined, slotFor(j2!))
      await changeFarmLimits(pool, { set: [], clear: ['music'] })
      await a.heard()
      // Now this machine's own limits (no setting for music: 2 at a time).
      const local = await waiting
      expect(a.isLaned('music')).toBe(false)
      local()
      held()
    } finally {
      a.stop()
    }
  })
})

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}
