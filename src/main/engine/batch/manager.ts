import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type BatchPreview, type BatchRowStatus, type BatchRowsPage, type BatchStatus, type BatchView } from '../../../shared/types'
import type { BatchSource } from '../../../shared/contract'
import type { Engine } from '../engine'
import { QueueError } from '../errors'
import { isDatabaseLocked } from '../store/database'
import type { BatchRecord, RowImport, JobStatusName } from '../store/batches'
import { Coalescer } from '../events'
import type { PipelineDefinition } from '../pipelines/types'
import { parseBatchConfig, type BatchConfig } from './config'
import { noRowsReason } from './no-rows'
import { openRowSource, resolveMapping, PUBLIC_ADDRESSES_ONLY, type NetworkPolicy, type RowSource } from './sources'
import { mappingOptions, rowInputBuilder } from './row-input'
import { loadLanguageDetector } from './row-language'
import { clipText } from './sources/errors'
import { sheetOfCopy, stageSource } from './staging'
import { batchScriptTemplate } from './templates'
import { batchView, type ImportProgress } from './view'
import { rowTitle } from './row-title'
import { batchRowsPage } from './rows-page'

/**
 * The import holds the engine's thread at most about this long before it stores the rows built
 * so far and yields: a request arriving meanwhile (`jobs/list`, a window's refresh) waits for one
 * slice, not for a fixed number of rows whose cost depends on the sheet and the machine's load.
 * Building 500 rows took 6–12 ms here and storing them 3–10 ms (bench/batch/chunk-cost.ts).
 */
const IMPORT_SLICE_MS = 4
/** At most this many rows per transaction, however fast they are built... */
const IMPORT_CHUNK = 500
/** ...and at least this many: on a starved CPU a slice would otherwise store a handful of rows per commit. */
const IMPORT_MIN_CHUNK = 25
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
  /** Rows stored so far by each import running here (see ImportProgress). */
  private readonly importProgress = new Map<string, ImportProgress>()
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

  /** Batches and their rows (store/batches.ts): every read and write of them goes through it. */
  private get store() {
    return this.engine.stores.batches
  }

  private get reports() {
    return this.engine.stores.batchReports
  }

  private get tx() {
    return this.engine.stores.transactions
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
        const batchId = this.tx.open ? this.store.batchOfJob(e.jobId) : null
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
      for (const id of this.store.changedSince(since)) this.changes.push(id, null)
    })
    // Batches can be resumed from another process (CLI next to the app): look now and then.
    this.sweep = setInterval(() => this.feedAll(), 2_000)
    this.sweep.unref?.()
  }

  stop(): void {
    // Last look before the database closes: a batch whose last row just finished is recorded as
    // completed now, not left "running" at 100 % with no finish time.
    if (this.tx.open) for (const id of this.store.runningIds()) this.finishIfDone(id)
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
    if (!this.tx.open) return
    // Events are announced after commits; should one come from inside a transaction, wait for it.
    if (this.tx.active) {
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
    for (const id of this.store.runningIds()) this.feedSafely(id)
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
      const template = await batchScriptTemplate(config, { localRoot: this.engine.dataDir, cacheDir: join(this.engine.dataDir, 'cache'), network })
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
    let template: Awaited<ReturnType<typeof batchScriptTemplate>>
    try {
      staged = await stageSource(request.source, folder, request.sheet, network)
      template = await batchScriptTemplate(config, { localRoot: this.engine.dataDir, cacheDir: join(this.engine.dataDir, 'cache'), network })
    } catch (err) {
      await rm(folder, { recursive: true, force: true })
      throw err
    }
    const now = Date.now()
    this.store.insert({
      id,
      name: request.name?.trim() || staged.label,
      sourceLabel: staged.label,
      sourceFile: staged.file,
      sheet: request.sheet ?? null,
      projectId: request.projectId ?? 'default',
      config: JSON.stringify(config),
      template: template ? JSON.stringify(template) : null,
      now
    })
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

  private runImport(id: string): Promise<void> {
    const running = this.importing.get(id)
    if (running) return running
    const task = this.importRows(id).finally(() => {
      this.importing.delete(id)
      this.importProgress.delete(id)
    })
    this.importing.set(id, task)
    return task
  }

  /** Stream the rows in, validate each, store them in chunks. Re-running after a crash skips rows already stored. */
  private async importRows(id: string): Promise<void> {
    const batch = this.row(id)
    const config = JSON.parse(batch.config) as BatchConfig
    const pipeline = this.pipeline(config.pipeline)
    const template = batch.template ? (JSON.parse(batch.template) as { script: string }) : null
    const sheet = sheetOfCopy(batch.sourceFile, batch.sheet)
    let source: RowSource
    try {
      source = await openRowSource(batch.sourceFile, {
        label: batch.sourceLabel,
        ...(sheet ? { sheet } : {}),
        ...(config.rowRange ? { rowRange: config.rowRange } : {})
      })
    } catch (err) {
      this.fail(id, `cannot read the rows: ${(err as Error).message}`)
      return
    }
    try {
      const mapping = resolveMapping(source.headers, config.mapping ?? {}, mappingOptions(pipeline))
      this.store.setColumns(
        id,
        mapping.unmappedColumns.map((c) => clipText(c)),
        source.headers.map((h) => clipText(h))
      )
      const build = await rowInputBuilder({ pipeline, config, batchId: id, template, format: source.format, headers: source.headers, mapping })
      let chunk: RowImport[] = []
      // A resumed import starts from the rows stored before the crash (counted once, here).
      const progress = this.reports.importProgress(id)
      this.importProgress.set(id, progress)
      const flush = () => {
        const rows = chunk
        chunk = []
        const stored = this.store.addRows(id, rows, Date.now())
        progress.read += stored.added
        progress.invalid += stored.invalid
      }
      let sliceStarted = performance.now()
      for await (const row of source.rows) {
        // The row's own cells, kept for the export and the results table.
        const cells = row.values
        const outcome = build(row)
        chunk.push(
          outcome.state === 'ready'
            ? { rowNumber: row.rowNumber, state: 'ready', input: outcome.input, error: null, priority: outcome.priority, cells }
            : { rowNumber: row.rowNumber, state: 'invalid', input: null, error: outcome.reason, priority: outcome.priority, cells }
        )
        if (chunk.length >= IMPORT_CHUNK || (chunk.length >= IMPORT_MIN_CHUNK && performance.now() - sliceStarted >= IMPORT_SLICE_MS)) {
          flush()
          this.changes.push(id, null) // rows read so far, announced at most every 250 ms
          // Let the event loop breathe (UI requests, running jobs) during a 100 000-row import.
          await new Promise((r) => setImmediate(r))
          sliceStarted = performance.now()
        }
      }
      flush()
      const total = this.store.rowCount(id)
      if (total === 0) {
        const reason = await noRowsReason({
          file: batch.sourceFile,
          label: batch.sourceLabel,
          sheet,
          sheetName: batch.sheet,
          rowRange: config.rowRange
        })
        this.fail(id, reason)
        return
      }
      this.store.markImported(id, { totalRows: total, format: source.format, encoding: source.encoding ?? null, delimiter: source.delimiter ?? null, now: Date.now() })
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
    this.store.markFailed(id, clipText(message, MAX_STORED_ERROR_CHARS), Date.now())
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
    if (jobs.length === 0 && this.store.deletedRowCount(id) === 0 && this.store.readyCount(id) === 0) {
      throw new QueueError('nothing_to_retry', 'no failed or cancelled rows to retry')
    }
    this.tx.run(() => {
      for (const job of jobs) this.engine.queue.retry(job)
      this.store.requeueDeletedRows(id)
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
    return batchRowsPage(this.reports, b.id, this.engine.pipelines.get(type)?.mainField ?? 'idea', options)
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
    const picked = this.store
      .queuedRows(id)
      .filter((r) => wanted.has(r.rowNumber) && (r.jobStatus === 'failed' || r.jobStatus === 'cancelled' || r.jobStatus === null))
    if (picked.length === 0) throw new QueueError('nothing_to_retry', 'rows: none of these rows failed, was cancelled or lost its job')
    this.tx.run(() => {
      for (const r of picked) {
        if (r.jobStatus === null) this.store.requeueRow(id, r.rowNumber)
        else this.engine.queue.retry(r.jobId!)
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
    this.tx.run(() => {
      for (const job of this.jobsOf(id, ['pending', 'paused', 'processing'])) {
        try {
          this.engine.queue.cancel(job)
        } catch {
          // Finished in between (another process): its row is forgotten all the same.
        }
      }
      this.store.forgetRun(id, Date.now())
    })
    this.changes.push(id, null)
    return this.view(id)
  }

  async remove(idOrPrefix: string): Promise<void> {
    const id = this.require(idOrPrefix).id
    for (const job of this.jobsOf(id, ['pending', 'paused', 'processing'])) this.engine.queue.cancel(job)
    this.store.remove(id)
    this.changes.drop(id)
    this.viewCost.delete(id)
    await rm(join(this.dir, id), { recursive: true, force: true })
  }

  /**
   * Keep a few of this batch's jobs in the queue: enough to keep the pool busy, few enough that
   * other batches and single jobs interleave with it.
   */
  feed(id: string): void {
    if (!this.tx.open) return
    const b = this.store.get(id)
    if (!b || b.status !== 'running' || !b.imported) return
    const window = Math.max(2, this.engine.pool.getConcurrency() * 2)
    // The rows' jobs are created in the same transaction that marks the rows queued: no row runs twice.
    this.tx.run(() => {
      const room = window - this.store.openJobs(id)
      if (room <= 0) return
      const ready = this.store.readyRows(id, room)
      if (ready.length === 0) return
      const type = JSON.parse(b.config).pipeline as string
      const mainField = this.engine.pipelines.get(type)?.mainField ?? 'idea'
      const jobs = this.engine.queue.enqueueMany(
        ready.map((r) => ({
          type,
          input: r.input,
          projectId: b.projectId,
          batchId: id,
          priority: r.priority,
          title: rowTitle(r.input[mainField], r.cells, b.name, r.rowNumber)
        }))
      )
      this.store.markQueued(
        id,
        jobs.map((job, i) => ({ rowNumber: ready[i]!.rowNumber, jobId: job.id }))
      )
    })
    this.finishIfDone(id)
  }

  private finishIfDone(id: string): void {
    const b = this.store.get(id)
    if (!b || !b.imported || b.status !== 'running') return
    if (!this.store.hasRowsLeft(id)) this.setStatus(id, 'completed', { finished: true })
  }

  private setStatus(id: string, status: BatchStatus, o: { started?: boolean; finished?: boolean; reopen?: boolean } = {}): void {
    this.store.setStatus(id, status, o, Date.now())
    this.changes.push(id, null)
  }

  // ------------------------------------------------------------------ reading

  list(): BatchView[] {
    return this.store.list().map((b) => batchView(this.reports, b, this.engine.pool.getConcurrency(), this.engine.queue.isPaused(), this.importProgress.get(b.id)))
  }

  view(id: string): BatchView {
    const b = this.require(id)
    return batchView(this.reports, b, this.engine.pool.getConcurrency(), this.engine.queue.isPaused(), this.importProgress.get(b.id))
  }

  private rows(): BatchRecord[] {
    return this.store.list()
  }

  private row(id: string): BatchRecord {
    return this.require(id)
  }

  require(id: string): BatchRecord {
    const b =
      this.store.get(id) ??
      // A prefix is compared as characters: with LIKE, `studio batch stop ____` stopped a batch.
      (id.length >= 4 ? this.store.withPrefix(id.toLowerCase()) : []).find((_r, _i, all) => all.length === 1)
    if (!b) throw new QueueError('not_found', `no batch with id ${id}`)
    return b
  }

  private jobsOf(id: string, statuses: JobStatusName[]): string[] {
    return this.store.jobsOf(id, statuses)
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
    if (!this.tx.open || this.creating.has(id)) return
    if (!this.store.get(id)) return
    this.finishIfDone(id)
    const fresh = this.store.get(id)!
    const start = performance.now()
    const batch = batchView(this.reports, fresh, this.engine.pool.getConcurrency(), this.engine.queue.isPaused(), this.importProgress.get(id))
    this.viewCost.set(id, performance.now() - start)
    this.engine.events.emit({ type: 'batch.changed', batch })
  }
}
