import { csvText, type CsvDelimiter } from '../../../shared/csv'
import type { BatchReports } from '../store/batch-reports'
import { outputPathOf } from './job-fields'

/**
 * Excel reads a CSV without a byte-order mark in the system's legacy code page (Windows-1252 in
 * France): "idée" would open as "idÃ©e". The BOM tells it the file is UTF-8.
 */
const UTF8_BOM = '\uFEFF'

/** CSV (see shared/csv.ts) behind a UTF-8 BOM. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, delimiter: CsvDelimiter = ','): string {
  return UTF8_BOM + csvText([header, ...rows], delimiter) + '\r\n'
}

const iso = (t: number | null) => (t ? new Date(t).toISOString() : '')

/**
 * One line per spreadsheet row: the row's own cells (in the sheet's column order), then what
 * became of it — so the file can be pasted back beside the sheet, or read on its own.
 */
export function batchResultsCsv(reports: BatchReports, batchId: string, delimiter: CsvDelimiter = ','): string {
  const headers = reports.headers(batchId)
  return toCsv(
    // cost_known: false when a step had no known price, cost_usd being then a floor.
    ['row', ...headers, 'status', 'job_id', 'output', 'word_count', 'duration_ms', 'cost_usd', 'cost_known', 'finished_at', 'error'],
    reports.allRows(batchId).map((r) => {
      const cells = r.cells ? (JSON.parse(r.cells) as Record<string, string>) : {}
      // A queued row whose job is gone: the job was deleted (see store/batches.ts).
      const deleted = r.state === 'queued' && r.jobStatus === null
      const status = r.state === 'invalid' ? 'invalid' : r.state === 'ready' ? 'not started' : deleted ? 'job deleted' : r.jobStatus
      return [
        r.rowNumber,
        ...headers.map((h) => cells[h] ?? ''),
        status,
        r.jobId ?? '',
        outputPathOf(r.result),
        r.jobId ? (reports.wordsWritten(r.jobId) ?? '') : '',
        r.durationMs ?? '',
        r.costUsd ?? '',
        r.jobId && r.jobStatus !== null ? !r.costUnknown : '',
        iso(r.completedAt),
        r.rowError ?? r.jobError ?? ''
      ]
    }),
    delimiter
  )
}

/** Job history (seed 4's CSV export): every job, or a batch's jobs. */
export function jobHistoryCsv(reports: BatchReports, batchId?: string, delimiter: CsvDelimiter = ','): string {
  return toCsv(
    ['id', 'project', 'type', 'title', 'status', 'priority', 'retries', 'created_at', 'started_at', 'completed_at', 'duration_ms', 'cost_usd', 'cost_known', 'error'],
    reports.jobHistory(batchId).map((j) => [
      j.id,
      j.projectId,
      j.type,
      j.title,
      j.status,
      j.priority,
      j.retryCount,
      iso(j.createdAt),
      iso(j.startedAt),
      iso(j.completedAt),
      j.durationMs ?? '',
      j.costUsd,
      !j.costUnknown,
      j.error ?? ''
    ]),
    delimiter
  )
}
