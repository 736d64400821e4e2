import type { Db } from '../store/database'

/**
 * What a batch row's job link means, in one place. A row is 'queued' from the moment its job is
 * created (same transaction), so a 'queued' row whose job no longer exists had its job deleted
 * (`studio rm`, the queue's Remove, a cleanup) — possibly by another process, which is why this
 * is read from the link rather than recorded when the deletion happens. Such a row is settled:
 * it counts as failed ("job deleted") and "retry failed" runs it again.
 */
export const DELETED_JOB = "r.state = 'queued' AND j.id IS NULL"

/**
 * The batch's jobs still queued, running or paused. Read from the jobs' own index (batch, status):
 * it costs the same for a batch of 100 000 rows as for one of ten, and it runs after every job
 * the batch finishes (joining its rows to their jobs did that for every row, each time).
 */
export function openJobs(db: Db, batchId: string): number {
  return db
    .prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE batch_id = ? AND status IN ('pending','processing','paused')")
    .get(batchId)!.n
}

/** Does the batch still have work ahead: rows not imported into a job yet, or jobs not finished? */
export function hasRowsLeft(db: Db, batchId: string): boolean {
  return (
    db
      .prepare<[string, string], { left: number }>(
        `SELECT EXISTS (SELECT 1 FROM batch_rows WHERE batch_id = ? AND state = 'ready')
             OR EXISTS (SELECT 1 FROM jobs WHERE batch_id = ? AND status IN ('pending','processing','paused')) AS left`
      )
      .get(batchId, batchId)!.left === 1
  )
}

/** Rows whose job was deleted go back to 'ready', to get a new job. Returns how many. */
export function requeueDeletedRows(db: Db, batchId: string): number {
  return db
    .prepare(
      `UPDATE batch_rows SET state = 'ready', job_id = NULL
       WHERE batch_id = ? AND state = 'queued' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = batch_rows.job_id)`
    )
    .run(batchId).changes
}

export function deletedRowCount(db: Db, batchId: string): number {
  return db
    .prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = ? AND ${DELETED_JOB}`)
    .get(batchId)!.n
}

/** Reset: every row that had a job is 'ready' again with no job; invalid rows keep their reason. */
export function forgetRowJobs(db: Db, batchId: string): void {
  db.prepare("UPDATE batch_rows SET state = 'ready', job_id = NULL WHERE batch_id = ? AND state = 'queued'").run(batchId)
}

/** The batch a (possibly already deleted) job belonged to, through its row. */
export function batchOfJob(db: Db, jobId: string): string | null {
  return db.prepare<[string], { batch_id: string }>('SELECT batch_id FROM batch_rows WHERE job_id = ?').get(jobId)?.batch_id ?? null
}
