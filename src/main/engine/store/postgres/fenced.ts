/**
 * A fenced worker write on the farm, as one statement: the job's row is updated (or, for a write
 * that changes only other tables, locked for share) WHERE its fence is still the one this worker
 * claimed with, and every other change — the step, log lines, a provider call, a wake-up for idle
 * workers — hangs off that row in the same statement (data-modifying CTEs, each of which selects
 * FROM the fenced row). A worker whose lease was taken over matches no row: nothing at all is
 * written, and the caller gets null. One statement is one round trip and is atomic by itself; in a
 * group commit's transaction it is simply one more statement.
 *
 * Locking: the job's UPDATE (or FOR SHARE) waits for a claim or takeover in progress on that row
 * and then checks the fence against the committed row, so a write can never slip in between a
 * takeover's check and its commit.
 */
import type { LogLine } from '../../../../shared/types'
import { logText } from '../../../../shared/log-lines'
import type { LogMessage } from '../jobs'
import { FARM_WAKE_CHANNEL } from './wake'
import type { PgTx } from './transaction'
import { storedLogMessage } from '../job-requests'

/** Positional parameters with their types, so PostgreSQL never has to guess one. */
export class Params {
  readonly values: unknown[] = []
  $(value: unknown, type: string): string {
    this.values.push(value)
    return `$${this.values.length}::${type}`
  }
}

export interface LogInput {
  level: LogLine['level']
  message: LogMessage
  step: string | null
}

/** The announced form of a stored line. */
export function announcedLine(id: number, jobId: string, ts: number, line: LogInput): LogLine {
  const { level, step, message } = line
  return typeof message === 'string'
    ? { id, jobId, ts, level, step, message, code: null, params: null }
    : { id, jobId, ts, level, step, message: logText(message.code, message.params), code: message.code, params: message.params }
}

export interface FencedWrite {
  jobId: string
  /** The lease's fence and token, as claimed: both must still be the job's (see PgLease). */
  fence: number
  token: string
  now: number
  /**
   * The SET list for the job's row (built with `q`); `updated_at` is added. Null: the job's row
   * is only checked (and locked for share), not changed.
   */
  jobSet: ((q: Params) => string) | null
  /** UPDATE statements on steps, each given `q` and the fenced job's id as SQL (`(SELECT id FROM j)`). */
  steps?: Array<(q: Params, jobId: string) => string>
  logs?: LogInput[]
  call?: { provider: string; ok: boolean; durationMs: number; error: string | null; worker: string }
  /** Wake idle workers if the job is pending after this write (it went back to the queue). */
  wake?: boolean
}

export interface FencedResult {
  /** The job's row as committed (row_to_json of `RETURNING *`: bigints as numbers), or its id, seq and status alone when only checked. */
  row: Record<string, unknown>
  logIds: number[]
}

/** Run a fenced write as one statement; null when the fence no longer holds (nothing written). */
export async function runFenced(tx: PgTx, w: FencedWrite): Promise<FencedResult | null> {
  const q = new Params()
  const { rows } = await tx.query(fencedStatement(w, q), q.values)
  return fencedResult(rows)
}

/** The fenced write's statement, its values given to `q`. */
export function fencedStatement(w: FencedWrite, q: Params): string {
  const id = q.$(w.jobId, 'text')
  const fence = q.$(w.fence, 'bigint')
  const token = q.$(w.token, 'text')
  const now = q.$(w.now, 'bigint')
  const ctes: string[] = [
    w.jobSet
      ? `j AS (UPDATE jobs SET ${w.jobSet(q)}, updated_at = ${now}
                WHERE id = ${id} AND lease_fence = ${fence} AND lease_token = ${token} AND status = 'processing' RETURNING *)`
      : `j AS (SELECT id, seq, status FROM jobs WHERE id = ${id} AND lease_fence = ${fence} AND lease_token = ${token} AND status = 'processing' FOR SHARE)`
  ]
  ;(w.steps ?? []).forEach((s, i) => ctes.push(`s${i} AS (${s(q, '(SELECT id FROM j)')})`))
  const logs = w.logs ?? []
  if (logs.length) {
    const stored = logs.map((l) => storedLogMessage(l.message))
    ctes.push(
      `l AS (INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params)
             SELECT j.seq, j.id, ${now}, v.level, v.step, v.message, v.code, v.params
               FROM j, unnest(${q.$(logs.map((l) => l.level), 'text[]')}, ${q.$(logs.map((l) => l.step), 'text[]')},
                              ${q.$(stored.map((s) => s.text), 'text[]')}, ${q.$(stored.map((s) => s.code), 'text[]')},
                              ${q.$(stored.map((s) => s.params), 'text[]')}) WITH ORDINALITY AS v(level, step, message, code, params, ord)
              ORDER BY v.ord
             RETURNING id)`
    )
  }
  if (w.call) {
    const c = w.call
    ctes.push(
      `c AS (INSERT INTO provider_calls (provider, ts, ok, duration_ms, error, worker_id)
             SELECT ${q.$(c.provider, 'text')}, ${now}, ${q.$(c.ok, 'boolean')}, ${q.$(Math.round(c.durationMs), 'bigint')},
                    ${q.$(c.error, 'text')}, ${q.$(c.worker, 'text')} FROM j)`
    )
  }
  const logIds = logs.length ? '(SELECT array_agg(id ORDER BY id) FROM l)' : 'NULL::bigint[]'
  const wake = w.wake ? `, CASE WHEN j.status = 'pending' THEN pg_notify('${FARM_WAKE_CHANNEL}', 'jobs') END AS woke` : ''
  // The row as one JSON value (as the claim returns it): one column for the driver to describe and
  // parse, where the row's 37 each went through a parser of their own (about 25 µs a job).
  return `WITH ${ctes.join(',\n')}\nSELECT row_to_json(j) AS job_, ${logIds} AS log_ids_${wake} FROM j`
}

/** What a fenced write's statement returned: its row, or null when the fence no longer held. */
export function fencedResult(rows: readonly unknown[]): FencedResult | null {
  const out = rows[0] as { job_: Record<string, unknown>; log_ids_: Array<string | number> | null } | undefined
  if (!out) return null
  return { row: out.job_, logIds: (out.log_ids_ ?? []).map(Number) }
}
