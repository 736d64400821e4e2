/**
 * What a farm batch's view and its results table are built from: the same aggregates as
 * store/batch-reports.ts computes on SQLite, run on the farm's PostgreSQL. The view builders
 * (batch/view.ts, batch/rows-page.ts) read a synchronous BatchReports; on a network database the
 * reads are made first, together, and handed over as a snapshot of one batch that answers just
 * what those builders ask (anything else throws: a builder asking more must be taught here too).
 *
 * Results hold paths into the shared data folder in the farm's stored form (farm/shared-json.ts):
 * they are given back under this machine's mount of it.
 */
import type { BatchRowStatus } from '../../../../shared/types'
import { historyFrame } from '../../batch/history'
import { ALERT_WINDOW } from '../../batch/alert'
import { localJsonText } from '../../farm/shared-json'
import type { BatchReports, BatchTotals, HistoryBucket, JobHistoryEntry, LastResult, RowError, RowFinish, RowOutcome } from '../batch-reports'
import type { BatchRecord } from '../batches'
import type { Queryable } from './batches'

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v))

const DELETED_JOB = "r.state = 'queued' AND j.id IS NULL"
const STATUS_SQL = `CASE WHEN r.state = 'invalid' THEN 'invalid' WHEN r.state = 'ready' THEN 'ready' WHEN j.id IS NULL THEN 'deleted' ELSE j.status END`

async function totals(db: Queryable, id: string): Promise<BatchTotals> {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE r.state = 'invalid')::int AS invalid,
            count(*) FILTER (WHERE j.status = 'completed')::int AS done,
            count(*) FILTER (WHERE j.status = 'failed' OR (${DELETED_JOB}))::int AS failed,
            count(*) FILTER (WHERE j.status = 'cancelled')::int AS cancelled,
            count(*) FILTER (WHERE j.status = 'processing')::int AS running,
            count(*) FILTER (WHERE r.state = 'ready')::int AS ready,
            avg(j.actual_duration_ms) FILTER (WHERE j.status = 'completed')::float8 AS avg,
            COALESCE(sum(j.cost_usd), 0)::float8 AS cost, COALESCE(bool_or(j.cost_unknown), FALSE) AS unknown,
            sum(j.cost_usd) FILTER (WHERE j.status = 'completed')::float8 AS spent,
            min(j.completed_at) AS first, max(j.completed_at) AS last
       FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = $1`,
    [id]
  )
  const t = rows[0]!
  return {
    invalid: t.invalid,
    done: t.done,
    failed: t.failed,
    cancelled: t.cancelled,
    running: t.running,
    ready: t.ready,
    avgMs: numOrNull(t.avg),
    costUsd: num(t.cost),
    costUnknown: t.unknown === true,
    spentUsd: numOrNull(t.spent),
    firstFinishedAt: numOrNull(t.first),
    lastFinishedAt: numOrNull(t.last)
  }
}

async function latestFinished(db: Queryable, id: string, status: 'completed' | 'failed'): Promise<RowFinish[]> {
  const { rows } = await db.query(
    `SELECT j.status, j.completed_at, r.row_number FROM jobs j JOIN batch_rows r ON r.job_id = j.id
      WHERE j.batch_id = $1 AND j.status = $2 AND r.batch_id = $1 ORDER BY j.completed_at DESC, r.row_number DESC LIMIT $3`,
    [id, status, ALERT_WINDOW]
  )
  return rows.map((r) => ({ status: r.status as string, completedAt: num(r.completed_at), rowNumber: r.row_number as number }))
}

/**
 * Every read a batch's view makes, made now: a snapshot answering batchView (batch/view.ts) for
 * this batch. `dataDir`: the shared data folder as this machine mounts it.
 */
export async function farmBatchViewReports(db: Queryable, b: BatchRecord, dataDir: string): Promise<BatchReports> {
  const id = b.id
  if (!b.imported && b.status !== 'error') {
    const { rows } = await db.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'invalid')::int AS invalid FROM batch_rows WHERE batch_id = $1", [id])
    return snapshot(id, { importProgress: { read: rows[0]!.n, invalid: rows[0]!.invalid } })
  }
  const [t, current, steps, completed, failed, last, errors] = await Promise.all([
    totals(db, id),
    db.query(
      `SELECT r.row_number FROM jobs j JOIN batch_rows r ON r.job_id = j.id
        WHERE j.batch_id = $1 AND j.status = 'processing' AND r.batch_id = $1 ORDER BY r.row_number LIMIT 50`,
      [id]
    ),
    db.query(
      `SELECT s.name, avg(s.duration_ms)::float8 AS avg FROM batch_rows r JOIN jobs j ON j.id = r.job_id JOIN steps s ON s.job_id = j.id
        WHERE r.batch_id = $1 AND s.status = 'completed' AND s.duration_ms IS NOT NULL GROUP BY s.name`,
      [id]
    ),
    latestFinished(db, id, 'completed'),
    latestFinished(db, id, 'failed'),
    db.query(
      `SELECT r.row_number, r.job_id, j.result, j.actual_duration_ms FROM jobs j JOIN batch_rows r ON r.job_id = j.id
        WHERE j.batch_id = $1 AND j.status = 'completed' AND r.batch_id = $1 ORDER BY j.completed_at DESC LIMIT 1`,
      [id]
    ),
    db.query(
      `SELECT r.row_number, r.state, r.error, j.error AS job_error, r.job_id, j.status AS job_status FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
        WHERE r.batch_id = $1 AND (r.state = 'invalid' OR j.status = 'failed' OR (${DELETED_JOB})) ORDER BY r.row_number LIMIT 200`,
      [id]
    )
  ])
  const lastRow = last.rows[0]
  const lastCompleted: LastResult | undefined = lastRow && {
    rowNumber: lastRow.row_number,
    jobId: lastRow.job_id,
    result: localJsonText(dataDir, lastRow.result ?? null),
    durationMs: numOrNull(lastRow.actual_duration_ms)
  }
  const span = { first: t.firstFinishedAt, last: t.lastFinishedAt }
  const frame = historyFrame(b.startedAt, span)
  const [buckets, words] = await Promise.all([
    frame
      ? db.query(
          `SELECT GREATEST(1, ((j.completed_at - $2 + $3 - 1) / $3))::int AS bucket,
                  count(*) FILTER (WHERE j.status = 'completed')::int AS done, count(*) FILTER (WHERE j.status = 'failed')::int AS failed,
                  COALESCE(sum(j.cost_usd), 0)::float8 AS cost
             FROM batch_rows r JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = $1 AND j.completed_at IS NOT NULL GROUP BY 1`,
          [id, frame.origin, frame.width]
        )
      : Promise.resolve({ rows: [] as Array<Record<string, unknown>> }),
    lastCompleted
      ? db.query("SELECT output FROM steps WHERE job_id = $1 AND name IN ('script','generate') ORDER BY idx LIMIT 1", [lastCompleted.jobId])
      : Promise.resolve({ rows: [] as Array<Record<string, unknown>> })
  ])
  const output = words.rows[0]?.output as string | null | undefined
  const wordCount = output ? (JSON.parse(output) as { words?: unknown } | null)?.words : undefined
  const avgStepMs: Record<string, number> = {}
  for (const s of steps.rows) avgStepMs[s.name as string] = Math.round(num(s.avg))
  return snapshot(id, {
    totals: t,
    currentRows: current.rows.map((r) => r.row_number as number),
    avgStepMs,
    latestFinished: { completed, failed },
    lastCompleted,
    rowErrors: errors.rows.map(
      (r): RowError => ({
        rowNumber: r.row_number,
        reason: r.error ?? r.job_error,
        jobId: r.job_id,
        jobDeleted: r.state === 'queued' && r.job_status === null
      })
    ),
    finishedSpan: span,
    historyBuckets: buckets.rows.map((r): HistoryBucket => ({ bucket: r.bucket as number, done: r.done as number, failed: r.failed as number, costUsd: num(r.cost) })),
    wordsWritten: typeof wordCount === 'number' ? wordCount : null
  })
}

/** The reads a page of the results table makes (batch/rows-page.ts), made now. */
export async function farmBatchRowsReports(
  db: Queryable,
  id: string,
  dataDir: string,
  options: { status?: BatchRowStatus | undefined; offset: number; limit: number }
): Promise<BatchReports> {
  const [counts, page] = await Promise.all([
    db.query(`SELECT ${STATUS_SQL} AS status, count(*)::int AS n FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = $1 GROUP BY 1`, [id]),
    db.query(
      `SELECT r.row_number, r.state, r.input, r.cells, r.error AS row_error, ${STATUS_SQL} AS status, j.id AS job_id, j.status AS job_status,
              j.error, j.result, j.actual_duration_ms, j.cost_usd, j.cost_unknown, j.completed_at
         FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
        WHERE r.batch_id = $1 AND ($2::text IS NULL OR ${STATUS_SQL} = $2)
        ORDER BY r.row_number LIMIT $3 OFFSET $4`,
      [id, options.status ?? null, options.limit, options.offset]
    )
  ])
  const rows = page.rows.map((r) => outcomeOf(r, dataDir))
  return snapshot(id, {
    statusCounts: Object.fromEntries(counts.rows.map((c) => [c.status, c.n])) as Partial<Record<BatchRowStatus, number>>,
    rowsPage: rows
  })
}

/** A row with its job as the results table and the export read it, its paths under this machine's mount. */
function outcomeOf(r: Record<string, any>, dataDir: string): RowOutcome {
  return {
    rowNumber: r.row_number,
    state: r.state,
    status: r.status,
    input: localJsonText(dataDir, r.input ?? null),
    cells: r.cells ?? null,
    rowError: r.row_error ?? null,
    jobId: r.job_id ?? null,
    jobStatus: r.job_status ?? null,
    jobError: r.error ?? null,
    result: localJsonText(dataDir, r.result ?? null),
    durationMs: numOrNull(r.actual_duration_ms),
    costUsd: numOrNull(r.cost_usd),
    costUnknown: r.cost_unknown === true,
    completedAt: numOrNull(r.completed_at)
  }
}

interface Snapshot {
  totals?: BatchTotals
  importProgress?: { read: number; invalid: number }
  currentRows?: number[]
  avgStepMs?: Record<string, number>
  latestFinished?: { completed: RowFinish[]; failed: RowFinish[] }
  lastCompleted?: LastResult | undefined
  rowErrors?: RowError[]
  finishedSpan?: { first: number | null; last: number | null }
  historyBuckets?: HistoryBucket[]
  wordsWritten?: number | null
  statusCounts?: Partial<Record<BatchRowStatus, number>>
  rowsPage?: RowOutcome[]
  allRows?: RowOutcome[]
  headers?: string[]
  jobHistory?: JobHistoryEntry[]
  /** Words written per job (the export's), rather than the view's one. */
  wordsOf?: Map<string, number | null>
}

function snapshot(batchId: string, s: Snapshot): BatchReports {
  const has = <K extends keyof Snapshot>(key: K, id: string): NonNullable<Snapshot[K]> | Snapshot[K] => {
    if (id !== batchId || !(key in s)) throw new Error(`farm batch reports: ${key} of ${id} was not read`)
    return s[key]
  }
  const unread = (what: string) => (): never => {
    throw new Error(`farm batch reports: ${what} is not read on the farm`)
  }
  return {
    totals: (id) => has('totals', id)!,
    importProgress: (id) => has('importProgress', id)!,
    currentRows: (id) => has('currentRows', id)!,
    avgStepMs: (id) => has('avgStepMs', id)!,
    latestFinished: (id, status, limit) => has('latestFinished', id)![status].slice(0, limit),
    lastCompleted: (id) => has('lastCompleted', id),
    rowErrors: (id) => has('rowErrors', id)!,
    finishedSpan: (id) => has('finishedSpan', id)!,
    historyBuckets: (id) => has('historyBuckets', id)!,
    statusCounts: (id) => has('statusCounts', id)!,
    rowsPage: (id) => has('rowsPage', id)!,
    wordsWritten: (jobId) => {
      if (s.wordsOf) return s.wordsOf.get(jobId) ?? null
      if (!('wordsWritten' in s)) throw new Error('farm batch reports: wordsWritten was not read')
      return s.wordsWritten ?? null
    },
    allRows: (id) => has('allRows', id)!,
    headers: (id) => has('headers', id)!,
    jobHistory: (id) => {
      if (id === undefined) return unread('every job\'s history')()
      return has('jobHistory', id)!
    }
  }
}

/** The reads a batch's export makes (batch/export.ts): its rows with their jobs and words, or its jobs' history. */
export async function farmBatchExportReports(db: Queryable, id: string, dataDir: string, what: 'results' | 'history'): Promise<BatchReports> {
  if (what === 'history') {
    const { rows } = await db.query(
      `SELECT id, project_id, type, title, status, priority, retry_count, created_at, started_at, completed_at, actual_duration_ms, cost_usd, cost_unknown, error
         FROM jobs WHERE batch_id = $1 ORDER BY created_at, seq`,
      [id]
    )
    return snapshot(id, {
      jobHistory: rows.map((r) => ({
        id: r.id,
        projectId: r.project_id,
        type: r.type,
        title: r.title,
        status: r.status,
        priority: r.priority,
        retryCount: r.retry_count,
        createdAt: num(r.created_at),
        startedAt: numOrNull(r.started_at),
        completedAt: numOrNull(r.completed_at),
        durationMs: numOrNull(r.actual_duration_ms),
        costUsd: num(r.cost_usd),
        costUnknown: r.cost_unknown === true,
        error: r.error ?? null
      }))
    })
  }
  const [headers, all, words] = await Promise.all([
    db.query('SELECT headers FROM batches WHERE id = $1', [id]),
    db.query(
      `SELECT r.row_number, r.state, r.input, r.cells, r.error AS row_error, ${STATUS_SQL} AS status, j.id AS job_id, j.status AS job_status,
              j.error, j.result, j.actual_duration_ms, j.cost_usd, j.cost_unknown, j.completed_at
         FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = $1 ORDER BY r.row_number`,
      [id]
    ),
    db.query(
      `SELECT DISTINCT ON (s.job_id) s.job_id, s.output FROM steps s JOIN jobs j ON j.id = s.job_id
        WHERE j.batch_id = $1 AND s.name IN ('script','generate') ORDER BY s.job_id, s.idx`,
      [id]
    )
  ])
  const wordsOf = new Map<string, number | null>()
  for (const w of words.rows) {
    const n = w.output ? (JSON.parse(w.output as string) as { words?: unknown } | null)?.words : undefined
    wordsOf.set(w.job_id as string, typeof n === 'number' ? n : null)
  }
  const text = headers.rows[0]?.headers as string | null | undefined
  return snapshot(id, {
    headers: text ? (JSON.parse(text) as string[]) : [],
    allRows: all.rows.map((r) => outcomeOf(r, dataDir)),
    wordsOf
  })
}
