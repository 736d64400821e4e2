import type { BatchConfigView, BatchRowError, BatchView } from '../../../shared/types'
import type { BatchReports } from '../store/batch-reports'
import type { BatchRecord } from '../store/batches'
import { ALERT_WINDOW, failureAlert } from './alert'
import { batchHistory } from './history'
import { outputPathOf } from './job-fields'

/** A batch as the dashboard shows it: progress, current rows, last result, metrics, errors. */
export function batchView(reports: BatchReports, b: BatchRecord, concurrency: number, queuePaused = false, imported?: ImportProgress): BatchView {
  // While the rows are still being read no job exists yet: the view is the rows read so far,
  // cheap enough to announce every few hundred milliseconds of a 100 000-row import.
  if (!b.imported && b.status !== 'error') return importingView(b, imported ?? reports.importProgress(b.id))
  // Counts, durations, cost and the span of finish times in one pass over the rows and their
  // jobs: at 100 000 rows each pass costs ~150 ms (bench/batch/feed.ts).
  const counts = reports.totals(b.id)
  const currentRows = reports.currentRows(b.id)
  const avgStepMs = reports.avgStepMs(b.id)
  // The latest finished rows, newest first: ALERT_WINDOW jobs per status.
  const recent = [...reports.latestFinished(b.id, 'completed', ALERT_WINDOW), ...reports.latestFinished(b.id, 'failed', ALERT_WINDOW)]
    .sort((x, y) => y.completedAt - x.completedAt || y.rowNumber - x.rowNumber)
    .slice(0, ALERT_WINDOW)
  const last = reports.lastCompleted(b.id)
  const errors: BatchRowError[] = reports.rowErrors(b.id).map((r) =>
    r.jobDeleted ? { rowNumber: r.rowNumber, reason: `row ${r.rowNumber}: job deleted`, jobId: null } : { rowNumber: r.rowNumber, reason: r.reason ?? 'failed', jobId: r.jobId }
  )

  const finished = counts.done + counts.failed
  const total = b.totalRows
  const settled = counts.invalid + counts.done + counts.failed + counts.cancelled
  const remaining = Math.max(0, total - settled)
  const avgRowMs = counts.avgMs === null ? null : Math.round(counts.avgMs)
  // A paused queue starts nothing: the batch has no end time until it is resumed.
  const estimatedEndAt =
    b.status === 'running' && !queuePaused && remaining > 0 ? endEstimate(recent, remaining, avgRowMs, concurrency, Date.now()) : null
  const costPerRow = counts.done > 0 && counts.spentUsd !== null ? counts.spentUsd / counts.done : null
  let lastResult: BatchView['lastResult'] = null
  if (last) {
    lastResult = {
      rowNumber: last.rowNumber,
      jobId: last.jobId,
      outputPath: outputPathOf(last.result),
      wordCount: reports.wordsWritten(last.jobId),
      durationMs: last.durationMs
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
    startedAt: b.startedAt,
    estimatedEndAt,
    finishedAt: b.finishedAt,
    lastResult,
    metrics: {
      avgRowMs,
      avgStepMs,
      costUsd: counts.costUsd,
      costKnown: !counts.costUnknown,
      projectedCostUsd: costPerRow === null ? null : costPerRow * (total - counts.invalid),
      errorRate: errorRate(counts.failed, finished, counts.invalid, remaining),
      alert: failureAlert(recent.map((r) => r.status))
    },
    history: batchHistory(reports, b.id, b.startedAt, { first: counts.firstFinishedAt, last: counts.lastFinishedAt }),
    importing: null,
    errors: b.error ? [{ rowNumber: 0, reason: b.error, jobId: null }, ...errors] : errors,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt
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
export function endEstimate(
  recent: ReadonlyArray<{ completedAt: number }>,
  remaining: number,
  avgRowMs: number | null,
  concurrency: number,
  now: number
): number | null {
  if (recent.length >= PACE_MIN_ROWS) {
    const span = recent[0]!.completedAt - recent[recent.length - 1]!.completedAt
    if (span > 0) return now + Math.round((remaining * span) / (recent.length - 1))
  }
  return avgRowMs === null ? null : now + Math.ceil(remaining / Math.max(1, concurrency)) * avgRowMs
}

/**
 * Rows stored so far by an import, and how many were refused. The import running in this process
 * counts them as it stores them: counting them in SQLite scans every row read so far (~10–40 ms
 * at 100 000 rows), which held the engine's thread at every live update of a large import.
 */
export interface ImportProgress {
  read: number
  invalid: number
}

/** A batch still reading its rows: how many so far (and how many were refused), nothing else yet. */
function importingView(b: BatchRecord, read: ImportProgress): BatchView {
  return {
    ...identity(b),
    totalRows: 0,
    doneRows: 0,
    failedRows: 0,
    invalidRows: read.invalid,
    cancelledRows: 0,
    progress: 0,
    currentRows: [],
    startedAt: b.startedAt,
    estimatedEndAt: null,
    finishedAt: b.finishedAt,
    lastResult: null,
    metrics: { avgRowMs: null, avgStepMs: {}, costUsd: 0, costKnown: true, projectedCostUsd: null, errorRate: 0, alert: false },
    history: [],
    importing: { rowsRead: read.read },
    errors: [],
    createdAt: b.createdAt,
    updatedAt: b.updatedAt
  }
}

/** What names a batch and how it was set up: the same in every view of it. */
function identity(b: BatchRecord): Pick<BatchView, 'id' | 'name' | 'status' | 'source' | 'sheet' | 'projectId' | 'config' | 'ignoredColumns'> {
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    source: b.sourceLabel,
    sheet: b.sheet,
    projectId: b.projectId,
    config: JSON.parse(b.config) as BatchConfigView,
    ignoredColumns: b.ignoredColumns
  }
}
