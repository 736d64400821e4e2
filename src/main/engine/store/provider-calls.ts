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
 * What steps cost and how long they run, by provider: the SQL behind the health cards, the spend
 * caps, the estimates and a job's totals. One module for the provider-call aggregate.
 */

/**
 * Every call made to a provider (by a step, or by the pool's health probe), kept for the health
 * cards and failure alerts. A step's call is written with its checkpoint, inside the lease store's
 * transaction (recordProviderCall); the rest goes through this store.
 *
 * Async, so that a network database (PostgreSQL) implements it too; SQLite answers inside the
 * call (the promise is settled when it returns). The pool never awaits `record` from a health
 * probe before acting on the probe's verdict.
 */
export interface ProviderCallStore {
  record(call: ProviderCall): Promise<void>
  statsSince(provider: string, since: number): Promise<CallStats>
  /** The error of the provider's latest failed call since `since`, if any. */
  lastErrorSince(provider: string, since: number): Promise<string | null>
  /** Every provider called since `since`. */
  calledSince(since: number): Promise<string[]>
  recent(provider: string, now?: number): Promise<RecentCalls>
}

export class SqliteProviderCalls implements ProviderCallStore {
  constructor(private readonly db: Db) {}

  async record(call: ProviderCall): Promise<void> {
    recordProviderCall(this.db, call)
  }

  async statsSince(provider: string, since: number): Promise<CallStats> {
    const s = prep<[string, number], { calls: number; ok: number | null; avg: number | null }>(
      this.db,
      'SELECT COUNT(*) AS calls, SUM(ok) AS ok, AVG(CASE WHEN ok = 1 THEN duration_ms END) AS avg FROM provider_calls WHERE provider = ? AND ts >= ?'
    ).get(provider, since)!
    return { calls: s.calls, ok: s.ok ?? 0, avgOkMs: s.avg }
  }

  async lastErrorSince(provider: string, since: number): Promise<string | null> {
    const row = prep<[string, number], { error: string | null }>(
      this.db,
      'SELECT error FROM provider_calls WHERE provider = ? AND ts >= ? AND ok = 0 ORDER BY ts DESC LIMIT 1'
    ).get(provider, since)
    return row?.error ?? null
  }

  async calledSince(since: number): Promise<string[]> {
    return prep<[number], { provider: string }>(this.db, 'SELECT DISTINCT provider FROM provider_calls WHERE ts >= ?')
      .all(since)
      .map((r) => r.provider)
  }

  async recent(provider: string, now = Date.now()): Promise<RecentCalls> {
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

// ---------------------------------------------------------------- a job's totals from its steps

/**
 * A job's cost from its steps' (a subquery on the row of jobs being updated, found by its number). SUM skips the
 * steps whose price is unknown (NULL): the total is then a lower bound, and cost_unknown says so.
 */
export const JOB_COST = '(SELECT COALESCE(SUM(cost_usd), 0) FROM steps WHERE job_seq = jobs.seq)'
export const JOB_COST_UNKNOWN = "EXISTS (SELECT 1 FROM steps WHERE job_seq = jobs.seq AND status = 'completed' AND cost_usd IS NULL)"

/**
 * How long the job's steps ran (the row of jobs being updated): its actual duration. Not the time since it first
 * started, which counts waits for a retry or a provider, and a whole earlier run before a retry:
 * averages, batch ETAs and exports want the work, not the waiting.
 */
export const JOB_RUN_TIME = "(SELECT COALESCE(SUM(duration_ms), 0) FROM steps WHERE job_seq = jobs.seq AND status = 'completed')"

// ---------------------------------------------------------------- spend

/**
 * USD spent by steps finished at or after `since`; only `provider`'s when given. A provider key
 * matches its exact id and every id under it ("openai" matches "openai:gpt-4o-mini"). From the
 * costs stored on finished steps (a step's cost is written once, with its checkpoint, so a step is
 * never counted twice); a fallback's cost counts like any other.
 */
export function spentSince(db: Db, since: number, provider?: string): number {
  const row = provider
    ? prep<[number, string, string], { usd: number | null }>(
        db,
        "SELECT SUM(cost_usd) AS usd FROM steps WHERE status = 'completed' AND completed_at >= ? AND (provider = ? OR provider LIKE ? ESCAPE '\\')"
      ).get(since, provider, `${provider.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`)
    : prep<[number], { usd: number | null }>(db, "SELECT SUM(cost_usd) AS usd FROM steps WHERE status = 'completed' AND completed_at >= ?").get(since)
  return row?.usd ?? 0
}

// ---------------------------------------------------------------- step durations

/** Average duration of each step name over its last `sample` successful runs (fallbacks excluded). */
export function recentStepDurations(db: Db, sample = 20): Map<string, number> {
  const rows = prep<[number], { name: string; avg: number }>(
    db,
    `SELECT name, AVG(duration_ms) AS avg FROM (
       SELECT name, duration_ms, ROW_NUMBER() OVER (PARTITION BY name ORDER BY completed_at DESC) AS rn
       FROM steps WHERE status = 'completed' AND duration_ms IS NOT NULL AND fallback = 0)
     WHERE rn <= ? GROUP BY name`
  ).all(sample)
  return new Map(rows.map((r) => [r.name, r.avg]))
}
