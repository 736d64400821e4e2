import { csvText, type CsvDelimiter } from '../../../shared/csv'
import type { Db } from '../store/database'
import { outputPathOf, wordCounter } from './job-fields'

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
export function batchResultsCsv(db: Db, batchId: string, delimiter: CsvDelimiter = ','): string {
  const headersJson = db.prepare<[string], { headers: string | null }>('SELECT headers FROM batches WHERE id = ?').get(batchId)?.headers
  const headers = headersJson ? (JSON.parse(headersJson) as string[]) : []
  const rows = db
    .prepare<[string], Record<string, unknown>>(
      `SELECT r.row_number, r.state, r.error AS row_error, r.cells, j.id AS job_id, j.status, j.error, j.result,
              j.actual_duration_ms, j.cost_usd, j.cost_unknown, j.completed_at
       FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = ? ORDER BY r.row_number`
    )
    .all(batchId)
  const words = wordCounter(db)
  return toCsv(
    // cost_known: false when a step had no known price, cost_usd being then a floor.
    ['row', ...headers, 'status', 'job_id', 'output', 'word_count', 'duration_ms', 'cost_usd', 'cost_known', 'finished_at', 'error'],
    rows.map((r) => {
      const cells = r.cells ? (JSON.parse(r.cells as string) as Record<string, string>) : {}
      // A queued row whose job is gone: the job was deleted (see row-states.ts).
      const deleted = r.state === 'queued' && r.status === null
      const status = r.state === 'invalid' ? 'invalid' : r.state === 'ready' ? 'not started' : deleted ? 'job deleted' : r.status
      return [
        r.row_number,
        ...headers.map((h) => cells[h] ?? ''),
        status,
        r.job_id ?? '',
        outputPathOf(r.result as string | null),
        r.job_id ? (words(String(r.job_id)) ?? '') : '',
        r.actual_duration_ms ?? '',
        r.cost_usd ?? '',
        r.job_id && r.status !== null ? r.cost_unknown !== 1 : '',
        iso(r.completed_at as number | null),
        r.row_error ?? r.error ?? ''
      ]
    }),
    delimiter
  )
}

/** Job history (seed 4's CSV export): every job, or a batch's jobs. */
export function jobHistoryCsv(db: Db, batchId?: string, delimiter: CsvDelimiter = ','): string {
  const rows = db
    .prepare<unknown[], Record<string, unknown>>(
      `SELECT id, project_id, type, title, status, priority, retry_count, created_at, started_at, completed_at,
              actual_duration_ms, cost_usd, cost_unknown, error
       FROM jobs ${batchId ? 'WHERE batch_id = ?' : ''} ORDER BY created_at, seq`
    )
    .all(...(batchId ? [batchId] : []))
  return toCsv(
    ['id', 'project', 'type', 'title', 'status', 'priority', 'retries', 'created_at', 'started_at', 'completed_at', 'duration_ms', 'cost_usd', 'cost_known', 'error'],
    rows.map((r) => [
      r.id,
      r.project_id,
      r.type,
      r.title,
      r.status,
      r.priority,
      r.retry_count,
      iso(r.created_at as number),
      iso(r.started_at as number | null),
      iso(r.completed_at as number | null),
      r.actual_duration_ms ?? '',
      r.cost_usd,
      r.cost_unknown !== 1,
      r.error ?? ''
    ]),
    delimiter
  )
}
