/**
 * What a farm can run at once, for an estimate of a batch on it (engine/batch/farm-estimate.ts):
 * the steps its live workers run at the same time. Each worker stores its slots with its
 * capabilities when it registers (workers.ts); a worker registered without them counts as one.
 */
import type { Queryable } from './workers'

/** Total slots of the workers whose heartbeat is fresh and which are not leaving (as liveWorkerCount counts them). */
export async function liveWorkerSlots(db: Queryable, now: number, staleAfterMs: number): Promise<{ workers: number; slots: number }> {
  const { rows } = await db.query<{ workers: number; slots: number }>(
    `SELECT count(*)::int AS workers,
            coalesce(sum(CASE WHEN jsonb_typeof(capabilities->'slots') = 'number' THEN greatest(1, floor((capabilities->>'slots')::numeric)) ELSE 1 END), 0)::int AS slots
       FROM workers WHERE heartbeat_at >= $1 AND NOT stopping`,
    [now - staleAfterMs]
  )
  return rows[0]!
}
