/**
 * Provider calls on the farm: every machine's calls in one table, read back the way the SQLite
 * store reads them (the same calls give the same answers on both backends), and what steps spent.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../src/main/engine/store/database'
import * as sqliteCalls from '../../src/main/engine/store/provider-calls'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import * as pgCalls from '../../src/main/engine/store/postgres/provider-calls'
import type { ProviderCall } from '../../src/main/engine/store/provider-calls'
import { addJob, claimOne, commit, held, leaseStore, success, testDataDir, workDirOf } from '../helpers/farm-jobs'
import { usePostgres } from '../helpers/postgres'
import { endPool } from '../helpers/pg-pool'

const db = usePostgres()
let pool: pg.Pool
let sqlite: Db
const sqliteDir = mkdtempSync(join(tmpdir(), 'studio-calls-'))
const dataDir = testDataDir()
const clock = { now: 10_000_000 }

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 2 })
  sqlite = openDatabase(join(sqliteDir, 'studio.db'))
})
afterAll(async () => {
  await endPool(pool)
  sqlite.close()
  rmSync(sqliteDir, { recursive: true, force: true })
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
  await pool.query('DELETE FROM provider_calls')
  sqlite.exec('DELETE FROM provider_calls')
  clock.now = 10_000_000
})

describe('farm provider calls', () => {
  it('answers as the SQLite store does for the same calls, whichever machine made them', async () => {
    expect([pgCalls.RECENT_CALLS, pgCalls.RECENT_MS]).toEqual([sqliteCalls.RECENT_CALLS, sqliteCalls.RECENT_MS])
    const now = clock.now
    const calls: ProviderCall[] = [
      // Older than the recent window: counted by statsSince, not by recent.
      { provider: 'openai', ts: now - 2 * 3600_000, ok: false, durationMs: 900, error: 'HTTP 500 long ago' },
      ...Array.from({ length: 25 }, (_, i): ProviderCall => ({ provider: 'openai', ts: now - 1000 * (25 - i), ok: i % 5 !== 0, durationMs: 100 + i, error: i % 5 === 0 ? `HTTP 429 #${i}` : null })),
      { provider: 'elevenlabs', ts: now - 500, ok: true, durationMs: 1234.6, error: null }
    ]
    const machineA = new pgCalls.PgProviderCalls(pool, 'render-1')
    const machineB = new pgCalls.PgProviderCalls(pool, 'render-2')
    const local = new sqliteCalls.SqliteProviderCalls(sqlite)
    for (const [i, c] of calls.entries()) {
      await (i % 2 ? machineA : machineB).record(c)
      await local.record(c)
    }
    const either = machineA
    for (const since of [0, now - 3600_000, now - 10_000]) {
      expect(await either.statsSince('openai', since)).toEqual(await local.statsSince('openai', since))
      expect(await either.lastErrorSince('openai', since)).toBe(await local.lastErrorSince('openai', since))
      expect((await either.calledSince(since)).sort()).toEqual((await local.calledSince(since)).sort())
    }
    expect(await either.recent('openai', now)).toEqual(await local.recent('openai', now))
    expect(await either.recent('openai', now)).toEqual({ recentCalls: 20, recentFailureRate: 4 / 20, lastCallAt: now - 1000 })
    expect(await either.recent('elevenlabs', now)).toEqual(await local.recent('elevenlabs', now))
    expect(await either.recent('nobody', now)).toEqual({ recentCalls: 0, recentFailureRate: null, lastCallAt: null })
    // Each machine's calls are counted once, and say which machine made them.
    const byWorker = (await pool.query('SELECT worker_id, count(*)::int AS n FROM provider_calls GROUP BY worker_id ORDER BY worker_id')).rows
    expect(byWorker).toEqual([
      { worker_id: 'render-1', n: 13 },
      { worker_id: 'render-2', n: 14 }
    ])
  })

  it("a step's call is stored with its checkpoint; spend and step durations come from the finished steps", async () => {
    const store = leaseStore(pool, 'render-1', dataDir, clock)
    const calls = new pgCalls.PgProviderCalls(pool)
    const runs: Array<{ provider: string; cost: number | null; ms: number; fallback?: boolean }> = [
      { provider: 'openai:gpt-4o-mini', cost: 0.25, ms: 100 },
      { provider: 'openai', cost: 0.5, ms: 300 },
      { provider: 'openaix', cost: 2, ms: 500 },
      { provider: 'openai_', cost: 4, ms: 700, fallback: true },
      { provider: 'elevenlabs', cost: null, ms: 900 }
    ]
    for (const [i, r] of runs.entries()) {
      await addJob(pool, `s${i}`, [{ name: 'voice' }])
      const c = (await claimOne(store, 60_000))!
      await store.startStep(c.lease, held(c.steps[0]!), workDirOf(dataDir, c.lease.jobId, 'voice'), 3)
      clock.now += 1000
      await commit(
        store,
        store.completeStep(c.lease, { ...held(c.steps[0]!), attempts: 1 }, success(dataDir, c.lease.jobId, 'voice', { provider: r.provider, costUsd: r.cost, durationMs: r.ms, fallback: r.fallback ?? false }), {
          resource: null,
          jobProgress: 100,
          jobResult: null
        })
      )
    }
    const stored = (await pool.query('SELECT provider, ok, duration_ms::int AS ms, worker_id FROM provider_calls ORDER BY id')).rows
    expect(stored).toEqual(runs.map((r) => ({ provider: r.provider, ok: true, ms: r.ms, worker_id: 'render-1' })))
    // "openai" is its own id and every id under it; not "openaix", not "openai_" (LIKE's wildcard).
    expect(await calls.spentSince(0, 'openai')).toBe(0.75)
    expect(await calls.spentSince(0)).toBe(6.75)
    expect(await calls.spentSince(10_000_000 + 3000)).toBe(6)
    // Fallbacks are left out of the durations estimates learn from.
    expect(await calls.recentStepDurations()).toEqual(new Map([['voice', (100 + 300 + 500 + 900) / 4]]))
    expect(await calls.recentStepDurations(2)).toEqual(new Map([['voice', (500 + 900) / 2]]))
  })
})
