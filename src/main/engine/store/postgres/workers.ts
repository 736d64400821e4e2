/**
 * The farm's register of workers: each machine's row (who, where, what it can run), renewed by a
 * heartbeat, and what `studio farm status` shows from it. Which pending jobs no live worker can
 * run is answered here too, so the UI can say "nobody can run this" instead of waiting silently.
 */
import type pg from 'pg'
import type { WorkerCapabilities } from '../../farm/capabilities'
import type { FarmWorkerView } from '../../../../shared/farm'

/** A pg.Client or pg.Pool: anything that runs a query. */
export type Queryable = Pick<pg.Pool, 'query'>

/** A worker whose heartbeat is older than this is counted as gone. Three missed beats of the default 5 s. */
export const DEFAULT_STALE_AFTER_MS = 15_000

export interface WorkerRegistration {
  id: string
  pid: number
  version: string
  capabilities: WorkerCapabilities
  /** Steps it runs at once: the farm's capacity for an estimate (stored with the capabilities, read by farm-capacity.ts). */
  slots?: number
}

export async function registerWorker(db: Queryable, w: WorkerRegistration, now = Date.now()): Promise<void> {
  await db.query(
    `INSERT INTO workers (id, host, pid, version, capabilities, has, started_at, heartbeat_at, stopping)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, FALSE)
     ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version,
       capabilities = excluded.capabilities, has = excluded.has, started_at = excluded.started_at,
       heartbeat_at = excluded.heartbeat_at, stopping = FALSE`,
    [w.id, w.capabilities.host, w.pid, w.version, JSON.stringify(w.slots ? { ...w.capabilities, slots: w.slots } : w.capabilities), w.capabilities.has, now]
  )
}

/** Renew a worker's heartbeat; false when its row is gone (removed by an operator): the worker should stop. */
export async function heartbeat(db: Queryable, id: string, now = Date.now()): Promise<boolean> {
  const r = await db.query('UPDATE workers SET heartbeat_at = GREATEST(heartbeat_at, $2) WHERE id = $1', [id, now])
  return r.rowCount === 1
}

/** A worker leaving cleanly: it stays listed (as stopping) until its heartbeat goes stale. */
export async function markStopping(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE workers SET stopping = TRUE WHERE id = $1', [id])
}

/** A worker as `farm status` and the window show it (the contract's type). */
export type WorkerView = FarmWorkerView

export async function listWorkers(db: Queryable, now = Date.now(), staleAfterMs = DEFAULT_STALE_AFTER_MS): Promise<WorkerView[]> {
  const { rows } = await db.query<{
    id: string; host: string; pid: number; version: string; has: string[]; stopping: boolean; heartbeat_at: string
    running: Array<{ jobId: string; title: string; step: string | null }> | null
  }>(
    `SELECT w.id, w.host, w.pid, w.version, w.has, w.stopping, w.heartbeat_at,
            (SELECT json_agg(json_build_object('jobId', j.id, 'title', j.title, 'step', j.current_step) ORDER BY j.started_at)
               FROM jobs j WHERE j.status = 'processing' AND j.lease_owner = w.id) AS running
       FROM workers w ORDER BY w.host, w.id`
  )
  return rows.map((r) => {
    const seen = Number(r.heartbeat_at)
    return {
      id: r.id,
      host: r.host,
      pid: r.pid,
      version: r.version,
      has: r.has,
      alive: now - seen <= staleAfterMs,
      stopping: r.stopping,
      lastSeenMsAgo: Math.max(0, now - seen),
      running: r.running ?? []
    }
  })
}

export interface UnrunnableGroup {
  /** What the next step of these jobs needs. */
  needs: string[]
  jobs: number
}

/** Pending jobs whose next step no live worker can run, grouped by what they need. */
export async function unrunnableJobs(db: Queryable, now = Date.now(), staleAfterMs = DEFAULT_STALE_AFTER_MS): Promise<UnrunnableGroup[]> {
  const { rows } = await db.query<{ needs: string[]; jobs: number }>(
    `SELECT j.next_needs AS needs, count(*)::int AS jobs
       FROM jobs j
      WHERE j.status = 'pending'
        AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.heartbeat_at >= $1 AND NOT w.stopping AND j.next_needs <@ w.has)
      GROUP BY j.next_needs ORDER BY count(*) DESC, j.next_needs`,
    [now - staleAfterMs]
  )
  return rows
}
