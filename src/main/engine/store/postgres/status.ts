/**
 * The farm's reads for `studio farm status` and a worker's preflight: one short-lived connection
 * per call (status is asked rarely; workers keep their own pool).
 */
import type pg from 'pg'

export async function schemaVersion(c: pg.Client): Promise<number | null> {
  const exists = await c.query(`SELECT to_regclass('farm_migrations') IS NOT NULL AS ok`)
  if (!exists.rows[0]?.ok) return null
  const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM farm_migrations')
  return rows[0]?.v ?? null
}

/** How many jobs are in each status. */
export async function jobCountsByStatus(c: pg.Client): Promise<Map<string, number>> {
  const { rows } = await c.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM jobs GROUP BY status')
  return new Map(rows.map((r) => [r.status, r.n]))
}
