/**
 * Provider calls on the farm (store/provider-calls.ts's role, async): every call any machine made,
 * which the health cards, the circuit breakers and the farm-wide limits read. A step's call is
 * written with its checkpoint, in the lease store's fenced statement (fenced.ts), so a stalled
 * worker's late call is never counted; the pool's health probes go through `record`. Spend and
 * step durations are read from the finished steps, as on SQLite.
 */
import type pg from 'pg'
import type { CallStats, ProviderCall, ProviderCallStore, RecentCalls } from '../provider-calls'
import type { Queryable } from './workers'

/** The same window as on SQLite (provider-calls.ts), which this module does not load: it opens better-sqlite3. */
export const RECENT_CALLS = 20
export const RECENT_MS = 3600_000

export class PgProviderCalls implements ProviderCallStore {
  /** `worker`: stored with each call, for `studio farm status` and the log. */
  constructor(private readonly db: Queryable | pg.Pool, private readonly worker: string | null = null) {}

  async record(call: ProviderCall): Promise<void> {
    await this.db.query('INSERT INTO provider_calls (provider, ts, ok, duration_ms, error, worker_id) VALUES ($1, $2, $3, $4, $5, $6)', [
      call.provider,
      call.ts,
      call.ok,
      Math.round(call.durationMs),
      call.error,
      this.worker
    ])
  }

  async statsSince(provider: string, since: number): Promise<CallStats> {
    const { rows } = await this.db.query<{ calls: number; ok: number; avg: number | null }>(
      `SELECT count(*)::int AS calls, count(*) FILTER (WHERE ok)::int AS ok, avg(duration_ms) FILTER (WHERE ok)::float8 AS avg
         FROM provider_calls WHERE provider = $1 AND ts >= $2`,
      [provider, since]
    )
    const s = rows[0]!
    return { calls: s.calls, ok: s.ok, avgOkMs: s.avg }
  }

  /** The error of the provider's latest failed call since `since`, if any. */
  async lastErrorSince(provider: string, since: number): Promise<string | null> {
    const { rows } = await this.db.query<{ error: string | null }>(
      'SELECT error FROM provider_calls WHERE provider = $1 AND ts >= $2 AND NOT ok ORDER BY ts DESC, id DESC LIMIT 1',
      [provider, since]
    )
    return rows[0]?.error ?? null
  }

  /** Every provider called since `since`. */
  async calledSince(since: number): Promise<string[]> {
    const { rows } = await this.db.query<{ provider: string }>('SELECT DISTINCT provider FROM provider_calls WHERE ts >= $1 ORDER BY provider', [since])
    return rows.map((r) => r.provider)
  }

  /** The provider's last RECENT_CALLS calls within RECENT_MS, from every machine of the farm. */
  async recent(provider: string, now = Date.now()): Promise<RecentCalls> {
    const { rows } = await this.db.query<{ ok: boolean; ts: string }>(
      'SELECT ok, ts FROM provider_calls WHERE provider = $1 AND ts >= $2 ORDER BY ts DESC, id DESC LIMIT $3',
      [provider, now - RECENT_MS, RECENT_CALLS]
    )
    const failed = rows.filter((r) => !r.ok).length
    return {
      recentCalls: rows.length,
      recentFailureRate: rows.length ? failed / rows.length : null,
      lastCallAt: rows[0] ? Number(rows[0].ts) : null
    }
  }

  /**
   * USD spent by steps finished at or after `since`; only `provider`'s when given (its exact id and
   * every id under it: "openai" matches "openai:gpt-4o-mini"), as spentSince on SQLite.
   */
  async spentSince(since: number, provider?: string): Promise<number> {
    const { rows } = provider
      ? await this.db.query<{ usd: number | null }>(
          `SELECT sum(cost_usd)::float8 AS usd FROM steps
            WHERE status = 'completed' AND completed_at >= $1 AND (provider = $2 OR provider LIKE $3 ESCAPE '\\')`,
          [since, provider, `${provider.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`]
        )
      : await this.db.query<{ usd: number | null }>(`SELECT sum(cost_usd)::float8 AS usd FROM steps WHERE status = 'completed' AND completed_at >= $1`, [since])
    return rows[0]?.usd ?? 0
  }

  /** Average duration of each step name over its last `sample` successful runs (fallbacks excluded). */
  async recentStepDurations(sample = 20): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ name: string; avg: number }>(
      `SELECT name, avg(duration_ms)::float8 AS avg FROM (
         SELECT name, duration_ms, row_number() OVER (PARTITION BY name ORDER BY completed_at DESC) AS rn
           FROM steps WHERE status = 'completed' AND duration_ms IS NOT NULL AND NOT fallback) t
        WHERE rn <= $1 GROUP BY name`,
      [sample]
    )
    return new Map(rows.map((r) => [r.name, r.avg]))
  }
}
