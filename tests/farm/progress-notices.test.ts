/**
 * The worker's progress notices (store/postgres/progress-notices.ts) on a real PostgreSQL: the jobs
 * noted together go in one notice; a worker speaks at most once per interval, however often its
 * jobs report; many jobs are split into notices that each fit PostgreSQL's payload limit; with no
 * window open nothing is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { FARM_PROGRESS_ORIGIN, listenForJobChanges, type FarmJobNotice } from '../../src/main/engine/store/postgres/job-events'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { ProgressNotices, progressPayloads } from '../../src/main/engine/store/postgres/progress-notices'
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

describe('a worker’s progress notices', () => {
  it('name the jobs noted together in one notice, at most one per interval, only while a window is open', async () => {
    const heard: Array<{ at: number; notice: FarmJobNotice }> = []
    const listener = await listenForJobChanges(db.url, (notice) => heard.push({ at: Date.now(), notice }))
    const progress = () => heard.filter((h) => h.notice.origin === FARM_PROGRESS_ORIGIN)
    const notices = new ProgressNotices(pool, 1_000)
    try {
      // No window: noted, checked, nothing sent (the marker proves the listener was hearing).
      notices.note('quiet')
      await pool.query(`SELECT pg_sleep(0.3)`)
      await pool.query(`SELECT pg_notify('studio_farm_jobs', '{"origin":"marker"}')`)
      await until(() => heard.some((h) => h.notice.origin === 'marker'), 20_000, 'the marker')
      expect(progress()).toEqual([])

      await markWindowOpen(pool, 'window-1')
      // The interval since the quiet attempt may still run: wait it out with a condition, not a sleep.
      notices.note('a')
      notices.note('b')
      notices.note('a')
      notices.note('c')
      await until(() => progress().length === 1, 20_000, 'the first notice')
      expect(progress()[0]!.notice).toEqual({ origin: FARM_PROGRESS_ORIGIN, changed: ['a', 'b', 'c'] })
      // Reported ten times in quick succession: one more notice, a whole interval after the first.
      for (let i = 0; i < 10; i++) notices.note('a')
      notices.note('d')
      await until(() => progress().length === 2, 20_000, 'the second notice')
      expect(progress()[1]!.notice).toEqual({ origin: FARM_PROGRESS_ORIGIN, changed: ['a', 'd'] })
      expect(progress()[1]!.at - progress()[0]!.at).toBeGreaterThanOrEqual(900)

      // Many jobs: several notices, each within PostgreSQL's limit, naming them all once.
      const many = Array.from({ length: 600 }, (_, i) => `a-job-with-a-rather-long-identifier-${i}`)
      for (const id of many) notices.note(id)
      await until(() => progress().flatMap((h) => h.notice.changed ?? []).filter((id) => id.startsWith('a-job-')).length === many.length, 20_000, 'every job named')
      expect(progress().flatMap((h) => h.notice.changed ?? []).filter((id) => id.startsWith('a-job-'))).toEqual(many)
      expect(progress().every((h) => !h.notice.all)).toBe(true)
    } finally {
      await markWindowClosed(pool, 'window-1')
      await listener.close()
    }
  })

  it('split many jobs into payloads PostgreSQL accepts', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `job-${i}-${'x'.repeat(30)}`)
    const payloads = progressPayloads(ids)
    expect(payloads.length).toBeGreaterThan(1)
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8_000)
    expect(payloads.flatMap((p) => (JSON.parse(p) as FarmJobNotice).changed)).toEqual(ids)
    expect(progressPayloads([])).toEqual([])
  })
})
