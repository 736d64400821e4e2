import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { claimNext, completeFenced, releaseExpired, renewLease, type FarmLease } from '../../src/main/engine/farm/claims'
import { farmInit } from '../../src/main/engine/farm/init'
import { usePostgres } from '../helpers/postgres'

const db = usePostgres()
let pool: pg.Pool
beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 8 })
})
afterAll(async () => {
  await pool.end()
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
})

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

describe('farm claims', () => {
  it('eight workers claiming at once from separate connections take each of 300 jobs exactly once', async () => {
    await addJobs(300)
    const taken: string[] = []
    const worker = async (w: number) => {
      for (;;) {
        const lease = await claimNext(pool, { workerId: `w${w}`, has: [], leaseMs: 60_000 })
        if (!lease) return
        taken.push(lease.jobId)
        expect(await completeFenced(pool, lease, '{}')).toBe(true)
      }
    }
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)))
    expect(taken).toHaveLength(300)
    expect(new Set(taken).size).toBe(300)
    const { rows } = await pool.query(`SELECT status, count(*)::int AS n, max(lease_fence)::int AS fence FROM jobs GROUP BY status`)
    expect(rows).toEqual([{ status: 'completed', n: 300, fence: 1 }])
  })

  it('claims in queue order: priority, then the manual order, then FIFO', async () => {
    await addJobs(6, { priority: (i) => (i % 2 === 0 ? 5 : 1) })
    // Move job-0004 before job-0000 (manual order); equal positions fall back to FIFO.
    await pool.query(`UPDATE jobs SET position = -1 WHERE id = 'job-0004'`)
    await pool.query(`UPDATE jobs SET position = 3 WHERE id = 'job-0001'`)
    const order: string[] = []
    for (;;) {
      const lease = await claimNext(pool, { workerId: 'w', has: [], leaseMs: 60_000 })
      if (!lease) break
      order.push(lease.jobId)
    }
    expect(order).toEqual(['job-0001', 'job-0003', 'job-0005', 'job-0004', 'job-0000', 'job-0002'])
  })

  it('a worker takes only jobs whose next step it can run', async () => {
    await addJobs(4, { needs: (i) => (i < 2 ? ['ffmpeg', 'libass'] : ['gpu']) })
    const renderer = []
    for (let l; (l = await claimNext(pool, { workerId: 'r', has: ['ffmpeg', 'libass', 'speech'], leaseMs: 60_000 })); ) renderer.push(l.jobId)
    expect(renderer).toEqual(['job-0000', 'job-0001'])
    const gpu = []
    for (let l; (l = await claimNext(pool, { workerId: 'g', has: ['gpu'], leaseMs: 60_000 })); ) gpu.push(l.jobId)
    expect(gpu).toEqual(['job-0002', 'job-0003'])
  })

  it('a worker whose lease expired and was taken over can neither renew nor write; the new holder can', async () => {
    await addJobs(1)
    const t0 = Date.now()
    const stalled = (await claimNext(pool, { workerId: 'stalled', has: [], leaseMs: 1000, now: t0 })) as FarmLease
    expect(stalled.fence).toBe(1)
    // Not yet expired: nothing to release, and the holder can renew.
    expect(await releaseExpired(pool, t0 + 500)).toEqual([])
    expect(await renewLease(pool, stalled, 1000, t0 + 500)).toBe(true)
    // It stops renewing (SIGSTOP, a cut link); its lease runs out and another worker takes the job.
    expect(await releaseExpired(pool, t0 + 2000)).toEqual(['job-0000'])
    const next = (await claimNext(pool, { workerId: 'next', has: [], leaseMs: 60_000, now: t0 + 2001 })) as FarmLease
    expect(next.fence).toBe(2)
    // The stalled one wakes up: refused.
    expect(await renewLease(pool, stalled, 1000, t0 + 2002)).toBe(false)
    expect(await completeFenced(pool, stalled, '{"by":"stalled"}')).toBe(false)
    expect(await completeFenced(pool, next, '{"by":"next"}')).toBe(true)
    const { rows } = await pool.query(`SELECT status, result FROM jobs`)
    expect(rows).toEqual([{ status: 'completed', result: '{"by":"next"}' }])
  })
})
