import { prep, type Db } from './database'

/**
 * The recent window a provider's failure alert is judged on: its last RECENT_CALLS calls, none
 * older than RECENT_MS. A 24-hour rate keeps an outage that was fixed (or a provider that was
 * replaced) red for a day; this window forgets it as soon as new calls succeed, or after an hour.
 */
export const RECENT_CALLS = 20
export const RECENT_MS = 3600_000

export interface RecentCalls {
  recentCalls: number
  recentFailureRate: number | null
  lastCallAt: number | null
}

/** A provider's calls since a moment: how many, how many succeeded, their mean time when they did. */
export interface CallStats {
  calls: number
  ok: number
  avgOkMs: number | null
}

export interface ProviderCall {
  provider: string
  ts: number
  ok: boolean
  durationMs: number
  error: string | null
}

/**
 * Every call made to a provider (by a step, or by the pool's health probe), kept for the health
 * cards and failure alerts. A step's call is written with its checkpoint, inside the lease store's
 * transaction (recordProviderCall); the rest goes through this store.
 *
 * A second backend: each method becomes async (a Promise of the same value); `record` from a
 * health probe need not be awaited by the pool (its verdict never waits for the write).
 */
export interface ProviderCallStore {
  record(call: ProviderCall): void
  statsSince(provider: string, since: number): CallStats
  /** The error of the provider's latest failed call since `since`, if any. */
  lastErrorSince(provider: string, since: number): string | null
  /** Every provider called since `since`. */
  calledSince(since: number): string[]
  recent(provider: string, now?: number): RecentCalls
}

export class SqliteProviderCalls implements ProviderCallStore {
  constructor(private readonly db: Db) {}

  record(call: ProviderCall): void {
    recordProviderCall(this.db, call)
  }

  statsSince(provider: string, since: number): CallStats {
    const s = prep<[string, number], { calls: number; ok: number | null; avg: number | null }>(
      this.db,
      'SELECT COUNT(*) AS calls, SUM(ok) AS ok, AVG(CASE WHEN ok = 1 THEN duration_ms END) AS avg FROM provider_calls WHERE provider = ? AND ts >= ?'
    ).get(provider, since)!
    return { calls: s.calls, ok: s.ok ?? 0, avgOkMs: s.avg }
  }

  lastErrorSince(provider: string, since: number): string | null {
    const row = prep<[string, number], { error: string | null }>(
      this.db,
      'SELECT error FROM provider_calls WHERE provider = ? AND ts >= ? AND ok = 0 ORDER BY ts DESC LIMIT 1'
    ).get(provider, since)
    return row?.error ?? null
  }

  calledSince(since: number): string[] {
    return prep<[number], { provider: string }>(this.db, 'SELECT DISTINCT provider FROM provider_calls WHERE ts >= ?')
      .all(since)
      .map((r) => r.provider)
  }

  recent(provider: string, now = Date.now()): RecentCalls {
    return recentCalls(this.db, provider, now)
  }
}

/** Store one call, in the caller's transaction when there is one. */
export function recordProviderCall(db: Db, call: ProviderCall): void {
  prep(db, 'INSERT INTO provider_calls (provider, ts, ok, duration_ms, error) VALUES (?, ?, ?, ?, ?)')
    .run(call.provider, call.ts, call.ok ? 1 : 0, Math.round(call.durationMs), call.error)
}

function recentCalls(db: Db, provider: string, now = Date.now()): RecentCalls {
  const rows = prep<[string, number, number], { ok: number; ts: number }>(
    db,
    'SELECT ok, ts FROM provider_calls WHERE provider = ? AND ts >= ? ORDER BY ts DESC LIMIT ?'
  ).all(provider, now - RECENT_MS, RECENT_CALLS)
  const failed = rows.filter((r) => r.ok === 0).length
  return {
    recentCalls: rows.length,
    recentFailureRate: rows.length ? failed / rows.length : null,
    lastCallAt: rows[0]?.ts ?? null
  }
}
