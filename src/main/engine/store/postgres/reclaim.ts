/**
 * Taking back the jobs of workers that are gone, on the farm: leases that ran out, leases held
 * by a worker whose heartbeat stopped (its row in `workers` is stale: killed, partitioned,
 * paused), and at once the leases of a worker process on this machine that no longer exists.
 * Their jobs go back to the queue and resume at their first unfinished step: steps that were
 * running return to pending, finished ones stay finished (the next claim names the first
 * unfinished step). Each job is taken back only if its fence is still the one seen, so a job
 * claimed again meanwhile is left alone. The fence itself is not raised here: the next claim does.
 */
import { hostname } from 'node:os'
import type pg from 'pg'
import { logEntry } from '../../../../shared/log-lines'
import type { JobView } from '../../../../shared/types'
import { fromDataRelative } from '../../farm/shared-media'
import type { ReclaimOptions } from '../leases'
import type { JobRow } from '../rows'
import { type LogInput } from './fenced'
import { storedLogMessage } from '../job-requests'
import { jobRow } from './job-rows'
import { inPgTransaction, type PgTx } from './transaction'
import { FARM_WAKE_CHANNEL } from './wake'
import { DEFAULT_STALE_AFTER_MS } from './workers'

export interface ReclaimInput extends ReclaimOptions {
  now: number
  /** This worker: its own held jobs are never taken back (see ReclaimOptions.held). */
  owner: string
  dataDir: string
  staleAfterMs?: number | undefined
  announce: (tx: PgTx, row: JobRow) => JobView
  announceLines: (tx: PgTx, jobId: string, ts: number, lines: readonly LogInput[], ids: readonly number[]) => void
}

interface Candidate {
  id: string
  seq: string
  lease_owner: string | null
  lease_fence: string
  lease_expires_at: string | null
  current_step: string | null
  host: string | null
  pid: number | null
  heartbeat_at: string | null
}

/** A worker process on this machine that is no longer running. */
function deadHere(host: string | null, pid: number | null): boolean {
  if (host !== hostname() || !pid || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

export async function reclaimAbandoned(pool: pg.Pool, o: ReclaimInput): Promise<string[]> {
  const staleBefore = o.now - (o.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)
  const { rows } = await pool.query<Candidate>(
    `SELECT j.id, j.seq, j.lease_owner, j.lease_fence, j.lease_expires_at, j.current_step, w.host, w.pid, w.heartbeat_at
       FROM jobs j LEFT JOIN workers w ON w.id = j.lease_owner
      WHERE j.status = 'processing' AND (j.lease_expires_at < $1 OR w.heartbeat_at < $2 OR w.host = $3)`,
    [o.now, staleBefore, hostname()]
  )
  const candidates = rows
    .map((r) => ({ ...r, ownerDead: deadHere(r.host, r.pid) }))
    .filter((r) => Number(r.lease_expires_at ?? 0) < o.now || (r.heartbeat_at !== null && Number(r.heartbeat_at) < staleBefore) || r.ownerDead)
    .filter((r) => !(r.lease_owner === o.owner && o.held?.(r.id)))
  if (candidates.length === 0) return []
  const byId = new Map(candidates.map((c) => [c.id, c]))
  const abandonedWork: string[] = []
  const reclaimed = await inPgTransaction(pool, async (tx) => {
    const back = await tx.query(
      `UPDATE jobs j SET status = 'pending', current_step = NULL, run_after = 0, lease_token = NULL, lease_owner = NULL,
              lease_expires_at = NULL, updated_at = $1
         FROM unnest($2::text[], $3::bigint[]) AS c(id, fence)
        WHERE j.id = c.id AND j.lease_fence = c.fence AND j.status = 'processing'
       RETURNING j.*`,
      [o.now, candidates.map((c) => c.id), candidates.map((c) => c.lease_fence)]
    )
    const ids = back.rows.map((r) => r.id as string)
    if (ids.length === 0) return []
    const running = await tx.query<{ job_id: string; work_dir: string | null }>(
      `UPDATE steps SET status = 'pending', progress = 0 WHERE job_id = ANY($1::text[]) AND status = 'running' RETURNING job_id, work_dir`,
      [ids]
    )
    for (const s of running.rows) {
      if (s.work_dir && byId.get(s.job_id)?.ownerDead) abandonedWork.push(fromDataRelative(o.dataDir, s.work_dir))
    }
    const lines = ids.map((id) => {
      const c = byId.get(id)!
      const line: LogInput = { level: 'warn', message: logEntry('workerLost', { worker: c.lease_owner ?? '?', step: c.current_step ?? 'a step' }), step: c.current_step }
      return { c, line, stored: storedLogMessage(line.message) }
    })
    const logged = await tx.query<{ id: string; job_id: string }>(
      `INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params)
       SELECT v.seq, v.id, $1, 'warn', v.step, v.message, v.code, v.params
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS v(seq, id, step, message, code, params)
       RETURNING id, job_id`,
      [
        o.now,
        lines.map((l) => l.c.seq),
        lines.map((l) => l.c.id),
        lines.map((l) => l.c.current_step),
        lines.map((l) => l.stored.text),
        lines.map((l) => l.stored.code),
        lines.map((l) => l.stored.params)
      ]
    )
    const lineIds = new Map(logged.rows.map((r) => [r.job_id, Number(r.id)]))
    for (const l of lines) o.announceLines(tx, l.c.id, o.now, [l.line], [lineIds.get(l.c.id) ?? 0])
    await tx.query('SELECT pg_notify($1, $2)', [FARM_WAKE_CHANNEL, 'jobs'])
    for (const r of back.rows) o.announce(tx, jobRow(r))
    return ids
  })
  if (abandonedWork.length) o.onAbandonedWork?.(abandonedWork)
  return reclaimed
}
