/**
 * Batches on the studio farm, from the user's side: what BatchManager (batch/manager.ts) does for
 * the local queue, on the farm's PostgreSQL, for the CLI's `studio batch … --queue-url` and a
 * window on a farm.
 *
 * Creating: the sheet is staged and read on this machine, as a local batch's is (the file, a
 * link's download, the template), each row checked against the pipeline; the rows go to the farm
 * in chunks, one statement (one transaction) each, and the batch is marked imported once all are
 * in (a batch whose rows cannot be read is removed again, the reason being the answer). The
 * staged copy is then removed: the rows' inputs are plain data in the farm, and nothing on this
 * machine is needed to run them. A file a row names must be inside the shared data folder, where
 * every worker can read it (stored relative to it, farm/shared-json.ts); a row naming a file of
 * this machine outside it is refused, saying so.
 *
 * Running: the farm's workers feed running batches (batch-feeder.ts). A start, resume or retry
 * here feeds the batch once at once and wakes the workers; every control takes the batch's row
 * lock first, so it never interleaves with a feed. Views are built by the local builders
 * (batch/view.ts, batch/rows-page.ts) from the farm's rows and jobs (farm-batch-reports).
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { mkdtemp, rm } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import type pg from 'pg'
import type { BatchSource } from '../../../shared/contract'
import type { BatchRowStatus, BatchRowsPage, BatchView, JsonValue } from '../../../shared/types'
import { parseBatchConfig } from '../batch/config'
import { noRowsReason } from '../batch/no-rows'
import { mappingOptions, rowInputBuilder } from '../batch/row-input'
import { batchRowsPage } from '../batch/rows-page'
import { openRowSource, PUBLIC_ADDRESSES_ONLY, resolveMapping, type NetworkPolicy } from '../batch/sources'
import { clipText } from '../batch/sources/errors'
import { sheetOfCopy, stageSource } from '../batch/staging'
import { batchScriptTemplate } from '../batch/templates'
import { batchView } from '../batch/view'
import { QueueError } from '../errors'
import type { PipelineDefinition } from '../pipelines/types'
import type { PipelineRegistry } from '../pipelines/registry'
import type { BatchRecord, JobStatusName, RowImport } from '../store/batches'
import { farmBatchExportReports, farmBatchRowsReports, farmBatchViewReports } from '../store/postgres/batch-reports'
import { batchResultsCsv, jobHistoryCsv } from '../batch/export'
import type { CsvDelimiter } from '../../../shared/csv'
import {
  addFarmRows,
  BATCHES_WAKE,
  farmBatchesWithPrefix,
  farmJobsOf,
  farmQueuedRows,
  farmReadyCount,
  farmRowCount,
  forgetFarmRun,
  getFarmBatch,
  insertFarmBatch,
  listFarmBatches,
  liveWorkerCount,
  lockBatch,
  markFarmBatchImported,
  notifyBatchesChanged,
  removeFarmBatch,
  requeueFarmDeletedRows,
  setFarmBatchColumns,
  setFarmBatchStatus
} from '../store/postgres/batches'
import { queuePaused } from '../store/postgres/job-reads'
import { inJobTransaction, type JobTx } from '../store/postgres/job-transaction'
import type { PgJobStore } from '../store/postgres/jobs'
import { wakeWorkers } from '../store/postgres/wake'
import { DEFAULT_STALE_AFTER_MS } from '../store/postgres/workers'
import { FarmBatchFeeder } from './batch-feeder'
import { toStoredJson } from './shared-json'

/** Rows per chunk written to the farm: one statement, one transaction each. */
const CHUNK_ROWS = 500
const MAX_STORED_ERROR_CHARS = 2_000

export interface FarmBatchesOptions {
  pool: pg.Pool
  /** The farm's job store (its origin names this machine's notices; its enqueue writes the rows' jobs). */
  jobs: PgJobStore
  pipelines: PipelineRegistry<any>
  /** The shared data folder as this machine mounts it. */
  dataDir: string
  /** A folder of this machine where sheets are staged while their rows are read (removed after); the system's temporary folder by default. */
  stagingDir?: string
  now?: () => number
}

export interface FarmBatchRequest {
  source: BatchSource
  sheet?: string | undefined
  name?: string | undefined
  projectId?: string | undefined
  config?: unknown
}

export class FarmBatches {
  private readonly pool: pg.Pool
  private readonly jobs: PgJobStore
  private readonly feeder: FarmBatchFeeder
  private readonly now: () => number
  private readonly stagingDir: string

  constructor(private readonly o: FarmBatchesOptions) {
    this.stagingDir = o.stagingDir ?? tmpdir()
    this.pool = o.pool
    this.jobs = o.jobs
    this.now = o.now ?? Date.now
    // A top-up made here as a batch starts: the window as if one worker of two slots were live at least.
    this.feeder = new FarmBatchFeeder({ pool: o.pool, jobs: o.jobs, pipelines: o.pipelines, dataDir: o.dataDir, slotsPerWorker: 2 })
  }

  // ------------------------------------------------------------------ creating

  /** Stage and read the sheet here, write the batch and its rows to the farm; the batch is idle (start runs it). */
  async create(request: FarmBatchRequest, options: { network?: NetworkPolicy } = {}): Promise<BatchView> {
    const network = options.network ?? PUBLIC_ADDRESSES_ONLY
    const config = parseBatchConfig(request.config ?? {}, 'config')
    const pipeline = this.pipeline(config.pipeline)
    const id = randomUUID()
    // Private to this user (0700), whatever the folder it is in.
    const folder = await mkdtemp(join(this.stagingDir, 'studio-farm-batch-'))
    let inserted = false
    try {
      const staged = await stageSource(request.source, join(folder, 'sheet'), request.sheet, network)
      const template = await batchScriptTemplate(config, { localRoot: this.o.dataDir, cacheDir: join(folder, 'cache'), network })
      const sheet = sheetOfCopy(staged.file, request.sheet)
      const source = await openRowSource(staged.file, {
        label: staged.label,
        ...(sheet ? { sheet } : {}),
        ...(config.rowRange ? { rowRange: config.rowRange } : {})
      })
      try {
        const mapping = resolveMapping(source.headers, config.mapping ?? {}, mappingOptions(pipeline))
        const build = await rowInputBuilder({ pipeline, config, batchId: id, template, format: source.format, headers: source.headers, mapping })
        await insertFarmBatch(this.pool, {
          id,
          name: request.name?.trim() || staged.label,
          sourceLabel: staged.label,
          // The sheet stays on the machine that read it: the farm keeps its name, not a path.
          sourceFile: staged.label,
          sheet: request.sheet ?? null,
          projectId: request.projectId ?? 'default',
          config: JSON.stringify(config),
          template: template ? JSON.stringify(template) : null,
          now: this.now()
        })
        inserted = true
        await setFarmBatchColumns(
          this.pool,
          id,
          mapping.unmappedColumns.map((c) => clipText(c)),
          source.headers.map((h) => clipText(h))
        )
        let chunk: RowImport[] = []
        for await (const row of source.rows) {
          const outcome = build(row)
          const outside = outcome.state === 'ready' ? this.fileOutside(outcome.input) : null
          chunk.push(
            outcome.state === 'ready' && !outside
              ? { rowNumber: row.rowNumber, state: 'ready', input: toStoredJson(this.o.dataDir, outcome.input as JsonValue) as Record<string, unknown>, error: null, priority: outcome.priority, cells: row.values }
              : {
                  rowNumber: row.rowNumber,
                  state: 'invalid',
                  input: null,
                  error:
                    outcome.state === 'invalid'
                      ? outcome.reason
                      : `row ${row.rowNumber}: ${outside!.field}: ${outside!.path} is not inside the farm's shared folder ${this.o.dataDir}: the workers cannot read it (copy it there)`,
                  priority: outcome.priority,
                  cells: row.values
                }
          )
          if (chunk.length >= CHUNK_ROWS) {
            await addFarmRows(this.pool, id, chunk, this.now())
            chunk = []
          }
        }
        await addFarmRows(this.pool, id, chunk, this.now())
        const total = await farmRowCount(this.pool, id)
        if (total === 0) {
          const reason = await noRowsReason({ file: staged.file, label: staged.label, sheet, sheetName: request.sheet ?? null, rowRange: config.rowRange })
          throw new QueueError('bad_request', clipText(reason, MAX_STORED_ERROR_CHARS))
        }
        await inJobTransaction(this.pool, this.jobs.origin, async (tx) => {
          await markFarmBatchImported(tx, id, { totalRows: total, format: source.format, encoding: source.encoding ?? null, delimiter: source.delimiter ?? null, now: this.now() })
          await notifyBatchesChanged(tx, [id])
        })
      } finally {
        await source.close()
      }
    } catch (err) {
      // No batch is left that could never run: the reason is the answer.
      if (inserted) await removeFarmBatch(this.pool, id).catch(() => undefined)
      throw err
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
    return this.view(id)
  }

  /** The first file of this machine an input names outside the shared folder (a worker could not read it), if any. */
  private fileOutside(input: Record<string, unknown>): { field: string; path: string } | null {
    const root = resolve(this.o.dataDir)
    const walk = (v: unknown, at: string): { field: string; path: string } | null => {
      if (typeof v === 'string') {
        if (v.length > 4096 || !isAbsolute(v) || /[\n\r]/.test(v) || !existsSync(v)) return null
        const rel = relative(root, resolve(v))
        return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? { field: at, path: v } : null
      }
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) {
          const found = walk(x, `${at}[${i}]`)
          if (found) return found
        }
        return null
      }
      if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          const found = walk(x, at ? `${at}.${k}` : k)
          if (found) return found
        }
      }
      return null
    }
    return walk(input, '')
  }

  // ------------------------------------------------------------------ control

  startBatch(idOrPrefix: string): Promise<BatchView> {
    return this.control(idOrPrefix, async (tx, b) => {
      if (b.status === 'running') return false
      if (b.status !== 'idle') throw new QueueError('bad_state', `batch is ${b.status}; only an idle batch can be started (use resume or retry)`)
      if (!b.imported) throw new QueueError('bad_state', 'batch is still importing its rows')
      await setFarmBatchStatus(tx, b.id, 'running', { started: true }, this.now())
      return true
    })
  }

  /** No new row starts; queued rows wait; running steps finish (then their jobs pause). */
  async pause(idOrPrefix: string): Promise<BatchView> {
    const view = await this.control(idOrPrefix, async (tx, b) => {
      if (b.status !== 'running') throw new QueueError('bad_state', `batch is ${b.status}; only a running batch can be paused`)
      await setFarmBatchStatus(tx, b.id, 'paused', {}, this.now())
      return false
    })
    await this.eachJob(view.id, ['pending', 'processing'], (job) => this.jobs.pauseJob(job))
    return this.view(view.id)
  }

  async resume(idOrPrefix: string): Promise<BatchView> {
    const b = await this.require(idOrPrefix)
    if (b.status !== 'paused') throw new QueueError('bad_state', `batch is ${b.status}, not paused`)
    await this.resumeJobs(b.id)
    return this.control(b.id, async (tx, locked) => {
      if (locked.status !== 'paused') throw new QueueError('bad_state', `batch is ${locked.status}, not paused`)
      await setFarmBatchStatus(tx, b.id, 'running', {}, this.now())
      return true
    })
  }

  /** Pending rows are cancelled; finished rows and finished steps are kept. */
  async stopBatch(idOrPrefix: string): Promise<BatchView> {
    const view = await this.control(idOrPrefix, async (tx, b) => {
      if (b.status === 'completed' || b.status === 'stopped') throw new QueueError('bad_state', `batch is already ${b.status}`)
      await setFarmBatchStatus(tx, b.id, 'stopped', { finished: true }, this.now())
      return false
    })
    // Stopped first (committed): no feeder queues a row of it any more, so these are all its open jobs.
    await this.eachJob(view.id, ['pending', 'paused', 'processing'], (job) => this.jobs.cancel(job))
    return this.view(view.id)
  }

  /** Failed and cancelled rows go back to the queue; rows whose job was deleted get a new one; a paused batch runs again. */
  async retryFailed(idOrPrefix: string): Promise<BatchView> {
    const b = await this.require(idOrPrefix)
    if (!b.imported) throw new QueueError('bad_state', `batch has not imported its rows${b.error ? ` (${b.error})` : ''}; nothing to retry`)
    const jobs = await farmJobsOf(this.pool, b.id, ['failed', 'cancelled'])
    const deleted = (await farmQueuedRows(this.pool, b.id)).filter((r) => r.jobStatus === null).length
    if (jobs.length === 0 && deleted === 0 && (await farmReadyCount(this.pool, b.id)) === 0) {
      throw new QueueError('nothing_to_retry', 'no failed or cancelled rows to retry')
    }
    await this.eachJob(b.id, null, (job) => this.jobs.retry(job), jobs)
    if (b.status === 'paused') await this.resumeJobs(b.id)
    return this.control(b.id, async (tx) => {
      await requeueFarmDeletedRows(tx, b.id)
      await setFarmBatchStatus(tx, b.id, 'running', { started: true, reopen: true }, this.now())
      return true
    })
  }

  /** The rows picked run again (failed, cancelled, or whose job was deleted); the batch runs again. */
  async retryRows(idOrPrefix: string, rowNumbers: readonly number[]): Promise<BatchView> {
    const b = await this.require(idOrPrefix)
    if (!b.imported) throw new QueueError('bad_state', `batch has not imported its rows${b.error ? ` (${b.error})` : ''}; nothing to retry`)
    const wanted = new Set(rowNumbers)
    const picked = (await farmQueuedRows(this.pool, b.id)).filter(
      (r) => wanted.has(r.rowNumber) && (r.jobStatus === 'failed' || r.jobStatus === 'cancelled' || r.jobStatus === null)
    )
    if (picked.length === 0) throw new QueueError('nothing_to_retry', 'rows: none of these rows failed, was cancelled or lost its job')
    await this.eachJob(b.id, null, (job) => this.jobs.retry(job), picked.filter((r) => r.jobStatus !== null).map((r) => r.jobId!))
    if (b.status === 'paused') await this.resumeJobs(b.id)
    return this.control(b.id, async (tx) => {
      await requeueFarmDeletedRows(tx, b.id, picked.filter((r) => r.jobStatus === null).map((r) => r.rowNumber))
      await setFarmBatchStatus(tx, b.id, 'running', { started: true, reopen: true }, this.now())
      return true
    })
  }

  /** Start over: idle again with its rows; its unfinished jobs are cancelled. A running batch is refused. */
  async reset(idOrPrefix: string): Promise<BatchView> {
    const b = await this.require(idOrPrefix)
    if (b.status === 'running') throw new QueueError('bad_state', 'batch is running; pause or stop it first, then reset it')
    if (!b.imported) throw new QueueError('bad_state', b.error ? `batch could not import its rows (${b.error}); delete it and create it again` : 'batch is still importing its rows')
    await this.eachJob(b.id, ['pending', 'paused', 'processing'], (job) => this.jobs.cancel(job))
    return this.control(b.id, async (tx, locked) => {
      if (locked.status === 'running') throw new QueueError('bad_state', 'batch is running; pause or stop it first, then reset it')
      await forgetFarmRun(tx, b.id, this.now())
      return false
    })
  }

  /**
   * Remove a batch and its rows; its unfinished jobs are cancelled (first stopped, so no feeder
   * queues a row of it meanwhile). Its finished jobs stay in the job list as history.
   */
  async remove(idOrPrefix: string): Promise<void> {
    const b = await this.require(idOrPrefix)
    await inJobTransaction(this.pool, this.jobs.origin, async (tx) => {
      if (await lockBatch(tx, b.id)) await setFarmBatchStatus(tx, b.id, 'stopped', { finished: true }, this.now())
    })
    await this.eachJob(b.id, ['pending', 'paused', 'processing'], (job) => this.jobs.cancel(job))
    await inJobTransaction(this.pool, this.jobs.origin, async (tx) => {
      await removeFarmBatch(tx, b.id)
      await notifyBatchesChanged(tx, [b.id])
    })
  }

  /** The results (one line per sheet row) or the job history of a batch, as CSV: what the local export writes. */
  async exportCsv(idOrPrefix: string, what: 'results' | 'history', delimiter: CsvDelimiter = ','): Promise<{ fileName: string; csv: string }> {
    const b = await this.require(idOrPrefix)
    const reports = await farmBatchExportReports(this.pool, b.id, this.o.dataDir, what)
    const csv = what === 'history' ? jobHistoryCsv(reports, b.id, delimiter) : batchResultsCsv(reports, b.id, delimiter)
    return { fileName: `${b.name.replace(/[^\w.-]+/g, '_')}-${what}.csv`, csv }
  }

  /**
   * One change to a batch under its row lock (waiting for a feed that holds it), announced to the
   * windows; `change` says whether the batch now has rows to feed, in which case it is fed here at
   * once and the workers are woken to feed it too.
   */
  private async control(idOrPrefix: string, change: (tx: JobTx, b: BatchRecord) => Promise<boolean>): Promise<BatchView> {
    const id = (await this.require(idOrPrefix)).id
    const feed = await inJobTransaction(this.pool, this.jobs.origin, async (tx) => {
      const b = await lockBatch(tx, id)
      if (!b) throw new QueueError('not_found', `no batch with id ${idOrPrefix}`)
      const feed = await change(tx, b)
      await notifyBatchesChanged(tx, [id])
      if (feed) await wakeWorkers(tx.client, BATCHES_WAKE)
      return feed
    })
    if (feed) await this.feeder.feed(id)
    return this.view(id)
  }

  private async resumeJobs(id: string): Promise<void> {
    await this.eachJob(id, ['paused', 'processing'], (job) => this.jobs.resumeJob(job))
  }

  /** Act on each of the batch's jobs in these statuses (or those given); one that changed meanwhile is left as it is. */
  private async eachJob(id: string, statuses: JobStatusName[] | null, act: (jobId: string) => Promise<unknown>, given?: string[]): Promise<void> {
    for (const job of given ?? (await farmJobsOf(this.pool, id, statuses ?? []))) {
      try {
        await act(job)
      } catch (err) {
        // Finished, paused or resumed in between (a worker, another machine): nothing to do to it.
        if (!(err instanceof QueueError)) throw err
      }
    }
  }

  // ------------------------------------------------------------------ reading

  async list(): Promise<BatchView[]> {
    const [batches, context] = await Promise.all([listFarmBatches(this.pool), this.viewContext()])
    return Promise.all(batches.map(async (b) => batchView(await farmBatchViewReports(this.pool, b, this.o.dataDir), b, context.concurrency, context.paused)))
  }

  async view(idOrPrefix: string): Promise<BatchView> {
    const b = await this.require(idOrPrefix)
    const [reports, context] = await Promise.all([farmBatchViewReports(this.pool, b, this.o.dataDir), this.viewContext()])
    return batchView(reports, b, context.concurrency, context.paused)
  }

  /** One page of the results table. */
  async rowsPage(idOrPrefix: string, options: { status?: BatchRowStatus | undefined; offset: number; limit: number }): Promise<BatchRowsPage> {
    const b = await this.require(idOrPrefix)
    const type = (JSON.parse(b.config) as { pipeline: string }).pipeline
    const reports = await farmBatchRowsReports(this.pool, b.id, this.o.dataDir, options)
    return batchRowsPage(reports, b.id, this.o.pipelines.get(type)?.mainField ?? 'idea', options)
  }

  /** A batch by its id or a unique prefix of it (at least 4 characters, compared as characters). */
  async require(idOrPrefix: string): Promise<BatchRecord> {
    const exact = await getFarmBatch(this.pool, idOrPrefix)
    if (exact) return exact
    const matches = idOrPrefix.length >= 4 ? await farmBatchesWithPrefix(this.pool, idOrPrefix.toLowerCase()) : []
    if (matches.length !== 1) throw new QueueError('not_found', `no batch with id ${idOrPrefix}`)
    return matches[0]!
  }

  /** The farm's slots for the end estimate (live workers, at least one) and the queue's pause. */
  private async viewContext(): Promise<{ concurrency: number; paused: boolean }> {
    const [workers, paused] = await Promise.all([liveWorkerCount(this.pool, this.now(), DEFAULT_STALE_AFTER_MS), queuePaused(this.pool)])
    return { concurrency: Math.max(1, workers), paused }
  }

  /** Workers of the farm alive now (a batch followed with none would wait, silently). */
  liveWorkers(): Promise<number> {
    return liveWorkerCount(this.pool, this.now(), DEFAULT_STALE_AFTER_MS)
  }

  private pipeline(name: string): PipelineDefinition<unknown> {
    const p = this.o.pipelines.get(name)
    if (!p) throw new QueueError('bad_request', `config.pipeline: unknown pipeline "${name}"; known: ${this.o.pipelines.names().join(', ')}`)
    return p as PipelineDefinition<unknown>
  }

  async close(): Promise<void> {
    await this.feeder.close()
  }
}
