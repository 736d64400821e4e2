/**
 * Farm-wide resource limits: the SQL. A provider's limit ("5 at a time, 2 s apart") is the
 * provider's, whoever calls, so a resource with a lane here is limited across every worker of the
 * farm; a resource without one keeps each worker's own limits (pool/resource-limiter.ts).
 *
 * A slot is a row naming the job's lease that took it (fence and token) and the step it is for.
 * It counts only while that lease is live and the step not completed: a worker killed, SIGSTOPped
 * or cut off holds nothing once its lease runs out (the next take deletes its rows), and no sweep
 * is needed for the limit to hold. The holder deletes its slot when the step's call is over.
 *
 * Spacing is granted at the start itself: a take succeeds only when the lane's next_start_at has
 * passed on the database's clock (the one clock the farm shares), and moves it one interval past
 * now. Reserving start times ahead (next = greatest(now, next) + interval, then sleeping until
 * one's turn) would let a worker whose timer fires late (a loaded machine) call right before the
 * next holder's on-time turn; here a late waker only starts later.
 *
 * A take serialises on its lane's row (FOR UPDATE), then counts the live slots in a statement of
 * its own: under READ COMMITTED each statement sees what committed before it began, so it sees
 * the slot a take that held the lock before it inserted.
 */
import type pg from 'pg'
import { inPgTransaction } from './transaction'
import { FARM_WAKE_CHANNEL } from './wake'
import type { Queryable } from './workers'

export interface FarmLimit {
  resource: string
  /** Steps of this resource running at once across the farm. */
  concurrency: number
  /** Minimum spacing between two starts across the farm. */
  minIntervalMs: number
}

export interface FarmLaneUsage extends FarmLimit {
  /** Slots live now, farm-wide. */
  running: number
}

/** The lease a slot is held by: the job's fence and token as its claim set them, and the step. */
export interface SlotHolder {
  jobId: string
  fence: number
  token: string
  stepIndex: number
  workerId: string
}

export type TakeOutcome =
  | { taken: true; slotId: number }
  /** `full`: every slot is held (ask again when one is released); `spacing`: not before `retryInMs`. */
  | { taken: false; why: 'full' | 'spacing'; retryInMs: number }
  /** The lane is gone (its limit cleared meanwhile): the worker's own limits apply. */
  | { taken: false; why: 'no-lane'; retryInMs: 0 }
  /** The holder's lease is no longer live (taken over, expired): its job is no longer this worker's to run. */
  | { taken: false; why: 'lost'; retryInMs: 0 }

/** The payload of a wake-up about lanes: `lanes:<resource>` (a slot freed), `limits` (the set changed). */
export const LANES_WAKE_PREFIX = 'lanes:'
export const LIMITS_WAKE = 'limits'

const RESOURCE = /^[a-z][a-z0-9_-]{0,39}$/

/** Checks a limit before it is written, naming the field (the CLI names its option instead). */
export function checkFarmLimit(l: FarmLimit): string | null {
  if (!RESOURCE.test(l.resource)) return `resource: a lower-case name of up to 40 letters, digits, "-" or "_" (got ${JSON.stringify(l.resource)})`
  if (!Number.isInteger(l.concurrency) || l.concurrency < 1 || l.concurrency > 1000) return `concurrency: a whole number from 1 to 1000 (got ${l.concurrency})`
  if (!Number.isInteger(l.minIntervalMs) || l.minIntervalMs < 0 || l.minIntervalMs > 86_400_000) return `minIntervalMs: a whole number of ms from 0 to 86400000 (got ${l.minIntervalMs})`
  return null
}

/** A slot alive at the time in parameter `now` (the caller's clock, as leases are written and reclaimed with). */
const live = (now: string) => `EXISTS (
  SELECT 1 FROM jobs j JOIN steps st ON st.job_id = j.id AND st.idx = s.step_idx
   WHERE j.id = s.job_id AND j.lease_fence = s.fence AND j.lease_token = s.token
     AND j.status = 'processing' AND j.lease_expires_at > ${now} AND st.status <> 'completed')`

const DB_NOW = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`

/** Whether the farm's schema has lanes (a farm not yet migrated to them has none). */
export async function hasLanesTable(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(`SELECT to_regclass('resource_lanes') IS NOT NULL AS ok`)
  return rows[0]?.ok === true
}

/** The farm's limits, by resource name. */
export async function readFarmLimits(db: Queryable): Promise<FarmLimit[]> {
  const { rows } = await db.query<{ resource: string; concurrency: number; min_interval_ms: string }>(
    'SELECT resource, concurrency, min_interval_ms FROM resource_lanes ORDER BY resource'
  )
  return rows.map((r) => ({ resource: r.resource, concurrency: r.concurrency, minIntervalMs: Number(r.min_interval_ms) }))
}

/** The farm's limits with the slots live in each now. */
export async function farmLaneUsage(db: Queryable, now = Date.now()): Promise<FarmLaneUsage[]> {
  const { rows } = await db.query<{ resource: string; concurrency: number; min_interval_ms: string; running: number }>(
    `SELECT l.resource, l.concurrency, l.min_interval_ms,
            (SELECT count(*)::int FROM resource_slots s WHERE s.resource = l.resource AND ${live('$1')}) AS running
       FROM resource_lanes l ORDER BY l.resource`,
    [now]
  )
  return rows.map((r) => ({ resource: r.resource, concurrency: r.concurrency, minIntervalMs: Number(r.min_interval_ms), running: r.running }))
}

/**
 * Set some lanes and clear others, in one statement; every worker hears of it (a wake-up with
 * `limits`). A lane set again keeps its spacing; a cleared one's resource goes back to each
 * worker's own limits (its slots stop counting). Returns the limits as they are after.
 */
export async function changeFarmLimits(db: Queryable, change: { set: readonly FarmLimit[]; clear: readonly string[] }, now = Date.now()): Promise<FarmLimit[]> {
  for (const l of change.set) {
    const bad = checkFarmLimit(l)
    if (bad) throw new Error(`${l.resource}: ${bad}`)
  }
  // One row per resource (the last given wins): an upsert may not touch a row twice.
  const set = [...new Map(change.set.map((l) => [l.resource, l])).values()]
  await db.query(
    `WITH set AS (
       INSERT INTO resource_lanes (resource, concurrency, min_interval_ms, updated_at)
       SELECT r, c, i, $5 FROM unnest($1::text[], $2::int[], $3::bigint[]) AS l(r, c, i)
       ON CONFLICT (resource) DO UPDATE SET concurrency = EXCLUDED.concurrency, min_interval_ms = EXCLUDED.min_interval_ms, updated_at = EXCLUDED.updated_at),
     cleared AS (DELETE FROM resource_lanes WHERE resource = ANY($4::text[]) AND resource <> ALL($1::text[]))
     SELECT pg_notify($6, $7)`,
    [set.map((l) => l.resource), set.map((l) => l.concurrency), set.map((l) => l.minIntervalMs), [...change.clear], now, FARM_WAKE_CHANNEL, LIMITS_WAKE]
  )
  return readFarmLimits(db)
}

/**
 * Take a slot of `resource` for the holder's step, if the lane has one free and its spacing has
 * passed. Otherwise how long to wait: until the spacing has passed, or (full) until the soonest
 * live lease runs out — a slot's release wakes waiters sooner (`lanes:<resource>`).
 */
export async function takeSlot(pool: pg.Pool, resource: string, holder: SlotHolder, now = Date.now()): Promise<TakeOutcome> {
  // Not waiting for the disk: a take lost to a crash only frees its slot, as a lapsed lease does.
  return inPgTransaction(
    pool,
    async (tx): Promise<TakeOutcome> => {
      const lane = await tx.query<{ concurrency: number; next_start_at: string }>(
        'SELECT concurrency, next_start_at FROM resource_lanes WHERE resource = $1 FOR UPDATE',
        [resource]
      )
      const l = lane.rows[0]
      if (!l) return { taken: false, why: 'no-lane', retryInMs: 0 }
      // The clock is read here, once the lane is locked (a take that waited for the lock reads it late).
      const held = await tx.query<{ n: number; soonest: string | null; db_now: string; mine: boolean }>(
        `WITH gone AS (DELETE FROM resource_slots s WHERE s.resource = $1 AND NOT ${live('$2')})
         SELECT count(*)::int AS n, min(j.lease_expires_at) AS soonest, ${DB_NOW} AS db_now,
                EXISTS (SELECT 1 FROM jobs h WHERE h.id = $3 AND h.lease_fence = $4 AND h.lease_token = $5
                           AND h.status = 'processing' AND h.lease_expires_at > $2) AS mine
           FROM resource_slots s JOIN jobs j ON j.id = s.job_id
          WHERE s.resource = $1 AND ${live('$2')}`,
        [resource, now, holder.jobId, holder.fence, holder.token]
      )
      const { n, soonest, mine } = held.rows[0]!
      // A lease lost meanwhile (taken over, expired) takes nothing, and spends no one's spacing.
      if (!mine) return { taken: false, why: 'lost', retryInMs: 0 }
      if (n >= l.concurrency) return { taken: false, why: 'full', retryInMs: Math.max(1, (soonest === null ? now : Number(soonest)) - now) }
      const dbNow = Number(held.rows[0]!.db_now)
      const next = Number(l.next_start_at)
      if (dbNow < next) return { taken: false, why: 'spacing', retryInMs: next - dbNow }
      const slot = await tx.query<{ id: string }>(
        `WITH lane AS (UPDATE resource_lanes SET next_start_at = ${DB_NOW} + min_interval_ms WHERE resource = $1)
         INSERT INTO resource_slots (resource, job_id, step_idx, fence, token, worker_id, taken_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [resource, holder.jobId, holder.stepIndex, holder.fence, holder.token, holder.workerId, now]
      )
      return { taken: true, slotId: Number(slot.rows[0]!.id) }
    },
    { durable: false }
  )
}

/** The step's call is over: its slot is free, and every worker hears so (`lanes:<resource>`). */
export async function releaseSlot(db: Queryable, resource: string, slotId: number): Promise<void> {
  await db.query(`WITH gone AS (DELETE FROM resource_slots WHERE id = $1) SELECT pg_notify($2, $3)`, [slotId, FARM_WAKE_CHANNEL, LANES_WAKE_PREFIX + resource])
}
