/**
 * Money spent, from the costs stored on finished steps (a step's cost is written once, with its
 * checkpoint, so a step is never counted twice). A fallback's cost counts like any other.
 */
import { prep, type Db } from './database'

/**
 * USD spent by steps finished at or after `since`; only `provider`'s when given. A provider key
 * matches its exact id and every id under it ("openai" matches "openai:gpt-4o-mini").
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
