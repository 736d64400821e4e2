import type { BatchRowStatus } from '../../../shared/types'
import { DELETED_JOB } from './batches'
import { prep, type Db } from './database'

/** Counts, durations, cost and the span of finish times of a batch's rows and their jobs. */
export interface BatchTotals {
  invalid: number
  done: number
  failed: number
  cancelled: number
  running: number
  ready: number
  /** Mean run time of the completed rows' jobs (ms), null before any. */
  avgMs: number | null
  costUsd: number
  /** Some job had a step of unknown price. */
  costUnknown: boolean
  /** Cost of the completed jobs only, null before any. */
  spentUsd: number | null
  firstFinishedAt: number | null
  lastFinishedAt: number | null
}

export interface RowFinish {
  status: string
  completedAt: number
  rowNumber: number
}

export interface LastResult {
  rowNumber: number
  jobId: string
  /** The job's stored result (JSON text, see batch/job-fields.ts). */
  result: string | null
  durationMs: number | null
}

export interface RowError {
  rowNumber: number
  /** The row's own refusal, else its job's error; null when neither was kept. */
  reason: string | null
  jobId: string | null
  /** The row's job was deleted. */
  jobDeleted: boolean
}

/** What a finished bucket of the batch's history adds. */
export interface HistoryBucket {
  bucket: number
  done: number
  failed: number
  costUsd: number
}

/** One row of the results table or of the export: the sheet row and what became of it. */
export interface RowOutcome {
  rowNumber: number
  state: 'ready' | 'invalid' | 'queued'
  /** As the results table shows it (see STATUS_SQL). */
  status: BatchRowStatus
  /** The job's input (JSON text), null for a refused row. */
  input: string | null
  /** The sheet's cells (JSON text). */
  cells: string | null
  rowError: string | null
  jobId: string | null
  /** The job's own status, null when it has none (not queued yet, or deleted). */
  jobStatus: string | null
  jobError: string | null
  result: string | null
  durationMs: number | null
  costUsd: number | null
  costUnknown: boolean
  completedAt: number | null
}

/** A job as the history export lists it. */
export interface JobHistoryEntry {
  id: string
  projectId: string
  type: string
  title: string | null
  status: string
  priority: number
  retryCount: number
  createdAt: number
  startedAt: number | null
  completedAt: number | null
  durationMs: number | null
  costUsd: number
  costUnknown: boolean
  error: string | null
}

/**
 * What dashboards and exports read about batches: aggregates over their rows and jobs, computed
 * in the database so that 100 000 rows never travel (at that size each pass costs ~150 ms,
 * bench/batch/feed.ts). Read-only. Synchronous on SQLite; on a network database every method
 * returns a promise (the batch view then awaits its reads together).
 */
export interface BatchReports {
  totals(batchId: string): BatchTotals
  /** Rows read so far by an import still going on, and how many of them were refused. */
  importProgress(batchId: string): { read: number; invalid: number }
  /** Row numbers of the running jobs (at most 50). */
  currentRows(batchId: string): number[]
  /** Mean duration of each completed step name over the batch's jobs. */
  avgStepMs(batchId: string): Record<string, number>
  /** The `limit` latest rows finished with this status, newest first. */
  latestFinished(batchId: string, status: 'completed' | 'failed', limit: number): RowFinish[]
  lastCompleted(batchId: string): LastResult | undefined
  /** Refused rows, failed jobs and deleted jobs, in row order (at most 200). */
  rowErrors(batchId: string): RowError[]
  finishedSpan(batchId: string): { first: number | null; last: number | null }
  /** Finished jobs grouped in buckets of `width` ms after `origin`; bucket 1 holds the origin too. */
  historyBuckets(batchId: string, origin: number, width: number): HistoryBucket[]
  /** How many rows have each status, as the results table filters them. */
  statusCounts(batchId: string): Partial<Record<BatchRowStatus, number>>
  /** A page of rows in row order, optionally of one status. */
  rowsPage(batchId: string, options: { status?: BatchRowStatus | undefined; offset: number; limit: number }): RowOutcome[]
  /** Every row in row order, for the export. */
  allRows(batchId: string): RowOutcome[]
  /** The sheet's header row, as imported. */
  headers(batchId: string): string[]
  /** Every job, or a batch's jobs, in creation order. */
  jobHistory(batchId?: string): JobHistoryEntry[]
  /** Words written for a job: its video's script step, or the one step of a text job. */
  wordsWritten(jobId: string): number | null
}

/**
 * A row's status as the results table shows it, in SQL so that a filter and its count run in
 * the database: 100 000 rows are never sent to the window, only the page on screen.
 */
const STATUS_SQL = `CASE
  WHEN r.state = 'invalid' THEN 'invalid'
  WHEN r.state = 'ready' THEN 'ready'
  WHEN j.id IS NULL THEN 'deleted'
  ELSE j.status END`

const OUTCOME_COLUMNS = `r.row_number, r.state, r.input, r.cells, r.error AS row_error, ${STATUS_SQL} AS status, j.id AS job_id, j.status AS job_status,
  j.error, j.result, j.actual_duration_ms, j.cost_usd, j.cost_unknown, j.completed_at`

interface StoredOutcome {
  row_number: number
  state: RowOutcome['state']
  input: string | null
  cells: string | null
  row_error: string | null
  status: BatchRowStatus
  job_id: string | null
  job_status: string | null
  error: string | null
  result: string | null
  actual_duration_ms: number | null
  cost_usd: number | null
  cost_unknown: number | null
  completed_at: number | null
}

function outcome(r: StoredOutcome): RowOutcome {
  return {
    rowNumber: r.row_number,
    state: r.state,
    status: r.status,
    input: r.input,
    cells: r.cells,
    rowError: r.row_error,
    jobId: r.job_id,
    jobStatus: r.job_status,
    jobError: r.error,
    result: r.result,
    durationMs: r.actual_duration_ms,
    costUsd: r.cost_usd,
    costUnknown: r.cost_unknown === 1,
    completedAt: r.completed_at
  }
}

const FINISHED = `FROM batch_rows r JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = @batchId AND j.completed_at IS NOT NULL`

export class SqliteBatchReports implements BatchReports {
  constructor(private readonly db: Db) {}

  totals(batchId: string): BatchTotals {
    const t = prep<
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
      this.db,
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
    ).get(batchId)!
    return {
      invalid: t.invalid,
      done: t.done,
      failed: t.failed,
      cancelled: t.cancelled,
      running: t.running,
      ready: t.ready,
      avgMs: t.avg,
      costUsd: t.cost,
      costUnknown: t.unknown === 1,
      spentUsd: t.spent,
      firstFinishedAt: t.first,
      lastFinishedAt: t.last
    }
  }

  importProgress(batchId: string): { read: number; invalid: number } {
    const r = prep<[string], { n: number; invalid: number }>(
      this.db,
      "SELECT COUNT(*) AS n, COALESCE(SUM(state = 'invalid'), 0) AS invalid FROM batch_rows WHERE batch_id = ?"
    ).get(batchId)!
    return { read: r.n, invalid: r.invalid }
  }

  currentRows(batchId: string): number[] {
    // Found by the jobs' (batch, status) index, each the current job of its row. CROSS JOIN
    // keeps jobs the outer loop (SQLite's planner would walk every row otherwise).
    return prep<[string, string], { row_number: number }>(
      this.db,
      `SELECT r.row_number FROM jobs j CROSS JOIN batch_rows r ON r.job_id = j.id
       WHERE j.batch_id = ? AND j.status = 'processing' AND r.batch_id = ? ORDER BY r.row_number LIMIT 50`
    )
      .all(batchId, batchId)
      .map((r) => r.row_number)
  }

  avgStepMs(batchId: string): Record<string, number> {
    const out: Record<string, number> = {}
    for (const s of prep<[string], { name: string; avg: number }>(
      this.db,
      `SELECT s.name, AVG(s.duration_ms) AS avg FROM batch_rows r JOIN jobs j ON j.id = r.job_id JOIN steps s ON s.job_seq = j.seq
       WHERE r.batch_id = ? AND s.status = 'completed' AND s.duration_ms IS NOT NULL GROUP BY s.name`
    ).all(batchId)) {
      out[s.name] = Math.round(s.avg)
    }
    return out
  }

  latestFinished(batchId: string, status: 'completed' | 'failed', limit: number): RowFinish[] {
    // Read backwards along the jobs' (batch, status, completed_at) index: `limit` jobs, not a
    // sort of every finished one.
    return prep<[string, string, string, number], { status: string; completed_at: number; row_number: number }>(
      this.db,
      `SELECT j.status, j.completed_at, r.row_number FROM jobs j CROSS JOIN batch_rows r ON r.job_id = j.id
       WHERE j.batch_id = ? AND j.status = ? AND r.batch_id = ? ORDER BY j.completed_at DESC, r.row_number DESC LIMIT ?`
    )
      .all(batchId, status, batchId, limit)
      .map((r) => ({ status: r.status, completedAt: r.completed_at, rowNumber: r.row_number }))
  }

  lastCompleted(batchId: string): LastResult | undefined {
    const r = prep<[string, string], { row_number: number; job_id: string; result: string | null; actual_duration_ms: number | null }>(
      this.db,
      `SELECT r.row_number, r.job_id, j.result, j.actual_duration_ms FROM jobs j CROSS JOIN batch_rows r ON r.job_id = j.id
       WHERE j.batch_id = ? AND j.status = 'completed' AND r.batch_id = ? ORDER BY j.completed_at DESC LIMIT 1`
    ).get(batchId, batchId)
    return r && { rowNumber: r.row_number, jobId: r.job_id, result: r.result, durationMs: r.actual_duration_ms }
  }

  rowErrors(batchId: string): RowError[] {
    return prep<[string], { row_number: number; state: string; error: string | null; job_error: string | null; job_id: string | null; job_status: string | null }>(
      this.db,
      `SELECT r.row_number, r.state, r.error, j.error AS job_error, r.job_id, j.status AS job_status FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
       WHERE r.batch_id = ? AND (r.state = 'invalid' OR j.status = 'failed' OR (${DELETED_JOB})) ORDER BY r.row_number LIMIT 200`
    )
      .all(batchId)
      .map((r) => ({
        rowNumber: r.row_number,
        reason: r.error ?? r.job_error,
        jobId: r.job_id,
        jobDeleted: r.state === 'queued' && r.job_status === null
      }))
  }

  finishedSpan(batchId: string): { first: number | null; last: number | null } {
    return prep<{ batchId: string }, { first: number | null; last: number | null }>(
      this.db,
      `SELECT MIN(j.completed_at) AS first, MAX(j.completed_at) AS last ${FINISHED}`
    ).get({ batchId })!
  }

  historyBuckets(batchId: string, origin: number, width: number): HistoryBucket[] {
    return prep<{ batchId: string; origin: number; width: number }, { bucket: number; done: number; failed: number; cost: number }>(
      this.db,
      `SELECT MAX(1, CAST((j.completed_at - @origin + @width - 1) / @width AS INTEGER)) AS bucket,
              SUM(j.status = 'completed') AS done, SUM(j.status = 'failed') AS failed, COALESCE(SUM(j.cost_usd), 0) AS cost
       ${FINISHED} GROUP BY bucket`
    )
      .all({ batchId, origin, width })
      .map((b) => ({ bucket: b.bucket, done: b.done, failed: b.failed, costUsd: b.cost }))
  }

  statusCounts(batchId: string): Partial<Record<BatchRowStatus, number>> {
    return Object.fromEntries(
      prep<{ batchId: string }, { status: BatchRowStatus; n: number }>(
        this.db,
        `SELECT ${STATUS_SQL} AS status, COUNT(*) AS n FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
         WHERE r.batch_id = @batchId GROUP BY 1`
      )
        .all({ batchId })
        .map((c) => [c.status, c.n])
    ) as Partial<Record<BatchRowStatus, number>>
  }

  rowsPage(batchId: string, options: { status?: BatchRowStatus | undefined; offset: number; limit: number }): RowOutcome[] {
    const filter = options.status ? `AND ${STATUS_SQL} = @status` : ''
    const params = { batchId, limit: options.limit, offset: options.offset, ...(options.status ? { status: options.status } : {}) }
    return prep<typeof params, StoredOutcome>(
      this.db,
      `SELECT ${OUTCOME_COLUMNS}
       FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
       WHERE r.batch_id = @batchId ${filter}
       ORDER BY r.row_number LIMIT @limit OFFSET @offset`
    )
      .all(params)
      .map(outcome)
  }

  allRows(batchId: string): RowOutcome[] {
    return prep<[string], StoredOutcome>(
      this.db,
      `SELECT ${OUTCOME_COLUMNS} FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = ? ORDER BY r.row_number`
    )
      .all(batchId)
      .map(outcome)
  }

  headers(batchId: string): string[] {
    const text = prep<[string], { headers: string | null }>(this.db, 'SELECT headers FROM batches WHERE id = ?').get(batchId)?.headers
    return text ? (JSON.parse(text) as string[]) : []
  }

  jobHistory(batchId?: string): JobHistoryEntry[] {
    return prep<unknown[], Record<string, unknown>>(
      this.db,
      `SELECT id, project_id, type, title, status, priority, retry_count, created_at, started_at, completed_at,
              actual_duration_ms, cost_usd, cost_unknown, error
       FROM jobs ${batchId ? 'WHERE batch_id = ?' : ''} ORDER BY created_at, seq`
    )
      .all(...(batchId ? [batchId] : []))
      .map((r) => ({
        id: r.id as string,
        projectId: r.project_id as string,
        type: r.type as string,
        title: r.title as string | null,
        status: r.status as string,
        priority: r.priority as number,
        retryCount: r.retry_count as number,
        createdAt: r.created_at as number,
        startedAt: r.started_at as number | null,
        completedAt: r.completed_at as number | null,
        durationMs: r.actual_duration_ms as number | null,
        costUsd: r.cost_usd as number,
        costUnknown: r.cost_unknown === 1,
        error: r.error as string | null
      }))
  }

  wordsWritten(jobId: string): number | null {
    const output = prep<[string], { output: string | null }>(
      this.db,
      "SELECT output FROM steps WHERE job_seq = (SELECT seq FROM jobs WHERE id = ?) AND name IN ('script','generate') ORDER BY idx LIMIT 1"
    ).get(jobId)?.output
    const words = output ? (JSON.parse(output) as { words?: unknown } | null)?.words : undefined
    return typeof words === 'number' ? words : null
  }
}
