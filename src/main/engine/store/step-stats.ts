import { prep, type Db } from './database'

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
