import type { BatchStatus } from '../../../shared/types'
import { inTransaction, prep, type Db } from './database'

/** A batch as stored: its source, its config and where its import and its run stand. */
export interface BatchRecord {
  id: string
  name: string
  status: BatchStatus
  sourceLabel: string
  /** The private copy of the rows in the data folder. */
  sourceFile: string
  sourceFormat: string | null
  encoding: string | null
  delimiter: string | null
  sheet: string | null
  projectId: string
  /** The batch config as validated at creation (JSON text; see batch/config.ts). */
  config: string
  /** The template's script prompt (JSON text), or null. */
  template: string | null
  totalRows: number
  imported: boolean
  /** Header names the mapping did not use; [] until the header row was read. */
  ignoredColumns: string[]
  error: string | null
  startedAt: number | null
  finishedAt: number | null
  createdAt: number
  updatedAt: number
}

export interface NewBatch {
  id: string
  name: string
  sourceLabel: string
  sourceFile: string
  sheet: string | null
  projectId: string
  config: string
  template: string | null
  now: number
}

/** One spreadsheet row as the import stores it: ready with its job's input, or refused with a reason. */
export interface RowImport {
  rowNumber: number
  state: 'ready' | 'invalid'
  input: Record<string, unknown> | null
  error: string | null
  priority: number
  cells: Record<string, string>
}

/** A ready row, about to get its job. */
export interface RowToQueue {
  rowNumber: number
  input: Record<string, unknown>
  priority: number
  cells: string | null
}

/** A row that has (or had) a job, with that job's status; null: the job was deleted. */
export interface RowJobLink {
  rowNumber: number
  jobId: string | null
  jobStatus: string | null
}

export type JobStatusName = 'pending' | 'processing' | 'paused' | 'completed' | 'failed' | 'cancelled'

/**
 * Batches and their rows: what the batch manager writes and reads to run them. Everything a
 * dashboard or an export reads is in batch-reports.ts.
 *
 * A row is 'queued' from the moment its job is created (same transaction), so a 'queued' row
 * whose job no longer exists had its job deleted (`studio rm`, the queue's Remove, a cleanup) —
 * possibly by another process, which is why this is read from the link rather than recorded when
 * the deletion happens. Such a row is settled: it counts as failed ("job deleted") and "retry
 * failed" runs it again (see DELETED_JOB).
 *
 * Synchronous on SQLite; on a network database every method returns a promise.
 */
export interface BatchStore {
  insert(batch: NewBatch): void
  get(id: string): BatchRecord | undefined
  /** Batches whose id starts with `prefix` (characters, not a LIKE pattern), at most two. */
  withPrefix(prefix: string): BatchRecord[]
  /** Newest first. */
  list(): BatchRecord[]
  /** Ids of the running batches whose rows are all imported. */
  runningIds(): string[]
  /** Ids of batches changed at or after `since` (ms), by any process. */
  changedSince(since: number): string[]
  remove(id: string): void

  /** The header row was read: the columns the mapping ignores, and every header (for the export). */
  setColumns(id: string, ignoredColumns: string[], headers: string[]): void
  /**
   * A chunk of imported rows, in one transaction; rows already stored (a resumed import) are kept.
   * Returns how many rows it stored, and how many of those were refused.
   */
  addRows(id: string, rows: readonly RowImport[], now: number): { added: number; invalid: number }
  rowCount(id: string): number
  markImported(id: string, done: { totalRows: number; format: string; encoding: string | null; delimiter: string | null; now: number }): void
  markFailed(id: string, error: string, now: number): void
  /** Set the status; `started` keeps the first start time, `finished` sets the end, `reopen` clears it. */
  setStatus(id: string, status: BatchStatus, o: { started?: boolean; finished?: boolean; reopen?: boolean }, now: number): void
  /** Reset: every row that had a job is ready again with no job, and the batch is idle with no times. */
  forgetRun(id: string, now: number): void

  /** Most urgent ready rows first (the sheet's priority column), then in sheet order. */
  readyRows(id: string, limit: number): RowToQueue[]
  readyCount(id: string): number
  /** Link rows to the jobs just made for them. */
  markQueued(id: string, links: ReadonlyArray<{ rowNumber: number; jobId: string }>): void
  /** One row whose job was deleted goes back to 'ready'. */
  requeueRow(id: string, rowNumber: number): void
  /** Rows whose job was deleted go back to 'ready', to get a new job. Returns how many. */
  requeueDeletedRows(id: string): number
  deletedRowCount(id: string): number
  /** The rows that have a job or lost it, with the job's status. */
  queuedRows(id: string): RowJobLink[]
  /** The batch's jobs in these statuses, in row order. */
  jobsOf(id: string, statuses: readonly JobStatusName[]): string[]
  /** The batch's jobs still queued, running or paused. */
  openJobs(id: string): number
  /** Rows not given a job yet, or jobs not finished? */
  hasRowsLeft(id: string): boolean
  /** The batch a (possibly already deleted) job belonged to, through its row. */
  batchOfJob(jobId: string): string | null
}

/** A 'queued' row whose job is gone: the job was deleted (see BatchStore). */
export const DELETED_JOB = "r.state = 'queued' AND j.id IS NULL"

interface StoredBatch {
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
  ignored_columns: string | null
  error: string | null
  started_at: number | null
  finished_at: number | null
  created_at: number
  updated_at: number
}

const BATCH_COLUMNS = `id, name, status, source_label, source_file, source_format, encoding, delimiter, sheet, project_id, config,
  template, total_rows, imported, ignored_columns, error, started_at, finished_at, created_at, updated_at`

function record(b: StoredBatch): BatchRecord {
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    sourceLabel: b.source_label,
    sourceFile: b.source_file,
    sourceFormat: b.source_format,
    encoding: b.encoding,
    delimiter: b.delimiter,
    sheet: b.sheet,
    projectId: b.project_id,
    config: b.config,
    template: b.template,
    totalRows: b.total_rows,
    imported: b.imported === 1,
    ignoredColumns: b.ignored_columns ? (JSON.parse(b.ignored_columns) as string[]) : [],
    error: b.error,
    startedAt: b.started_at,
    finishedAt: b.finished_at,
    createdAt: b.created_at,
    updatedAt: b.updated_at
  }
}

export class SqliteBatchStore implements BatchStore {
  constructor(private readonly db: Db) {}

  insert(b: NewBatch): void {
    prep(
      this.db,
      `INSERT INTO batches (id, name, status, source_label, source_file, sheet, project_id, config, template, created_at, updated_at)
       VALUES (?, ?, 'idle', ?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(b.id, b.name, b.sourceLabel, b.sourceFile, b.sheet, b.projectId, b.config, b.template, b.now, b.now)
  }

  get(id: string): BatchRecord | undefined {
    const b = prep<[string], StoredBatch>(this.db, `SELECT ${BATCH_COLUMNS} FROM batches WHERE id = ?`).get(id)
    return b && record(b)
  }

  withPrefix(prefix: string): BatchRecord[] {
    return prep<[string, string], StoredBatch>(this.db, `SELECT ${BATCH_COLUMNS} FROM batches WHERE substr(id, 1, length(?)) = ? LIMIT 2`)
      .all(prefix, prefix)
      .map(record)
  }

  list(): BatchRecord[] {
    return prep<[], StoredBatch>(this.db, `SELECT ${BATCH_COLUMNS} FROM batches ORDER BY created_at DESC`).all().map(record)
  }

  runningIds(): string[] {
    return prep<[], { id: string }>(this.db, "SELECT id FROM batches WHERE status = 'running' AND imported = 1")
      .all()
      .map((b) => b.id)
  }

  changedSince(since: number): string[] {
    return prep<[number], { id: string }>(this.db, 'SELECT id FROM batches WHERE updated_at >= ?')
      .all(since)
      .map((b) => b.id)
  }

  remove(id: string): void {
    prep(this.db, 'DELETE FROM batches WHERE id = ?').run(id)
  }

  setColumns(id: string, ignoredColumns: string[], headers: string[]): void {
    prep(this.db, 'UPDATE batches SET ignored_columns = ?, headers = ? WHERE id = ?').run(JSON.stringify(ignoredColumns), JSON.stringify(headers), id)
  }

  addRows(id: string, rows: readonly RowImport[], now: number): { added: number; invalid: number } {
    const insert = prep(this.db, 'INSERT OR IGNORE INTO batch_rows (batch_id, row_number, state, input, error, priority, cells) VALUES (?, ?, ?, ?, ?, ?, ?)')
    // Not fsynced: an fsync per chunk held the engine's thread up to ~90 ms on a busy disk, and
    // every request waited behind it. Still atomic and safe against a crash or kill -9; a power
    // cut can only lose rows that the import reads again from the batch's own copy of the sheet
    // (it is not marked imported until then, and that commit, fsynced, covers every row before it).
    return inTransaction(
      this.db,
      () => {
        const stored = { added: 0, invalid: 0 }
        for (const r of rows) {
          const { changes } = insert.run(id, r.rowNumber, r.state, r.input === null ? null : JSON.stringify(r.input), r.error, r.priority, JSON.stringify(r.cells))
          stored.added += changes
          if (r.state === 'invalid') stored.invalid += changes
        }
        prep(this.db, 'UPDATE batches SET updated_at = ? WHERE id = ?').run(now, id)
        return stored
      },
      { durable: false }
    )
  }

  rowCount(id: string): number {
    return prep<[string], { n: number }>(this.db, 'SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = ?').get(id)!.n
  }

  markImported(id: string, d: { totalRows: number; format: string; encoding: string | null; delimiter: string | null; now: number }): void {
    prep(this.db, 'UPDATE batches SET imported = 1, total_rows = ?, source_format = ?, encoding = ?, delimiter = ?, updated_at = ? WHERE id = ?').run(
      d.totalRows,
      d.format,
      d.encoding,
      d.delimiter,
      d.now,
      id
    )
  }

  markFailed(id: string, error: string, now: number): void {
    prep(this.db, "UPDATE batches SET status = 'error', error = ?, updated_at = ? WHERE id = ?").run(error, now, id)
  }

  setStatus(id: string, status: BatchStatus, o: { started?: boolean; finished?: boolean; reopen?: boolean }, now: number): void {
    prep(
      this.db,
      `UPDATE batches SET status = ?, updated_at = ?,
         started_at = CASE WHEN ? THEN COALESCE(started_at, ?) ELSE started_at END,
         finished_at = CASE WHEN ? THEN ? WHEN ? THEN NULL ELSE finished_at END
       WHERE id = ?`
    ).run(status, now, o.started ? 1 : 0, now, o.finished ? 1 : 0, now, o.reopen ? 1 : 0, id)
  }

  forgetRun(id: string, now: number): void {
    inTransaction(this.db, () => {
      prep(this.db, "UPDATE batch_rows SET state = 'ready', job_id = NULL WHERE batch_id = ? AND state = 'queued'").run(id)
      prep(this.db, "UPDATE batches SET status = 'idle', error = NULL, started_at = NULL, finished_at = NULL, updated_at = ? WHERE id = ?").run(now, id)
    })
  }

  readyRows(id: string, limit: number): RowToQueue[] {
    return prep<[string, number], { row_number: number; input: string; priority: number; cells: string | null }>(
      this.db,
      "SELECT row_number, input, priority, cells FROM batch_rows WHERE batch_id = ? AND state = 'ready' ORDER BY priority, row_number LIMIT ?"
    )
      .all(id, limit)
      .map((r) => ({ rowNumber: r.row_number, input: JSON.parse(r.input) as Record<string, unknown>, priority: r.priority, cells: r.cells }))
  }

  readyCount(id: string): number {
    return prep<[string], { n: number }>(this.db, "SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = ? AND state = 'ready'").get(id)!.n
  }

  markQueued(id: string, links: ReadonlyArray<{ rowNumber: number; jobId: string }>): void {
    const mark = prep(this.db, "UPDATE batch_rows SET state = 'queued', job_id = ? WHERE batch_id = ? AND row_number = ?")
    inTransaction(this.db, () => {
      for (const l of links) mark.run(l.jobId, id, l.rowNumber)
    })
  }

  requeueRow(id: string, rowNumber: number): void {
    prep(this.db, "UPDATE batch_rows SET state = 'ready', job_id = NULL WHERE batch_id = ? AND row_number = ?").run(id, rowNumber)
  }

  requeueDeletedRows(id: string): number {
    return prep(
      this.db,
      `UPDATE batch_rows SET state = 'ready', job_id = NULL
       WHERE batch_id = ? AND state = 'queued' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = batch_rows.job_id)`
    ).run(id).changes
  }

  deletedRowCount(id: string): number {
    return prep<[string], { n: number }>(this.db, `SELECT COUNT(*) AS n FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = ? AND ${DELETED_JOB}`).get(id)!
      .n
  }

  queuedRows(id: string): RowJobLink[] {
    return prep<[string], { row_number: number; job_id: string | null; status: string | null }>(
      this.db,
      `SELECT r.row_number, r.job_id, j.status FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
       WHERE r.batch_id = ? AND r.state = 'queued'`
    )
      .all(id)
      .map((r) => ({ rowNumber: r.row_number, jobId: r.job_id, jobStatus: r.status }))
  }

  jobsOf(id: string, statuses: readonly JobStatusName[]): string[] {
    return prep<unknown[], { id: string }>(
      this.db,
      `SELECT j.id FROM batch_rows r JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = ? AND j.status IN (${statuses.map(() => '?').join(',')}) ORDER BY r.row_number`
    )
      .all(id, ...statuses)
      .map((r) => r.id)
  }

  /**
   * Read from the jobs' own index (batch, status): it costs the same for a batch of 100 000 rows
   * as for one of ten, and it runs after every job the batch finishes (joining its rows to their
   * jobs did that for every row, each time).
   */
  openJobs(id: string): number {
    return prep<[string], { n: number }>(this.db, "SELECT COUNT(*) AS n FROM jobs WHERE batch_id = ? AND status IN ('pending','processing','paused')").get(id)!.n
  }

  hasRowsLeft(id: string): boolean {
    return (
      prep<[string, string], { left: number }>(
        this.db,
        `SELECT EXISTS (SELECT 1 FROM batch_rows WHERE batch_id = ? AND state = 'ready')
             OR EXISTS (SELECT 1 FROM jobs WHERE batch_id = ? AND status IN ('pending','processing','paused')) AS left`
      ).get(id, id)!.left === 1
    )
  }

  batchOfJob(jobId: string): string | null {
    return prep<[string], { batch_id: string }>(this.db, 'SELECT batch_id FROM batch_rows WHERE job_id = ?').get(jobId)?.batch_id ?? null
  }
}
