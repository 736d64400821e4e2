/**
 * Batches and their rows on the studio farm's PostgreSQL: what store/batches.ts does for SQLite,
 * for the farm's two sides.
 *
 * The feeding side (farm/batch-feeder.ts, run by every worker and by the machine that starts a
 * batch): a running batch's ready rows become jobs as the queue drains. Several machines may feed
 * at once, so one feed is one transaction that first takes the batch's row with
 * `FOR UPDATE SKIP LOCKED` — a second feeder passes the batch by instead of waiting — and creates
 * the rows' jobs (the job store's enqueue, in that same transaction) before marking them queued:
 * each ready row gets exactly one job. Every write to a batch's rows or status takes the same row
 * lock first (FOR UPDATE, waiting), so a stop or a reset never interleaves with a feed.
 *
 * The user's side (farm/farm-batches.ts): creating a batch whose rows were read on the creating
 * machine, chunk by chunk; its controls; and what its view is built from (farm-batch-reports.ts).
 *
 * Each change to a batch is NOTIFYed on FARM_BATCHES_CHANNEL (delivered at commit), naming the
 * batches, so that every window on the farm shows it (a batch's jobs' own notices do not say
 * when the batch completes, stops or is reset).
 */
import type { BatchStatus } from '../../../../shared/types'
import type { BatchRecord, JobStatusName, RowImport } from '../batches'
import pg from 'pg'

/** A pool, or a transaction's handle (job-transaction.ts's JobTx): anything that runs a statement. */
export interface Queryable {
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>
}

export const FARM_BATCHES_CHANNEL = 'studio_farm_batches'
/** The wake-up reason (wake.ts's channel) that makes workers feed running batches at once. */
export const BATCHES_WAKE = 'batches'

const OPEN = "('pending','processing','paused')"

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v))

const BATCH_COLUMNS = `id, name, status, source_label, source_file, source_format, encoding, delimiter, sheet, project_id, config,
  template, total_rows, imported, ignored_columns, error, started_at, finished_at, created_at, updated_at`

function record(b: Record<string, unknown>): BatchRecord {
  return {
    id: b.id as string,
    name: b.name as string,
    status: b.status as BatchStatus,
    sourceLabel: b.source_label as string,
    sourceFile: b.source_file as string,
    sourceFormat: (b.source_format as string | null) ?? null,
    encoding: (b.encoding as string | null) ?? null,
    delimiter: (b.delimiter as string | null) ?? null,
    sheet: (b.sheet as string | null) ?? null,
    projectId: b.project_id as string,
    config: b.config as string,
    template: (b.template as string | null) ?? null,
    totalRows: num(b.total_rows),
    imported: num(b.imported) === 1,
    ignoredColumns: b.ignored_columns ? (JSON.parse(b.ignored_columns as string) as string[]) : [],
    error: (b.error as string | null) ?? null,
    startedAt: numOrNull(b.started_at),
    finishedAt: numOrNull(b.finished_at),
    createdAt: num(b.created_at),
    updatedAt: num(b.updated_at)
  }
}

/** Tell every window these batches changed; delivered when the caller's transaction commits. */
export async function notifyBatchesChanged(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  const payload = JSON.stringify({ changed: ids })
  await db.query('SELECT pg_notify($1, $2)', [FARM_BATCHES_CHANNEL, payload.length < 7_800 ? payload : JSON.stringify({ all: true })])
}

// ------------------------------------------------------------------ feeding

/** Ids of the running batches whose rows are all in. */
export async function runningFarmBatches(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM batches WHERE status = 'running' AND imported = 1 ORDER BY created_at")
  return rows.map((r) => r.id)
}

/**
 * The batch, locked for this transaction, if it is running with its rows in and no other
 * transaction holds it (another machine feeding it, or a control: null, passed by).
 */
export async function lockRunningBatch(tx: Queryable, id: string): Promise<BatchRecord | null> {
  const { rows } = await tx.query(`SELECT ${BATCH_COLUMNS} FROM batches WHERE id = $1 AND status = 'running' AND imported = 1 FOR UPDATE SKIP LOCKED`, [id])
  return rows[0] ? record(rows[0]) : null
}

/** The batch, locked for this transaction (waiting for a feed that holds it), or null. */
export async function lockBatch(tx: Queryable, id: string): Promise<BatchRecord | null> {
  const { rows } = await tx.query(`SELECT ${BATCH_COLUMNS} FROM batches WHERE id = $1 FOR UPDATE`, [id])
  return rows[0] ? record(rows[0]) : null
}

/** The batch's jobs still queued, running or paused (the jobs' (batch, status) index). */
export async function openBatchJobs(db: Queryable, id: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE batch_id = $1 AND status IN ${OPEN}`, [id])
  return rows[0]!.n
}

/** A ready row about to get its job: its input as stored (paths in the farm's stored form). */
export interface FarmRowToQueue {
  rowNumber: number
  input: Record<string, unknown>
  priority: number
  cells: string | null
}

/** Most urgent ready rows first (the sheet's priority column), then in sheet order. */
export async function readyFarmRows(db: Queryable, id: string, limit: number): Promise<FarmRowToQueue[]> {
  const { rows } = await db.query<{ row_number: number; input: string; priority: number; cells: string | null }>(
    "SELECT row_number, input, priority, cells FROM batch_rows WHERE batch_id = $1 AND state = 'ready' ORDER BY priority, row_number LIMIT $2",
    [id, limit]
  )
  return rows.map((r) => ({ rowNumber: r.row_number, input: JSON.parse(r.input) as Record<string, unknown>, priority: r.priority, cells: r.cells }))
}

/** Link rows to the jobs just made for them (same transaction as the jobs). */
export async function markFarmRowsQueued(tx: Queryable, id: string, links: ReadonlyArray<{ rowNumber: number; jobId: string }>): Promise<void> {
  if (links.length === 0) return
  await tx.query(
    `UPDATE batch_rows r SET state = 'queued', job_id = l.job_id
       FROM unnest($2::int[], $3::text[]) AS l(row_number, job_id)
      WHERE r.batch_id = $1 AND r.row_number = l.row_number AND r.state = 'ready'`,
    [id, links.map((l) => l.rowNumber), links.map((l) => l.jobId)]
  )
}

/** A running batch with no ready row and no open job is completed; true when this call did it. */
export async function completeFarmBatchIfDone(tx: Queryable, id: string, now: number): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE batches SET status = 'completed', finished_at = $2, updated_at = $2
      WHERE id = $1 AND status = 'running' AND imported = 1
        AND NOT EXISTS (SELECT 1 FROM batch_rows WHERE batch_id = $1 AND state = 'ready')
        AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_id = $1 AND status IN ${OPEN})`,
    [id, now]
  )
  return rowCount === 1
}

/** Workers whose heartbeat is fresh and which are not leaving. */
export async function liveWorkerCount(db: Queryable, now: number, staleAfterMs: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM workers WHERE heartbeat_at >= $1 AND NOT stopping', [now - staleAfterMs])
  return rows[0]!.n
}

// ------------------------------------------------------------------ the user's side

export interface NewFarmBatch {
  id: string
  name: string
  sourceLabel: string
  /** Where the sheet was read: its rows are in the farm, the file stays on that machine. */
  sourceFile: string
  sheet: string | null
  projectId: string
  config: string
  template: string | null
  now: number
}

export async function insertFarmBatch(db: Queryable, b: NewFarmBatch): Promise<void> {
  await db.query(
    `INSERT INTO batches (id, name, status, source_label, source_file, sheet, project_id, config, template, created_at, updated_at)
     VALUES ($1, $2, 'idle', $3, $4, $5, $6, $7, $8, $9, $9)`,
    [b.id, b.name, b.sourceLabel, b.sourceFile, b.sheet, b.projectId, b.config, b.template, b.now]
  )
}

export async function setFarmBatchColumns(db: Queryable, id: string, ignoredColumns: string[], headers: string[]): Promise<void> {
  await db.query('UPDATE batches SET ignored_columns = $2, headers = $3 WHERE id = $1', [id, JSON.stringify(ignoredColumns), JSON.stringify(headers)])
}

/** One chunk of rows in one statement; rows already there are kept. Returns how many were added, and how many of those refused. */
export async function addFarmRows(db: Queryable, id: string, rows: readonly RowImport[], now: number): Promise<{ added: number; invalid: number }> {
  if (rows.length === 0) return { added: 0, invalid: 0 }
  const { rows: added } = await db.query<{ state: string }>(
    `WITH added AS (
       INSERT INTO batch_rows (batch_id, row_number, state, input, error, priority, cells)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[])
       ON CONFLICT (batch_id, row_number) DO NOTHING RETURNING state
     ), touched AS (UPDATE batches SET updated_at = $8 WHERE id = $1)
     SELECT state FROM added`,
    [
      id,
      rows.map((r) => r.rowNumber),
      rows.map((r) => r.state),
      rows.map((r) => (r.input === null ? null : JSON.stringify(r.input))),
      rows.map((r) => r.error),
      rows.map((r) => r.priority),
      rows.map((r) => JSON.stringify(r.cells)),
      now
    ]
  )
  return { added: added.length, invalid: added.filter((r) => r.state === 'invalid').length }
}

export async function farmRowCount(db: Queryable, id: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM batch_rows WHERE batch_id = $1', [id])
  return rows[0]!.n
}

export async function markFarmBatchImported(
  db: Queryable,
  id: string,
  d: { totalRows: number; format: string; encoding: string | null; delimiter: string | null; now: number }
): Promise<void> {
  await db.query('UPDATE batches SET imported = 1, total_rows = $2, source_format = $3, encoding = $4, delimiter = $5, updated_at = $6 WHERE id = $1', [
    id,
    d.totalRows,
    d.format,
    d.encoding,
    d.delimiter,
    d.now
  ])
}

export async function removeFarmBatch(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM batches WHERE id = $1', [id])
}

export async function getFarmBatch(db: Queryable, id: string): Promise<BatchRecord | undefined> {
  const { rows } = await db.query(`SELECT ${BATCH_COLUMNS} FROM batches WHERE id = $1`, [id])
  return rows[0] ? record(rows[0]) : undefined
}

/** Batches whose id starts with `prefix` (characters, not a LIKE pattern), at most two. */
export async function farmBatchesWithPrefix(db: Queryable, prefix: string): Promise<BatchRecord[]> {
  const { rows } = await db.query(`SELECT ${BATCH_COLUMNS} FROM batches WHERE left(id, length($1)) = $1 LIMIT 2`, [prefix])
  return rows.map(record)
}

/** Newest first. */
export async function listFarmBatches(db: Queryable): Promise<BatchRecord[]> {
  const { rows } = await db.query(`SELECT ${BATCH_COLUMNS} FROM batches ORDER BY created_at DESC, id`)
  return rows.map(record)
}

/** Set the status; `started` keeps the first start time, `finished` sets the end, `reopen` clears it. */
export async function setFarmBatchStatus(
  tx: Queryable,
  id: string,
  status: BatchStatus,
  o: { started?: boolean; finished?: boolean; reopen?: boolean },
  now: number
): Promise<void> {
  await tx.query(
    `UPDATE batches SET status = $2, updated_at = $3,
       started_at = CASE WHEN $4 THEN COALESCE(started_at, $3) ELSE started_at END,
       finished_at = CASE WHEN $5 THEN $3 WHEN $6 THEN NULL ELSE finished_at END
     WHERE id = $1`,
    [id, status, now, o.started === true, o.finished === true, o.reopen === true]
  )
}

/** Reset: every row that had a job is ready again with no job, and the batch is idle with no times. */
export async function forgetFarmRun(tx: Queryable, id: string, now: number): Promise<void> {
  await tx.query("UPDATE batch_rows SET state = 'ready', job_id = NULL WHERE batch_id = $1 AND state = 'queued'", [id])
  await tx.query("UPDATE batches SET status = 'idle', error = NULL, started_at = NULL, finished_at = NULL, updated_at = $2 WHERE id = $1", [id, now])
}

/** The batch's jobs in these statuses, in row order. */
export async function farmJobsOf(db: Queryable, id: string, statuses: readonly JobStatusName[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT j.id FROM batch_rows r JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = $1 AND j.status = ANY($2::text[]) ORDER BY r.row_number',
    [id, [...statuses]]
  )
  return rows.map((r) => r.id)
}

/** The rows that have a job or lost it, with the job's status (null: deleted). */
export async function farmQueuedRows(db: Queryable, id: string): Promise<Array<{ rowNumber: number; jobId: string | null; jobStatus: string | null }>> {
  const { rows } = await db.query<{ row_number: number; job_id: string | null; status: string | null }>(
    "SELECT r.row_number, r.job_id, j.status FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = $1 AND r.state = 'queued'",
    [id]
  )
  return rows.map((r) => ({ rowNumber: r.row_number, jobId: r.job_id, jobStatus: r.status }))
}

/** Rows whose job was deleted go back to 'ready' (all of them, or those numbered), to get a new job. Returns how many. */
export async function requeueFarmDeletedRows(tx: Queryable, id: string, rowNumbers?: readonly number[]): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE batch_rows SET state = 'ready', job_id = NULL
      WHERE batch_id = $1 AND state = 'queued' AND ($2::int[] IS NULL OR row_number = ANY($2::int[]))
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = batch_rows.job_id)`,
    [id, rowNumbers ? [...rowNumbers] : null]
  )
  return rowCount ?? 0
}

export async function farmReadyCount(db: Queryable, id: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM batch_rows WHERE batch_id = $1 AND state = 'ready'", [id])
  return rows[0]!.n
}

/** What a batch notice says: the batches that changed, or `all` when too many to name. */
export interface FarmBatchNotice {
  changed?: string[]
  all?: true
}

export interface BatchChangeListener {
  close(): Promise<void>
}

/**
 * Hear batch changes on a dedicated connection (a pooled one would be handed to others with the
 * LISTEN still on it). An unreadable payload is skipped; `onError` hears a lost connection.
 */
export async function listenForBatchChanges(url: string, onNotice: (notice: FarmBatchNotice) => void, onError: (err: Error) => void = () => undefined): Promise<BatchChangeListener> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 })
  client.on('notification', (n) => {
    if (n.channel !== FARM_BATCHES_CHANNEL || !n.payload) return
    try {
      onNotice(JSON.parse(n.payload) as FarmBatchNotice)
    } catch {
      // A newer release's notice: skipped.
    }
  })
  client.on('error', onError)
  await client.connect()
  await client.query(`LISTEN ${FARM_BATCHES_CHANNEL}`)
  return {
    close: async () => {
      client.removeAllListeners('notification')
      await client.end().catch(() => undefined)
    }
  }
}
