/**
 * Claims and leases on the farm's queue: the SQL the PostgreSQL backend's lease store runs.
 *
 * A claim takes the next pending job in queue order (priority, the user's manual order, then FIFO)
 * among those whose next step this worker can run, with FOR UPDATE SKIP LOCKED: workers claiming
 * at the same moment each lock a different row instead of queueing behind one. Every claim raises
 * the job's fencing token (lease_fence); every later write of the worker names the token it claimed
 * with, so a worker whose lease expired and was taken over (SIGSTOPped, partitioned) writes nothing
 * even if it wakes up believing it still holds the job. Unlike the random lease token, the fence
 * only grows: it also orders the holders, which the farm's log and tests read.
 */
import { randomUUID } from 'node:crypto'
import type { Queryable } from './workers'

export interface FarmLease {
  jobId: string
  seq: number
  owner: string
  token: string
  fence: number
  expiresAt: number
}

export interface ClaimOptions {
  workerId: string
  /** What this worker can run (capabilities.has): only jobs whose next_needs are a subset are taken. */
  has: readonly string[]
  leaseMs: number
  now?: number
}

/** Take the next job this worker can run, or null when none is ready. */
export async function claimNext(db: Queryable, o: ClaimOptions): Promise<FarmLease | null> {
  const now = o.now ?? Date.now()
  const token = randomUUID()
  const { rows } = await db.query<{ id: string; seq: string; lease_fence: string; lease_expires_at: string }>(
    `WITH next AS (
       SELECT id FROM jobs
        WHERE status = 'pending' AND run_after <= $1 AND next_needs <@ $2::text[]
        ORDER BY priority, position, seq
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
     UPDATE jobs j SET status = 'processing', lease_owner = $3, lease_token = $4, lease_expires_at = $1 + $5::bigint,
            lease_fence = j.lease_fence + 1, started_at = COALESCE(j.started_at, $1), waiting_reason = NULL,
            waiting_provider = NULL, updated_at = $1,
            current_step = (SELECT s.name FROM steps s WHERE s.job_id = j.id AND s.status <> 'completed' ORDER BY s.idx LIMIT 1)
       FROM next WHERE j.id = next.id
     RETURNING j.id, j.seq, j.lease_fence, j.lease_expires_at`,
    [now, o.has, o.workerId, token, o.leaseMs]
  )
  const r = rows[0]
  if (!r) return null
  return { jobId: r.id, seq: Number(r.seq), owner: o.workerId, token, fence: Number(r.lease_fence), expiresAt: Number(r.lease_expires_at) }
}

/** Extend a lease; false means it is gone (expired and taken, cancelled) and the worker must stop. */
export async function renewLease(db: Queryable, lease: FarmLease, leaseMs: number, now = Date.now()): Promise<boolean> {
  const r = await db.query(
    `UPDATE jobs SET lease_expires_at = $3 WHERE id = $1 AND lease_fence = $2 AND status = 'processing'`,
    [lease.jobId, lease.fence, now + leaseMs]
  )
  if (r.rowCount === 1) lease.expiresAt = now + leaseMs
  return r.rowCount === 1
}

/**
 * Give back the jobs whose lease ran out (their worker died or stalled), to be claimed again from
 * their first unfinished step. Returns their ids. Their fence stays: the next claim raises it.
 */
export async function releaseExpired(db: Queryable, now = Date.now()): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE jobs SET status = 'pending', lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = $1
      WHERE status = 'processing' AND lease_expires_at < $1
     RETURNING id`,
    [now]
  )
  return rows.map((r) => r.id)
}

/**
 * Finish a job this worker holds, fenced: false (and nothing written) when the lease is no longer
 * this worker's. The backend's checkpoint writes take the same WHERE clause.
 */
export async function completeFenced(db: Queryable, lease: FarmLease, result: string, now = Date.now()): Promise<boolean> {
  const r = await db.query(
    `UPDATE jobs SET status = 'completed', result = $3, progress = 100, completed_at = $4, updated_at = $4,
            lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, current_step = NULL
      WHERE id = $1 AND lease_fence = $2 AND status = 'processing'`,
    [lease.jobId, lease.fence, result, now]
  )
  return r.rowCount === 1
}
