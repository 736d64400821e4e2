/**
 * The windows open on a farm's queue (migration 6): while one is, the database announces every
 * job status change (a worker's claim, completion…) for the windows to show; while none is, it
 * announces nothing, and the workers' claims pay no NOTIFY. A window refreshes its row now and then
 * (WINDOW_REFRESH_MS) and removes it when it closes; a row older than 90 s no longer counts.
 */
import type { Queryable } from './workers'

/** How often an open window says so: well within the 90 s after which it stops counting. */
export const WINDOW_REFRESH_MS = 30_000

export async function markWindowOpen(db: Queryable, id: string): Promise<void> {
  await db.query('INSERT INTO farm_windows (id, seen_at) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET seen_at = now()', [id])
}

export async function markWindowClosed(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM farm_windows WHERE id = $1', [id])
}

/**
 * Send these notices on the windows' channel, in one statement, only if a window is open (the
 * same test as migration 6's trigger: a row seen within 90 s). With none, nothing is sent and the
 * statement reads one small table. True when they were sent.
 */
export async function notifyWhileWindowOpen(db: Queryable, channel: string, payloads: readonly string[]): Promise<boolean> {
  if (payloads.length === 0) return false
  const { rows } = await db.query(
    `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p
      WHERE EXISTS (SELECT 1 FROM farm_windows WHERE seen_at > now() - interval '90 seconds')`,
    [channel, payloads]
  )
  return rows.length > 0
}
