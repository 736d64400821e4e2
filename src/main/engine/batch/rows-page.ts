import type { BatchRowStatus, BatchRowView, BatchRowsPage } from '../../../shared/types'
import type { BatchReports, RowOutcome } from '../store/batch-reports'
import { outputPathOf } from './job-fields'

/** One page of the results table: a filter and its count run in the database, never over every row here. */
export function batchRowsPage(
  reports: BatchReports,
  batchId: string,
  mainField: string,
  options: { status?: BatchRowStatus | undefined; offset: number; limit: number }
): BatchRowsPage {
  const counts = reports.statusCounts(batchId)
  const total = options.status ? (counts[options.status] ?? 0) : Object.values(counts).reduce((a, b) => a + (b ?? 0), 0)
  return { total, counts, offset: options.offset, rows: reports.rowsPage(batchId, options).map((r) => rowView(r, mainField)) }
}

function rowView(r: RowOutcome, mainField: string): BatchRowView {
  const input = r.input ? (JSON.parse(r.input) as Record<string, unknown>) : {}
  const cells = r.cells ? (JSON.parse(r.cells) as Record<string, string>) : {}
  const main = typeof input[mainField] === 'string' ? (input[mainField] as string) : (Object.values(cells).find((c) => c.trim() !== '') ?? '')
  return {
    rowNumber: r.rowNumber,
    main,
    status: r.status,
    jobId: r.jobId,
    outputPath: outputPathOf(r.result),
    durationMs: r.durationMs,
    costUsd: r.jobId ? (r.costUsd ?? 0) : null,
    costKnown: !r.costUnknown,
    error: (r.rowError ?? r.jobError) || null,
    storyboardId: storyboardIdOf(r.result)
  }
}

function storyboardIdOf(resultJson: string | null): string | null {
  if (!resultJson) return null
  const output = (JSON.parse(resultJson) as { output?: unknown }).output
  const id = output && typeof output === 'object' ? (output as { storyboardId?: unknown }).storyboardId : undefined
  return typeof id === 'string' ? id : null
}
