import type { BatchRowStatus, BatchRowView, BatchRowsPage } from '../../../shared/types'
import type { Db } from '../store/database'
import { outputPathOf } from './job-fields'

/**
 * A row's status as the results table shows it, in SQL so that a filter and its count run in
 * the database: 100 000 rows are never sent to the window, only the page on screen.
 */
const STATUS_SQL = `CASE
  WHEN r.state = 'invalid' THEN 'invalid'
  WHEN r.state = 'ready' THEN 'ready'
  WHEN j.id IS NULL THEN 'deleted'
  ELSE j.status END`

export function batchRowsPage(
  db: Db,
  batchId: string,
  mainField: string,
  options: { status?: BatchRowStatus | undefined; offset: number; limit: number }
): BatchRowsPage {
  const filter = options.status ? `AND ${STATUS_SQL} = @status` : ''
  const params = { batchId, status: options.status ?? null, limit: options.limit, offset: options.offset }
  const counts = Object.fromEntries(
    db
      .prepare<{ batchId: string }, { status: BatchRowStatus; n: number }>(
        `SELECT ${STATUS_SQL} AS status, COUNT(*) AS n FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
         WHERE r.batch_id = @batchId GROUP BY 1`
      )
      .all({ batchId })
      .map((c) => [c.status, c.n])
  ) as Partial<Record<BatchRowStatus, number>>
  const total = options.status ? (counts[options.status] ?? 0) : Object.values(counts).reduce((a, b) => a + (b ?? 0), 0)
  const rows = db
    .prepare<typeof params, Record<string, unknown>>(
      `SELECT r.row_number, r.input, r.cells, r.error AS row_error, ${STATUS_SQL} AS status, j.id AS job_id, j.error, j.result,
              j.actual_duration_ms, j.cost_usd, j.cost_unknown
       FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
       WHERE r.batch_id = @batchId ${filter}
       ORDER BY r.row_number LIMIT @limit OFFSET @offset`
    )
    .all(params)
  return { total, counts, offset: options.offset, rows: rows.map((r) => rowView(r, mainField)) }
}

function rowView(r: Record<string, unknown>, mainField: string): BatchRowView {
  const input = r.input ? (JSON.parse(r.input as string) as Record<string, unknown>) : {}
  const cells = r.cells ? (JSON.parse(r.cells as string) as Record<string, string>) : {}
  const main = typeof input[mainField] === 'string' ? (input[mainField] as string) : (Object.values(cells).find((c) => c.trim() !== '') ?? '')
  const jobId = (r.job_id as string | null) ?? null
  return {
    rowNumber: r.row_number as number,
    main,
    status: r.status as BatchRowStatus,
    jobId,
    outputPath: outputPathOf(r.result as string | null),
    durationMs: (r.actual_duration_ms as number | null) ?? null,
    costUsd: jobId ? ((r.cost_usd as number | null) ?? 0) : null,
    costKnown: r.cost_unknown !== 1,
    error: ((r.row_error as string | null) ?? (r.error as string | null)) || null,
    storyboardId: storyboardIdOf(r.result as string | null)
  }
}

/** The storyboard a `storyboard-idea` job made, from its stored result's output. */
function storyboardIdOf(resultJson: string | null): string | null {
  if (!resultJson) return null
  const output = (JSON.parse(resultJson) as { output?: unknown }).output
  const id = output && typeof output === 'object' ? (output as { storyboardId?: unknown }).storyboardId : undefined
  return typeof id === 'string' ? id : null
}
