import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type BatchPreview, type BatchRowStatus, type BatchRowsPage, type BatchStatus, type BatchView } from '../../../shared/types'
import type { BatchSource } from '../../../shared/contract'
import type { Engine } from '../engine'
import { QueueError } from '../errors'
import { inTransaction, isDatabaseLocked } from '../store/database'
import { Coalescer } from '../events'
import type { PipelineDefinition } from '../pipelines/types'
import { parseBatchConfig, type BatchConfig } from './config'
import { noRowsReason } from './no-rows'
import { batchOfJob, deletedRowCount, forgetRowJobs, hasRowsLeft, openJobs, requeueDeletedRows } from './row-states'
import { openRowSource, resolveMapping, PUBLIC_ADDRESSES_ONLY, type NetworkPolicy, type RowSource } from './sources'
import { rowInputBuilder } from './row-input'
import { loadLanguageDetector } from './row-language'
import { clipText } from './sources/errors'
import { sheetOfCopy, stageSource } from './staging'
import { loadTemplate } from './templates'
import { batchView, type BatchRow } from './view'
import { rowTitle } from './row-title'
import { batchRowsPage } from './rows-page'

const IMPORT_CHUNK = 500
/** Longest reason a refused or failed import keeps (it names the file, the sheet, the columns). */
const MAX_STORED_ERROR_CHARS = 2_000

export interface CreateBatchRequest {
  source: BatchSource
  sheet?: string | undefined
  name?: string | undefined
  projectId?: string | undefined
  config?: unknown
}

/** Live batch updates at most this often... */
const ANNOUNCE_EVERY_MS = 250
/** ...and no sooner than this many times what the last one took to build. */
const ANNOUNCE_COST_FACTOR = 5

/**
 * Seed 3's BatchProcessor, durable: a batch copies its spreadsheet into the data folder, imports
 * and validates every row once, then feeds the queue a few jobs at a time (so two batches and the
 * user's single jobs share the pool fairly). Every state lives in SQLite: after a crash the
 * batch picks up where it was, and each row's job is created in the same transaction that marks
 * the row queued, so no row ever runs twice.
 */
export class BatchManager {
  private readonly changes: Coalescer<null>
  /** How long each batch's view took to build last time (ms). */
  private readonly viewCost = new Map<string, number>()
  private readonly importing = new Map<string, Promise<void>>()
  /**
   * Batches whose creation is still waiting on their import: not announced yet, since a batch
   * whose rows cannot be read is removed and never shown (the caller gets the reason instead).
   */
  private readonly creating = new Set<string>()
  private unsubscribe: (() => void) | null = null
  private unsubscribeExternal: (() => void) | null = null
  private sweep: NodeJS.Timeout | null = null
  /** The lock of another process was reported (see feedSafely): said once per episode. */
  private lockedSaid = false

  constructor(private readonly engine: Engine<any>) {
    // A batch's view is rebuilt from all its rows: ~5 ms at 1 000 rows, over a second at 100 000
    // (bench/batch/feed.ts). Live updates are spaced so that rebuilding it takes at most a fifth
    // of the engine's time, whatever the batch's size; small batches still update 4 times a second.
    this.changes = new Coalescer(
      (id) => Math.max(ANNOUNCE_EVERY_MS, ANNOUNCE_COST_FACTOR * (this.viewCost.get(id) ?? 0)),
      (id) => this.announce(id)
    )
  }

  private get db() {
    return this.engine.db
  }

  private get dir() {
    return join(this.engine.dataDir, 'batches')
  }

  /** Resume unfinished imports and running batches (after a restart or a crash), and follow job events. */
  start(): void {
    if (this.unsubscribe) return
    // Loaded now, in the background, rather than in the first import's time (a command that
    // only reads the queue never starts the manager, and never pays for it).
    loadLanguageDetector().catch(() => {}) // a failure to load is reported by the import that needs it
    this.unsubscribe = this.engine.events.subscribe((e) => {
      if (e.type === 'job.removed') {
        // Its row now points at nothing, which settles it ("job deleted"): maybe the batch is done.
        const batchId = this.db.open ? batchOfJob(this.db, e.jobId) : null
        if (batchId) this.rowSettled(batchId)
        return
      }
      if (e.type === 'queue.changed') {
        // Paused or resumed: running batches lose or regain their end time.
        for (const b of this.rows()) if (b.status === 'running') this.changes.push(b.id, null)
        return
      }
      if (e.type !== 'job.changed') return
      const batchId = e.job.batchId
      if (!batchId) return
      const finished = e.job.status === 'completed' || e.job.status === 'failed' || e.job.status === 'cancelled'
      if (finished) this.rowSettled(batchId)
      else this.changes.push(batchId, null)
    })
    for (const b of this.rows()) {
      if (!b.imported && b.status !== 'error') void this.runImport(b.id)
    }
    this.feedAll()
    // A batch created, paused or resumed by another process (the CLI next to the app) is shown
    // as it changes, not at the next reload.
    this.unsubscribeExternal = this.engine.pool.external.onChange((since) => {
      for (const { id } of this.db.prepare<[number], { id: string }>('SELECT id FROM batches WHERE updated_at >= ?').all(since)) {
        this.changes.push(id, null)
      }
    })
    // Batches can be resumed from another process (CLI next to the app): look now and then.
    this.sweep = setInterval(() => this.feedAll(), 2_000)
    this.sweep.unref?.()
  }

  stop(): void {
    // Last look before the database closes: a batch whose last row just finished is recorded as
    // completed now, not left "running" at 100 % with no finish time.
    if (this.db.open) for (const id of this.runningIds()) this.finishIfDone(id)
    this.unsubscribe?.()
    this.unsubscribe = null
    this.unsubscribeExternal?.()
    this.unsubscribeExternal = null
    if (this.sweep) clearInterval(this.sweep)
    this.sweep = null
    this.changes.clear()
  }

  /**
   * A row's job finished or was deleted: top the batch up and record its completion at once, not
   * on a later tick — `studio run --until-idle` sees an idle pool and closes the database right
   * after the last job's event, so a deferred feed would neither queue the next rows nor finish.
   */
  private rowSettled(batchId: string): void {
    if (!this.db.open) return
    // Events are announced after commits; should one come from inside a transaction, wait for it.
    if (this.db.inTransaction) {
      setImmediate(() => this.rowSettled(batchId))
      return
    }
    this.feedSafely(batchId)
    this.changes.push(batchId, null)
  }

  /**
   * A top-up from a timer or an event: another process may hold the database past the busy
   * timeout (an import, a cleanup). Nothing is lost — the rows stay ready — and the next sweep
   * (every 2 s) or finished job tops the batch up again; said once, not at every try.
   */
  private feedSafely(id: string): void {
    try {
      this.feed(id)
      this.lockedSaid = false
    } catch (err) {
      if (!isDatabaseLocked(err)) throw err
      if (!this.lockedSaid) console.warn('batches: the database is locked by another process; rows are queued once it is free')
      this.lockedSaid = true
    }
  }

  private feedAll(): void {
    for (const id of this.runningIds()) this.feedSafely(id)
  }

  private runningIds(): string[] {
    return this.db.prepare<[], { id: string }>("SELECT id FROM batches WHERE status = 'running' AND imported = 1").all().map((b) => b.id)
  }

  /** Headers, a few rows and the column mapping a batch would use, without creating anything. */
  async preview(source: BatchSource, sheet?: string, configInput: unknown = {}, options: { network?: NetworkPolicy } = {}): Promise<BatchPreview> {
    const config = parseBatchConfig(configInput, 'config')
    const staged = await stageSource(source, join(this.dir, 'previews', randomUUID()), sheet, options.network ?? PUBLIC_ADDRESSES_ONLY)
    try {
      const copySheet = sheetOfCopy(staged.file, sheet)
      const rows = await openRowSource(staged.file, { label: staged.label, ...(copySheet ? { sheet: copySheet } : {}) })
      try {
        const pipeline = this.pipeline(config.pipeline)
        const mapping = resolveMapping(rows.headers, config.mapping ?? {}, mappingOptions(pipeline))
        const sampleRows: BatchPreview['sampleRows'] = []
        for await (const row of rows.rows) {
          sampleRows.push({ rowNumber: row.rowNumber, values: row.values })
          if (sampleRows.length >= 5) break
        }
        return {
          headers: rows.headers,
          format: rows.format,
          encoding: rows.encoding ?? null,
          delimiter: rows.delimiter ?? null,
          sampleRows,
          mapping: Object.fromEntries(mapping.fields.map((f) => [f.field, f.column])),
          sheets: rows.sheetNames ?? staged.sheetNames ?? []
        }
      } finally {
        await rows.close()
      }
    } finally {
      await rm(staged.folder, { recursive: true, force: true })
    }
  }

  /**
   * The inputs of the jobs a batch would queue (its range of rows, each built as the import
   * builds it), without creating anything: what `batch/estimate` prices.
   */
  async rowsToQueue(
    request: Pick<CreateBatchRequest, 'source' | 'sheet' | 'config'>,
    options: { network?: NetworkPolicy } = {}
  ): Promise<{ pipeline: string; inputs: Record<string, unknown>[]; refused: number }> {
    const network = options.network ?? PUBLIC_ADDRESSES_ONLY
    const config = parseBatchConfig(request.config ?? {}, 'config')
    const pipeline = this.pipeline(config.pipeline)
    const staged = await stageSource(request.source, join(this.dir, 'previews', randomUUID()), request.sheet, network)
    try {
      const template = await this.scriptTemplate(config, network)
      const copySheet = sheetOfCopy(staged.file, request.sheet)
      const rows = await openRowSource(staged.file, {
        label: staged.label,
        ...(copySheet ? { sheet: copySheet } : {}),
        ...(config.rowRange ? { rowRange: config.rowRange } : {})
      })
      try {
        const mapping = resolveMapping(rows.headers, config.mapping ?? {}, mappingOptions(pipeline))
        const build = await rowInputBuilder({ pipeline, config, batchId: 'estimate', template, format: rows.format, headers: rows.headers, mapping })
        const inputs: Record<string, unknown>[] = []
        let refused = 0
        for await (const row of rows.rows) {
          const outcome = build(row)
          if (outcome.state === 'ready') inputs.push(outcome.input)
          else refused++
        }
        return { pipeline: config.pipeline, inputs, refused }
      } finally {
        await rows.close()
      }
    } finally {
      await rm(staged.folder, { recursive: true, force: true })
    }
  }

  /**
   * Create a batch: validate the config, keep a private copy of the rows (so a resumed batch does
   * not depend on the network or on a file the user moved), then import the rows. With `waitMs`,
   * answer after at most that long: a large sheet goes on importing in the background, its view
   * showing the rows read so far (the UI shows the batch at once instead of a frozen dialog).
   */
  async create(request: CreateBatchRequest, options: { waitMs?: number; network?: NetworkPolicy } = {}): Promise<BatchView> {
    // Links (and template links) reach public internet addresses only, unless the caller (the CLI, asked to) allows more.
    const network = options.network ?? PUBLIC_ADDRESSES_ONLY
    const config = parseBatchConfig(request.config ?? {}, 'config')
    this.pipeline(config.pipeline)
    const id = randomUUID()
    const folder = join(this.dir, id)
    let staged: Awaited<ReturnType<typeof stageSource>>
    let template: Awaited<ReturnType<BatchManager['scriptTemplate']>>
    try {
      staged = await stageSource(request.source, folder, request.sheet, network)
      template = await this.scriptTemplate(config, network)
    } catch (err) {
      await rm(folder, { recursive: true, force: true })
      throw err
    }
    const now = Date.now()
    this.db
      .prepare(
        `INSERT INTO batches (id, name, status, source_label, source_file, sheet, project_id, config, template, created_at, updated_at)
         VALUES (?, ?, 'idle', ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        id,
        request.name?.trim() || staged.label,
        staged.label,
        staged.file,
        request.sheet ?? null,
        request.projectId ?? 'default',
        JSON.stringify(config),
        template ? JSON.stringify(template) : null,
        now,
        now
      )
    this.creating.add(id)
    let imported = true
    try {
      const importing = this.runImport(id)
      if (options.waitMs === undefined) await importing
      else {
        let timer: NodeJS.Timeout | undefined
        const waited = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), options.waitMs)))
        imported = await Promise.race([importing.then(() => true), waited])
        clearTimeout(timer)
      }
    } finally {
      this.creating.delete(id)
    }
    // Rows that could not be read while the caller waited (empty sheet, broken file, a range past
    // the last row): the reason is the answer, and no batch is left that could never run. An
    // import still going on in the background reports its failure on the batch itself.
    const failed = imported ? this.row(id) : undefined
    if (failed?.status === 'error') {
      await this.remove(id)
      throw new QueueError('bad_request', failed.error ?? 'the rows could not be imported')
    }
    this.changes.push(id, null)
    return this.view(id)
  }

  /** The template's script prompt, rendered per row at import (seed 3's templates). */
  private async scriptTemplate(config: BatchConfig, network: NetworkPolicy): Promise<{ source: string; path: string; script: string } | null> {
    if (config.pipeline !== 'video') return null
    const loaded = await loadTemplate(config.template, { localRoot: this.engine.dataDir, cacheDir: join(this.engine.dataDir, 'cache'), network })
    const script = loaded.template.prompts.script?.text
    if (!script) return null
    return { source: loaded.source, path: loaded.path, script }
  }

  private runImport(id: string): Promise<void> {
    const running = this.importing.get(id)
    if (running) return running
    const task = this.importRows(id).finally(() => this.importing.delete(id))
    this.importing.set(id, task)
    return task
  }

  /** Stream the rows in, validate each, store them in chunks. Re-running after a crash skips rows already stored. */
  private async importRows(id: string): Promise<void> {
    const batch = this.row(id)
    const config = JSON.parse(batch.config) as BatchConfig
    const pipeline = this.pipeline(config.pipeline)
    const template = batch.template ? (JSON.parse(batch.template) as { script: string }) : null
    const sheet = sheetOfCopy(batch.source_file, batch.sheet)
    let source: RowSource
    try {
      source = await openRowSource(batch.source_file, {
        label: batch.source_label,
        ...(sheet ? { sheet } : {}),
        ...(config.rowRange ? { rowRange: config.rowRange } : {})
      })
    } catch (err) {
      this.fail(id, `cannot read the rows: ${(err as Error).message}`)
      return
    }
    try {
      const mapping = resolveMapping(source.headers, config.mapping ?? {}, mappingOptions(pipeline))
      this.db
        .prepare('UPDATE batches SET ignored_columns = ?, headers = ? WHERE id = ?')
        .run(JSON.stringify(mapping.unmappedColumns.map((c) => clipText(c))), JSON.stringify(source.headers.map((h) => clipText(h))), id)
      const build = await rowInputBuilder({ pipeline, config, batchId: id, template, format: source.format, headers: source.headers, mapping })
      const insert = this.db.prepare(
        'INSERT OR IGNORE INTO batch_rows (batch_id, row_number, state, input, error, priority, cells) VALUES (?, ?, ?, ?, ?, ?, ?)'
      )
      let chunk: Array<[number, 'ready' | 'invalid', string | null, string | null, number, string]> = []
      const flush = () => {
        const rows = chunk
        chunk = []
        inTransaction(this.db, () => {
          for (const r of rows) insert.run(id, ...r)
          this.db.prepare('UPDATE batches SET updated_at = ? WHERE id = ?').run(Date.now(), id)
        })
      }
      for await (const row of source.rows) {
        // The row's own cells, kept for the export and the results table.
        const cells = JSON.stringify(row.values)
        const outcome = build(row)
        chunk.push(
          outcome.state === 'ready'
            ? [row.rowNumber, 'ready', JSON.stringify(outcome.input), null, outcome.priority, cells]
            : [row.rowNumber, 'invalid', null, outcome.reason, outcome.priority, cells]
        )
        if (chunk.length >= IMPORT_CHUNK) {
          flush()
          this.changes.push(id, null) // rows read so far, announced at most every 250 ms
          // Let the event loop breathe (UI requests, running jobs) during a 100 000-row import.
          await new Promise((r) => setImmediate(r))
        }
      }
      flush()
      const total = this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = ?').get(id)!.n
      if (total === 0) {
        const reason = await noRowsReason({
          file: batch.source_file,
          label: batch.source_label,
          sheet,
          sheetName: batch.sheet,
          rowRange: config.rowRange
        })
        this.fail(id, reason)
        return
      }
      this.db
        .prepare('UPDATE batches SET imported = 1, total_rows = ?, source_format = ?, encoding = ?, delimiter = ?, updated_at = ? WHERE id = ?')
        .run(total, source.format, source.encoding ?? null, source.delimiter ?? null, Date.now(), id)
      this.changes.push(id, null)
      if (this.row(id).status === 'running') this.feed(id)
      else this.finishIfDone(id)
    } catch (err) {
      this.fail(id, (err as Error).message)
    } finally {
      await source.close()
    }
  }

  private fail(id: string, message: string): void {
    // Stored and answered: a message quoting a huge cell grew studio.db by its size, for good.
    this.db.prepare("UPDATE batches SET status = 'error', error = ?, updated_at = ? WHERE id = ?").run(clipText(message, MAX_STORED_ERROR_CHARS), Date.now(), id)
    this.changes.push(id, null)
  }

  // ------------------------------------------------------------------ control
  // Each control takes a batch id or a unique prefix of it (the CLI shows 8 characters); what
  // follows uses the full id, or a prefix would match no row and the command would do nothing.

  startBatch(idOrPrefix: string): BatchView {
    const b = this.require(idOrPrefix)
    const id = b.id
    if (b.status === 'running') return this.view(id)
    if (b.status !== 'idle') throw new QueueError('bad_state', `batch is ${b.status}; only an idle batch can be started (use resume or retry)`)
    this.setStatus(id, 'running', { started: true })
    this.feed(id)
    return this.view(id)
  }

  /** No new row starts; queued rows wait; running steps finish (then their jobs pause). */
  pause(idOrPrefix: string): BatchView {
    const b = this.require(idOrPrefix)
    const id = b.id
    if (b.status !== 'running') throw new QueueError('bad_state', `batch is ${b.status}; only a running batch can be paused`)
    this.setStatus(id, 'paused')
    for (const job of this.jobsOf(id, ['pending', 'processing'])) {
      try {
        this.engine.queue.pauseJob(job)
      } catch {
        // The job finished in between: nothing to pause.
      }
    }
    return this.view(id)
  }

  resume(idOrPrefix: string): BatchView {
    const b = this.require(idOrPrefix)
    const id = b.id
    if (b.status !== 'paused') throw new QueueError('bad_state', `batch is ${b.status}, not paused`)
    this.setStatus(id, 'running')
    this.resumeJobs(id)
    this.feed(id)
    return this.view(id)
  }

  private resumeJobs(id: string): void {
    for (const job of [...this.jobsOf(id, ['paused']), ...this.jobsOf(id, ['processing'])]) {
      try {
        this.engine.queue.resumeJob(job)
      } catch {
        // Not paused (any more): fine.
      }
    }
  }

  /** Pending rows are cancelled; finished rows and finished steps are kept. */
  stopBatch(idOrPrefix: string): BatchView {
    const b = this.require(idOrPrefix)
    const id = b.id
    if (b.status === 'completed' || b.status === 'stopped') throw new QueueError('bad_state', `batch is already ${b.status}`)
    this.setStatus(id, 'stopped', { finished: true })
    for (const job of this.jobsOf(id, ['pending', 'paused', 'processing'])) {
      try {
        this.engine.queue.cancel(job)
      } catch {
        // Finished in between.
      }
    }
    return this.view(id)
  }

  /**
   * Failed and cancelled rows go back to the queue, resuming at their failed step; rows whose job
   * was deleted get a new one. Retrying means "run these again", so a paused batch is resumed
   * too — otherwise it would say "running" while its paused rows wait for a resume it refuses.
   */
  retryFailed(idOrPrefix: string): BatchView {
    const b = this.require(idOrPrefix)
    const id = b.id
    if (!b.imported) throw new QueueError('bad_state', `batch has not imported its rows${b.error ? ` (${b.error})` : ''}; nothing to retry`)
    const jobs = this.jobsOf(id, ['failed', 'cancelled'])
    if (jobs.length === 0 && deletedRowCount(this.db, id) === 0 && this.readyCount(id) === 0) {
      throw new QueueError('nothing_to_retry', 'no failed or cancelled rows to retry')
    }
    inTransaction(this.db, () => {
      for (const job of jobs) this.engine.queue.retry(job)
      requeueDeletedRows(this.db, id)
      if (b.status === 'paused') this.resumeJobs(id)
    })
    this.setStatus(id, 'running', { started: true, reopen: true })
    this.feed(id)
    return this.view(id)
  }

  /** One page of the results table. */
  rowsPage(idOrPrefix: string, options: { status?: BatchRowStatus | undefined; offset: number; limit: number }): BatchRowsPage {
    const b = this.require(idOrPrefix)
    const type = (JSON.parse(b.config) as { pipeline: string }).pipeline
    return batchRowsPage(this.db, b.id, this.engine.pipelines.get(type)?.mainField ?? 'idea', options)
  }

  /**
   * The rows the user picked run again: failed or cancelled ones resume at their failed step,
   * rows whose job was deleted get a new one; the others (done, running, invalid) are left as
   * they are. The batch runs again, as with retryFailed.
   */
  retryRows(idOrPrefix: string, rowNumbers: readonly number[]): BatchView {
    const b = this.require(idOrPrefix)
    const id = b.id
    if (!b.imported) throw new QueueError('bad_state', `batch has not imported its rows${b.error ? ` (${b.error})` : ''}; nothing to retry`)
    const wanted = new Set(rowNumbers)
    const picked = this.db
      .prepare<[string], { row_number: number; job_id: string | null; status: string | null }>(
        `SELECT r.row_number, r.job_id, j.status FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
         WHERE r.batch_id = ? AND r.state = 'queued'`
      )
      .all(id)
      .filter((r) => wanted.has(r.row_number) && (r.status === 'failed' || r.status === 'cancelled' || r.status === null))
    if (picked.length === 0) throw new QueueError('nothing_to_retry', 'rows: none of these rows failed, was cancelled or lost its job')
    inTransaction(this.db, () => {
      const requeue = this.db.prepare("UPDATE batch_rows SET state = 'ready', job_id = NULL WHERE batch_id = ? AND row_number = ?")
      for (const r of picked) {
        if (r.status === null) requeue.run(id, r.row_number)
        else this.engine.queue.retry(r.job_id!)
      }
      if (b.status === 'paused') this.resumeJobs(id)
    })
    this.setStatus(id, 'running', { started: true, reopen: true })
    this.feed(id)
    return this.view(id)
  }

  /**
   * Start over: the batch forgets what its rows did (results, metrics, times) and is idle again
   * with its rows and config, so Start runs every valid row from scratch. Its unfinished jobs are
   * cancelled; its finished ones stay in the job list as history. A running batch is refused:
   * the user pauses or stops it first, so nothing is thrown away by a stray click.
   */
  reset(idOrPrefix: string): BatchView {
    const b = this.require(idOrPrefix)
    const id = b.id
    if (b.status === 'running') throw new QueueError('bad_state', 'batch is running; pause or stop it first, then reset it')
    if (!b.imported) {
      throw new QueueError('bad_state', b.error ? `batch could not import its rows (${b.error}); delete it and create it again` : 'batch is still importing its rows')
    }
    inTransaction(this.db, () => {
      for (const job of this.jobsOf(id, ['pending', 'paused', 'processing'])) {
        try {
          this.engine.queue.cancel(job)
        } catch {
          // Finished in between (another process): its row is forgotten all the same.
        }
      }
      forgetRowJobs(this.db, id)
      this.db.prepare("UPDATE batches SET status = 'idle', error = NULL, started_at = NULL, finished_at = NULL, updated_at = ? WHERE id = ?").run(Date.now(), id)
    })
    this.changes.push(id, null)
    return this.view(id)
  }

  async remove(idOrPrefix: string): Promise<void> {
    const id = this.require(idOrPrefix).id
    for (const job of this.jobsOf(id, ['pending', 'paused', 'processing'])) this.engine.queue.cancel(job)
    this.db.prepare('DELETE FROM batches WHERE id = ?').run(id)
    this.changes.drop(id)
    this.viewCost.delete(id)
    await rm(join(this.dir, id), { recursive: true, force: true })
  }

  /**
   * Keep a few of this batch's jobs in the queue: enough to keep the pool busy, few enough that
   * other batches and single jobs interleave with it.
   */
  feed(id: string): void {
    if (!this.db.open) return
    const b = this.db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE id = ?').get(id)
    if (!b || b.status !== 'running' || !b.imported) return
    const window = Math.max(2, this.engine.pool.getConcurrency() * 2)
    inTransaction(this.db, () => {
        const room = window - openJobs(this.db, id)
        if (room <= 0) return
        const ready = this.db
          // Most urgent rows first (the sheet's priority column), then in sheet order.
          .prepare<[string, number], { row_number: number; input: string; priority: number; cells: string | null }>(
            "SELECT row_number, input, priority, cells FROM batch_rows WHERE batch_id = ? AND state = 'ready' ORDER BY priority, row_number LIMIT ?"
          )
          .all(id, room)
        if (ready.length === 0) return
        const type = JSON.parse(b.config).pipeline as string
        const mainField = this.engine.pipelines.get(type)?.mainField ?? 'idea'
        const jobs = this.engine.queue.enqueueMany(
          ready.map((r) => {
            const input = JSON.parse(r.input) as Record<string, unknown>
            return {
              type,
              input,
              projectId: b.project_id,
              batchId: id,
              priority: r.priority,
              title: rowTitle(input[mainField], r.cells, b.name, r.row_number)
            }
          })
        )
        const mark = this.db.prepare("UPDATE batch_rows SET state = 'queued', job_id = ? WHERE batch_id = ? AND row_number = ?")
        jobs.forEach((job, i) => mark.run(job.id, id, ready[i]!.row_number))
      })
    this.finishIfDone(id)
  }

  private finishIfDone(id: string): void {
    const b = this.db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE id = ?').get(id)
    if (!b || !b.imported || (b.status !== 'running' && b.status !== 'idle')) return
    if (b.status === 'idle') return
    if (!hasRowsLeft(this.db, id)) this.setStatus(id, 'completed', { finished: true })
  }

  private setStatus(id: string, status: BatchStatus, o: { started?: boolean; finished?: boolean; reopen?: boolean } = {}): void {
    const now = Date.now()
    this.db
      .prepare(
        `UPDATE batches SET status = ?, updated_at = ?,
           started_at = CASE WHEN ? THEN COALESCE(started_at, ?) ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? WHEN ? THEN NULL ELSE finished_at END
         WHERE id = ?`
      )
      .run(status, now, o.started ? 1 : 0, now, o.finished ? 1 : 0, now, o.reopen ? 1 : 0, id)
    this.changes.push(id, null)
  }

  // ------------------------------------------------------------------ reading

  list(): BatchView[] {
    return this.rows().map((b) => batchView(this.db, b, this.engine.pool.getConcurrency(), this.engine.queue.isPaused()))
  }

  view(id: string): BatchView {
    return batchView(this.db, this.require(id), this.engine.pool.getConcurrency(), this.engine.queue.isPaused())
  }

  private rows(): BatchRow[] {
    return this.db.prepare<[], BatchRow>('SELECT * FROM batches ORDER BY created_at DESC').all()
  }

  private row(id: string): BatchRow {
    return this.require(id)
  }

  require(id: string): BatchRow {
    const b =
      this.db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE id = ?').get(id) ??
      // A prefix is compared as characters: with LIKE, `studio batch stop ____` stopped a batch.
      (id.length >= 4
        ? this.db.prepare<[string, string], BatchRow>('SELECT * FROM batches WHERE substr(id, 1, length(?)) = ? LIMIT 2').all(id.toLowerCase(), id.toLowerCase())
        : []
      ).find(
        (_r, _i, all) => all.length === 1
      )
    if (!b) throw new QueueError('not_found', `no batch with id ${id}`)
    return b
  }

  private jobsOf(id: string, statuses: string[]): string[] {
    return this.db
      .prepare<unknown[], { id: string }>(
        `SELECT j.id FROM batch_rows r JOIN jobs j ON j.id = r.job_id WHERE r.batch_id = ? AND j.status IN (${statuses.map(() => '?').join(',')}) ORDER BY r.row_number`
      )
      .all(id, ...statuses)
      .map((r) => r.id)
  }

  private readyCount(id: string): number {
    return this.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM batch_rows WHERE batch_id = ? AND state = 'ready'").get(id)!.n
  }

  /** Wait for an import started by create/start (tests, CLI). */
  async imported(id: string): Promise<void> {
    await this.importing.get(id)
  }

  private pipeline(name: string): PipelineDefinition<unknown> {
    const p = this.engine.pipelines.get(name)
    if (!p) throw new QueueError('bad_request', `config.pipeline: unknown pipeline "${name}"; known: ${this.engine.pipelines.names().join(', ')}`)
    return p as PipelineDefinition<unknown>
  }

  private announce(id: string): void {
    if (!this.db.open || this.creating.has(id)) return
    const b = this.db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE id = ?').get(id)
    if (!b) return
    this.finishIfDone(id)
    const fresh = this.db.prepare<[string], BatchRow>('SELECT * FROM batches WHERE id = ?').get(id)!
    const start = performance.now()
    const batch = batchView(this.db, fresh, this.engine.pool.getConcurrency(), this.engine.queue.isPaused())
    this.viewCost.set(id, performance.now() - start)
    this.engine.events.emit({ type: 'batch.changed', batch })
  }
}

function mappingOptions(pipeline: PipelineDefinition<unknown>) {
  return { schema: pipeline.input, mainField: pipeline.mainField ?? 'idea' }
}

