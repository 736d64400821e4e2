/**
 * Migration 6 on a real PostgreSQL: a job's status changed by any statement (a worker's claim or
 * completion writes jobs directly, not through the job store) is announced on the windows' channel
 * — named by job, or as `all` when too many to name — but only while a window is open: with none,
 * the workers' statements send no NOTIFY at all. A window's row stops counting once stale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { FARM_STATUS_ORIGIN, listenForJobChanges, type FarmJobNotice } from '../../src/main/engine/store/postgres/job-events'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { markWindowClosed, markWindowOpen } from '../../src/main/engine/store/postgres/windows'
import { until } from '../helpers/engine'
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

async function addJobs(n: number, prefix: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO jobs (id, type, payload, status, created_at, updated_at)
     SELECT $2 || i, 'text', '{}', 'pending', 0, 0 FROM generate_series(1, $1) AS i RETURNING id`,
    [n, prefix]
  )
  return rows.map((r) => r.id)
}

/** A worker's statement: status changed by a plain UPDATE, as claims and completions are written. */
const setStatus = (ids: string[], status: string) => pool.query('UPDATE jobs SET status = $2 WHERE id = ANY($1::text[])', [ids, status])

describe('the database announces job status changes to open windows', () => {
  it('only while a window is open; by job, or `all` when too many; a change that keeps the status is not announced', async () => {
    const heard: FarmJobNotice[] = []
    const listener = await listenForJobChanges(db.url, (n) => heard.push(n))
    try {
      const [a, b] = await addJobs(2, 'quiet-')
      // No window: a worker's claim sends nothing. (The marker below proves the listener was hearing.)
      await setStatus([a!], 'processing')
      await pool.query(`SELECT pg_notify('studio_farm_jobs', '{"origin":"marker"}')`)
      await until(() => heard.some((n) => n.origin === 'marker'), 20_000, 'the marker')
      expect(heard.filter((n) => n.origin === FARM_STATUS_ORIGIN)).toEqual([])

      await markWindowOpen(pool, 'window-1')
      await setStatus([a!, b!], 'completed')
      await until(() => heard.some((n) => n.origin === FARM_STATUS_ORIGIN), 20_000, 'the status notice')
      expect(heard.filter((n) => n.origin === FARM_STATUS_ORIGIN)).toEqual([{ origin: FARM_STATUS_ORIGIN, changed: [a, b] }])
      // The same status written again (a renewal's UPDATE): nothing to announce.
      await pool.query(`UPDATE jobs SET updated_at = 1 WHERE id = $1`, [a])
      const many = await addJobs(600, 'many-job-with-a-longer-id-')
      await setStatus(many, 'cancelled')
      await until(() => heard.some((n) => n.origin === FARM_STATUS_ORIGIN && n.all), 20_000, 'the `all` notice')
      expect(heard.filter((n) => n.origin === FARM_STATUS_ORIGIN)).toEqual([
        { origin: FARM_STATUS_ORIGIN, changed: [a, b] },
        { origin: FARM_STATUS_ORIGIN, all: true }
      ])

      // Closed, or stale (a window killed without leaving): quiet again.
      await markWindowClosed(pool, 'window-1')
      await pool.query(`INSERT INTO farm_windows (id, seen_at) VALUES ('killed-window', now() - interval '2 minutes')`)
      await setStatus([a!], 'pending')
      await pool.query(`SELECT pg_notify('studio_farm_jobs', '{"origin":"marker-2"}')`)
      await until(() => heard.some((n) => n.origin === 'marker-2'), 20_000, 'the second marker')
      expect(heard.filter((n) => n.origin === FARM_STATUS_ORIGIN)).toHaveLength(2)
    } finally {
      await listener.close()
    }
  })
})
