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

export function recentCalls(db: Db, provider: string, now = Date.now()): RecentCalls {
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
