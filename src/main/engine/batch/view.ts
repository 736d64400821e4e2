import type { BatchConfigView, BatchRowError, BatchStatus, BatchView } from '../../../shared/types'
import type { Db } from '../store/database'
import { ALERT_WINDOW, failureAlert } from './alert'
import { batchHistory } from './history'
import { outputPathOf, wordCounter } from './job-fields'
import { DELETED_JOB } from './row-states'

export interface BatchRow {
  id: string
  name: string
  status: BatchStatus
  source_label: string
  source_file: string
  source_format: string | null
  encoding: string | null
  delimiter: string | null
  sheet: string | null
  project_id: string
  config: string
  template: string | null
  total_rows: number
  imported: number
  /** JSON array of header names; null until the header row was read. */
  ignored_columns: string | null
  error: string | null
  started_at: number | null
  finished_at: number | null
  created_at: number
  updated_at: number
}

/** A batch as the dashboard shows it: progress, current rows, last result, metrics, errors. */
export function batchView(db: Db, b: BatchRow, concurrency: number, queuePaused = false): BatchView {
  // While the rows are still being read no job exists yet: the view is the rows read so far,
  // cheap enough to announce every few hundred milliseconds of a 100 000-row import.
  if (!b.imported && b.status !== 'error') return importingView(db, b)
  // Counts, durations, cost and the span of finish times in one pass over the rows and their
  // jobs: at 100 000 rows each pass costs ~150 ms (bench/batch/feed.ts).
  const counts = db
    .prepare<
      [string],
      {
        invalid: number
        done: number
        failed: number
        cancelled: number
        running: number
        ready: number
        avg: number | null
        cost: number
        unknown: number | null
        spent: number | null
        first: number | null
        last: number | null
      }
    >(
      `SELECT COALESCE(SUM(r.state = 'invalid'), 0) AS invalid,
              COALESCE(SUM(j.status = 'completed'), 0) AS done,
              COALESCE(SUM(j.status = 'failed' OR (${DELETED_JOB})), 0) AS failed,
              COALESCE(SUM(j.status = 'cancelled'), 0) AS cancelled,
              COALESCE(SUM(j.status = 'processing'), 0) AS running,
              COALESCE(SUM(r.state = 'ready'), 0) AS ready,
              AVG(CASE WHEN j.status = 'completed' THEN j.actual_duration_ms END) AS avg,
              COALESCE(SUM(j.cost_usd), 0) AS cost, MAX(j.cost_unknown) AS unknown,
              SUM(CASE WHEN j.status = 'completed' THEN j.cost_usd END) AS spent,
              MIN(j.completed_at) AS first, MAX(j.completed_at) AS last
       FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = ?`
    )
    .get(b.id)!
  // The few running jobs, found by the jobs' (batch, status) index, each the current job of its
  // row. CROSS JOIN keeps jobs the outer loop (SQLite's planner would walk every row otherwise).
  const currentRows = db
    .prepare<[string, string], { row_number: number }>(
      `SELECT r.row_number FROM jobs j CROSS JOIN batch_rows r ON r.job_id = j.id
       WHERE j.batch_id = ? AND j.status = 'processing' AND r.batch_id = ? ORDER BY r.row_number LIMIT 50`
    )
    .all(b.id, b.id)
    .map((r) => r.row_number)
  const avgStepMs: Record<string, number> = {}
  for (const s of db
    .prepare<[string], { name: string; avg: number }>(
      `SELECT s.name, AVG(s.duration_ms) AS avg FROM batch_rows r JOIN steps s ON s.job_id = r.job_id
       WHERE r.batch_id = ? AND s.status = 'completed' AND s.duration_ms IS NOT NULL GROUP BY s.name`
    )
    .all(b.id)) {
    avgStepMs[s.name] = Math.round(s.avg)
  }
  // The latest finished rows, newest first, read backwards along the jobs' (batch, status,
  // completed_at) index: ALERT_WINDOW jobs per status, not a sort of every finished one.
  const latest = db.prepare<[string, string, string, number], { status: string; completed_at: number; row_number: number }>(
    `SELECT j.status, j.completed_at, r.row_number FROM jobs j CROSS JOIN batch_rows r ON r.job_id = j.id
     WHERE j.batch_id = ? AND j.status = ? AND r.batch_id = ? ORDER BY j.completed_at DESC, r.row_number DESC LIMIT ?`
  )
  const recent = [...latest.all(b.id, 'completed', b.id, ALERT_WINDOW), ...latest.all(b.id, 'failed', b.id, ALERT_WINDOW)]
    .sort((x, y) => y.completed_at - x.completed_at || y.row_number - x.row_number)
    .slice(0, ALERT_WINDOW)
  const last = db
    .prepare<[string, string], { row_number: number; job_id: string; result: string | null; actual_duration_ms: number | null }>(
      `SELECT r.row_number, r.job_id, j.result, j.actual_duration_ms FROM jobs j CROSS JOIN batch_rows r ON r.job_id = j.id
       WHERE j.batch_id = ? AND j.status = 'completed' AND r.batch_id = ? ORDER BY j.completed_at DESC LIMIT 1`
    )
    .get(b.id, b.id)
  const errors: BatchRowError[] = db
    .prepare<[string], { row_number: number; state: string; error: string | null; job_error: string | null; job_id: string | null; job_status: string | null }>(
      `SELECT r.row_number, r.state, r.error, j.error AS job_error, r.job_id, j.status AS job_status FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
       WHERE r.batch_id = ? AND (r.state = 'invalid' OR j.status = 'failed' OR (${DELETED_JOB})) ORDER BY r.row_number LIMIT 200`
    )
    .all(b.id)
    .map((r) => {
      if (r.state === 'queued' && r.job_status === null) return { rowNumber: r.row_number, reason: `row ${r.row_number}: job deleted`, jobId: null }
      return { rowNumber: r.row_number, reason: r.error ?? r.job_error ?? 'failed', jobId: r.job_id }
    })

  const finished = counts.done + counts.failed
  const total = b.total_rows
  const settled = counts.invalid + counts.done + counts.failed + counts.cancelled
  const remaining = Math.max(0, total - settled)
  const avgRowMs = counts.avg === null ? null : Math.round(counts.avg)
  // A paused queue starts nothing: the batch has no end time until it is resumed.
  const estimatedEndAt =
    b.status === 'running' && !queuePaused && remaining > 0 ? endEstimate(recent, remaining, avgRowMs, concurrency) : null
  const costPerRow = counts.done > 0 && counts.spent !== null ? counts.spent / counts.done : null
  let lastResult: BatchView['lastResult'] = null
  if (last) {
    lastResult = {
      rowNumber: last.row_number,
      jobId: last.job_id,
      outputPath: outputPathOf(last.result),
      wordCount: wordCounter(db)(last.job_id),
      durationMs: last.actual_duration_ms
    }
  }
  return {
    ...identity(b),
    totalRows: total,
    doneRows: counts.done,
    failedRows: counts.failed,
    invalidRows: counts.invalid,
    cancelledRows: counts.cancelled,
    progress: total > 0 ? Math.round((settled / total) * 1000) / 10 : b.imported ? 100 : 0,
    currentRows,
    startedAt: b.started_at,
    estimatedEndAt,
    finishedAt: b.finished_at,
    lastResult,
    metrics: {
      avgRowMs,
      avgStepMs,
      costUsd: counts.cost,
      costKnown: counts.unknown !== 1,
      projectedCostUsd: costPerRow === null ? null : costPerRow * (total - counts.invalid),
      errorRate: errorRate(counts.failed, finished, counts.invalid, remaining),
      alert: failureAlert(recent.map((r) => r.status))
    },
    history: batchHistory(db, b.id, b.started_at, { first: counts.first, last: counts.last }),
    importing: null,
    errors: b.error ? [{ rowNumber: 0, reason: b.error, jobId: null }, ...errors] : errors,
    createdAt: b.created_at,
    updatedAt: b.updated_at
  }
}

/**
 * The share of settled rows that gave no result: refused rows count, so a batch whose every row
 * was refused does not read "0 % errors". Before any row has run (and with rows left to run),
 * refused rows alone make no rate: one refused row of a thousand is not "100 %".
 */
function errorRate(failed: number, finished: number, invalid: number, remaining: number): number {
  if (finished === 0) return invalid > 0 && remaining === 0 ? 1 : 0
  return (failed + invalid) / (finished + invalid)
}

/** Rows finished this recently tell the pace; fewer, and the estimate is from job durations. */
const PACE_MIN_ROWS = 5

/**
 * When the batch's remaining rows should be done. From the pace of its latest finished rows
 * (newest first) once there are enough of them: it includes what running several jobs at once
 * really gives, shared resources and queue waits included. Before that, from the average row's
 * run time spread over the pool's slots, which assumes rows never wait for one another (a video
 * batch did, for ffmpeg's slots, and finished in twice the time announced).
 */
function endEstimate(recent: ReadonlyArray<{ completed_at: number }>, remaining: number, avgRowMs: number | null, concurrency: number): number | null {
  if (recent.length >= PACE_MIN_ROWS) {
    const span = recent[0]!.completed_at - recent[recent.length - 1]!.completed_at
    if (span > 0) return Date.now() + Math.round((remaining * span) / (recent.length - 1))
  }
  return avgRowMs === null ? null : Date.now() + Math.ceil(remaining / Math.max(1, concurrency)) * avgRowMs
}

/** A batch still reading its rows: how many so far (and how many were refused), nothing else yet. */
function importingView(db: Db, b: BatchRow): BatchView {
  const read = db
    .prepare<[string], { n: number; invalid: number }>(
      "SELECT COUNT(*) AS n, COALESCE(SUM(state = 'invalid'), 0) AS invalid FROM batch_rows WHERE batch_id = ?"
    )
    .get(b.id)!
  return {
    ...identity(b),
    totalRows: 0,
    doneRows: 0,
    failedRows: 0,
    invalidRows: read.invalid,
    cancelledRows: 0,
    progress: 0,
    currentRows: [],
    startedAt: b.started_at,
    estimatedEndAt: null,
    finishedAt: b.finished_at,
    lastResult: null,
    metrics: { avgRowMs: null, avgStepMs: {}, costUsd: 0, costKnown: true, projectedCostUsd: null, errorRate: 0, alert: false },
    history: [],
    importing: { rowsRead: read.n },
    errors: [],
    createdAt: b.created_at,
    updatedAt: b.updated_at
  }
}

/** What names a batch and how it was set up: the same in every view of it. */
function identity(b: BatchRow): Pick<BatchView, 'id' | 'name' | 'status' | 'source' | 'sheet' | 'projectId' | 'config' | 'ignoredColumns'> {
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    source: b.source_label,
    sheet: b.sheet,
    projectId: b.project_id,
    config: JSON.parse(b.config) as BatchConfigView,
    ignoredColumns: b.ignored_columns ? (JSON.parse(b.ignored_columns) as string[]) : []
  }
}
