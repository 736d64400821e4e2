/**
 * farm_claim_next walks the queue's order (jobs_queue_order) and stops at the first job it can
 * take, whatever the planner guesses of its filters (farm migration 7): planned once per connection
 * for any parameters, the claim read every pending job and sorted them all at every claim, a cost
 * that grew with the queue (with 1 000 queued, as here, the planner chose that; with 3 000 it
 * walked the index: the choice turns on the statistics of the moment). Counted with the
 * transaction's own statistics (pg_stat_get_xact_*), which need no wait for a flush.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { endPool } from '../helpers/pg-pool'
import { usePostgres } from '../helpers/postgres'

const db = usePostgres()
let pool: pg.Pool

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 2 })
})
afterAll(async () => {
  await endPool(pool)
})

it('a claim reads a few entries of the queue order, not every pending job, whatever plan it was given', async () => {
  await pool.query(
    `INSERT INTO jobs (id, type, payload, status, position, created_at, updated_at)
     SELECT 'job-' || lpad(i::text, 5, '0'), 'noop', '{}', 'pending', i, 0, 0 FROM generate_series(1, 1000) AS i`
  )
  await pool.query('ANALYZE jobs')
  const client = await pool.connect()
  try {
    // The plan made for any parameters, which a worker's connection runs from its sixth claim on
    // (the plan cache's choice; forced here, since when it switches depends on the statistics).
    await client.query('SET plan_cache_mode = force_generic_plan')
    const claim = (i: number) => client.query<{ claimed_job: { id: string } | null }>("SELECT * FROM farm_claim_next(1, '{}', '{}', 'w', $1, 60000)", [`token-${i}`])
    expect((await claim(0)).rows[0]!.claimed_job!.id).toBe('job-00001')
    await client.query('BEGIN')
    const counts = async () =>
      (
        await client.query<{ read: string; scanned: string }>(
          `SELECT pg_stat_get_xact_tuples_returned('jobs_queue_order'::regclass) AS read, pg_stat_get_xact_tuples_returned('jobs'::regclass) AS scanned`
        )
      ).rows[0]!
    const before = await counts()
    const next = await claim(1)
    const after = await counts()
    await client.query('COMMIT')
    expect(next.rows[0]!.claimed_job!.id).toBe('job-00002')
    // Entries of the queue order read (a bitmap scan of every pending job counts them all), and
    // rows read by sequential scans of the table: a handful, not the queue.
    expect(Number(after.read) - Number(before.read)).toBeLessThan(50)
    expect(Number(after.scanned) - Number(before.scanned)).toBeLessThan(50)
  } finally {
    await client.query('RESET plan_cache_mode').catch(() => undefined)
    client.release()
  }
})
