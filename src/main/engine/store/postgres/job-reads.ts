/**
 * The farm job store's reads: a job with its steps, the list in the order a person reads a render
 * queue, log lines, statistics. Each answers what the SQLite store answers for the same rows
 * (store/jobs.ts); the semantics tests (tests/farm/job-store-semantics.test.ts) hold them together.
 */
import { JobFilter } from '../../../../shared/schemas'
import { SHORT_ID_LENGTH, SHORT_ID_START } from '../../../../shared/job-id'
import { JOB_STATUSES, type JobDetail, type JobStatus, type JobView, type LogLine, type QueueStats } from '../../../../shared/types'
import { QueueError } from '../../errors'
import { parseOrRefuse } from '../job-requests'
import { logLine, type JobRow, type StepRow } from '../rows'
import { JOB_COLUMNS, jobRow, localJobDetail, localJobView, logRow, stepRow } from './job-rows'
import type pg from 'pg'

export const QUEUE_PAUSED_KEY = 'queue.paused'

/** SQL: the row's id is time-ordered (shared/job-id.ts isTimeOrderedJobId), its short id its end. */
const TIME_ORDERED_ID = "(length(id) = 36 AND substr(id, 15, 1) = '7' AND substr(id, 9, 1) = '-')"

/** SQL: `text` (a parameter, lower case) starts the id or, for a time-ordered id, its short id (shared/job-id.ts). */
const idStartsWith = (text: string) =>
  `(left(id, length(${text})) = ${text} OR (length(${text}) <= ${SHORT_ID_LENGTH} AND ${TIME_ORDERED_ID} AND substr(id, ${SHORT_ID_START + 1}, length(${text})) = ${text}))`

/** What runs a statement: the pool, a client, or a transaction of the job store (JobTx). */
export interface JobSql {
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>
}

export async function jobRowById(db: JobSql, id: string, lock = false): Promise<JobRow | undefined> {
  const { rows } = await db.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])
  return rows[0] ? jobRow(rows[0]) : undefined
}

/**
 * A job by id, or by a unique prefix of its id or of its short id (as git does), or a clear error. `lock` takes the row for the
 * caller's transaction (FOR UPDATE): a claim, which skips locked rows, cannot take it meanwhile,
 * and the status the caller checks is the one it changes.
 */
export async function requireJobRow(db: JobSql, id: string, lock = false): Promise<JobRow> {
  const exact = await jobRowById(db, id, lock)
  if (exact) return exact
  if (id.length >= 4) {
    // Compared as characters, never as a LIKE pattern: `%` and `_` are not wildcards in an id.
    const prefix = id.toLowerCase()
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM jobs WHERE ${idStartsWith('$1')} LIMIT 2`, [prefix])
    if (rows.length > 1) throw new QueueError('ambiguous', `more than one job id starts with ${id}; give more characters`)
    const found = rows[0] && (await jobRowById(db, rows[0].id, lock))
    if (found) return found
  }
  const hint = id.length < 4 ? ' (a short id needs at least 4 of its characters)' : ''
  throw new QueueError('not_found', `no job with id ${id}${hint}`)
}

export async function stepRowsOf(db: JobSql, job: JobRow): Promise<StepRow[]> {
  const { rows } = await db.query('SELECT * FROM steps WHERE job_id = $1 ORDER BY idx', [job.id])
  return rows.map((r) => stepRow(r, job.seq))
}

/** A job and its steps, read in one statement (one snapshot); their paths under `dataDir`, the shared folder as this machine mounts it. */
export async function getJob(db: JobSql, dataDir: string, id: string): Promise<JobDetail | null> {
  const { rows } = await db.query(
    `SELECT ${JOB_COLUMNS}, (SELECT json_agg(s ORDER BY s.idx) FROM steps s WHERE s.job_id = jobs.id) AS steps_json
       FROM jobs WHERE id = $1`,
    [id]
  )
  const r = rows[0]
  if (!r) return null
  const job = jobRow(r)
  const steps = ((r.steps_json as Record<string, unknown>[] | null) ?? []).map((s) => stepRow(s, job.seq))
  return localJobDetail(job, steps, dataDir)
}

/**
 * Running first, then the queue in the order it will run, then finished jobs, newest first — with
 * NULLs placed as SQLite places them (PostgreSQL puts them first in a descending order). Results'
 * paths under `dataDir`, as getJob's.
 */
export async function listJobs(db: JobSql, dataDir: string, filter: JobFilter): Promise<JobView[]> {
  const f = parseOrRefuse(JobFilter, filter, 'filter')
  const where: string[] = []
  const params: unknown[] = []
  const p = (v: unknown) => (params.push(v), `$${params.length}`)
  if (f.status !== undefined) where.push(`status = ANY(${p(Array.isArray(f.status) ? f.status : [f.status])}::text[])`)
  if (f.type) where.push(`type = ${p(f.type)}`)
  if (f.projectId) where.push(`project_id = ${p(f.projectId)}`)
  if (f.batchId) where.push(`batch_id = ${p(f.batchId)}`)
  if (f.text) {
    // strpos, not LIKE: a search for "100%" or "a_b" finds those characters, not a pattern.
    const t = p(f.text)
    const id = p(f.text.toLowerCase())
    where.push(`(strpos(lower(title), lower(${t})) > 0 OR strpos(lower(payload), lower(${t})) > 0 OR ${idStartsWith(id)})`)
  }
  const { rows } = await db.query(
    `SELECT ${JOB_COLUMNS} FROM jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY CASE status WHEN 'processing' THEN 0 WHEN 'pending' THEN 1 WHEN 'paused' THEN 1 ELSE 2 END,
               CASE WHEN status IN ('pending','paused','processing') THEN priority END,
               CASE WHEN status IN ('pending','paused','processing') THEN position END,
               completed_at DESC NULLS LAST, created_at DESC, seq DESC
      LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params
  )
  return rows.map((r) => localJobView(jobRow(r), dataDir))
}

export async function jobLogs(db: JobSql, id: string, options: { afterId?: number; limit?: number }): Promise<LogLine[]> {
  const job = await requireJobRow(db, id)
  const { rows } = await db.query('SELECT * FROM job_logs WHERE job_seq = $1 AND id > $2 ORDER BY id LIMIT $3', [
    job.seq,
    options.afterId ?? 0,
    options.limit ?? 10_000
  ])
  return rows.map((r) => logLine(logRow(r)))
}

export async function queuePaused(db: JobSql): Promise<boolean> {
  const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [QUEUE_PAUSED_KEY])
  return rows[0]?.value === 'true'
}

export async function queueStats(db: JobSql, now: number): Promise<QueueStats> {
  const [counts, waiting, durations, finished, paused] = await Promise.all([
    db.query<{ type: string; status: JobStatus; n: number }>('SELECT type, status, count(*)::int AS n FROM jobs GROUP BY type, status ORDER BY type, status'),
    db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM jobs WHERE status = 'pending' AND (waiting_reason IS NOT NULL OR run_after > $1)",
      [now]
    ),
    db.query<{ type: string; avg: number }>(
      "SELECT type, avg(actual_duration_ms)::float8 AS avg FROM jobs WHERE status = 'completed' AND actual_duration_ms IS NOT NULL GROUP BY type ORDER BY type"
    ),
    db.query<{ done: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM jobs WHERE completed_at >= $1 AND status IN ('completed','failed')`,
      [now - 24 * 3600_000]
    ),
    queuePaused(db)
  ])
  const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>
  const byType: QueueStats['byType'] = {}
  let total = 0
  for (const r of counts.rows) {
    byStatus[r.status] += r.n
    total += r.n
    ;(byType[r.type] ??= {})[r.status] = r.n
  }
  const avgDurationMsByType: Record<string, number> = {}
  for (const r of durations.rows) avgDurationMsByType[r.type] = Math.round(r.avg)
  const { done, failed } = finished.rows[0]!
  const finished24h = done + failed
  return {
    total,
    byStatus,
    waiting: waiting.rows[0]!.n,
    byType,
    avgDurationMsByType,
    successRate24h: finished24h ? done / finished24h : null,
    finished24h,
    paused
  }
}
