/**
 * The studio's queue on a farm: what a window (`studio serve --queue-url`, or the desktop app
 * connected in Settings → "Studio farm") and the CLI's job commands use instead of the local
 * SQLite queue. The job store on the farm's PostgreSQL (PgJobStore), its own changes announced on
 * `events` as the SQLite store announces them, and other machines' changes relayed onto the same
 * bus (job-relay.ts: LISTEN/NOTIFY), so a job added or finished elsewhere appears live.
 *
 * A window keeps its farm while the link comes and goes: the listening connection is opened again
 * every `retryMs` until it works, and each change of state (connected, lost, why) is announced, so
 * the window says so and reloads what the lost notices would have told it once the link is back.
 * The CLI's commands only `check` once and query (their process is short-lived).
 */
import { join } from 'node:path'
import pg from 'pg'
import type { FarmQueueState } from '../../../shared/farm'
import { EventBus } from '../events'
import { builtinPipelines } from '../pipelines/builtin'
import { FARM_SCHEMA_VERSION, redactQueueUrl } from '../store/postgres/init'
import { relayFarmChanges } from '../store/postgres/job-relay'
import type { JobChangeListener } from '../store/postgres/job-events'
import { PgJobStore } from '../store/postgres/jobs'
import { schemaVersion } from '../store/postgres/status'
import { markWindowClosed, markWindowOpen, WINDOW_REFRESH_MS } from '../store/postgres/windows'
import { stepNeeds } from './capabilities'
import { FarmError } from './errors'
import { FarmBatches } from './farm-batches'
import { FarmBatchEvents } from './farm-batch-events'

export interface FarmQueueOptions {
  /** The queue URL, password included when there is one (never shown: see `where`). */
  url: string
  /** The shared data folder as this machine mounts it: a retry or removal deletes the job's files there, as a worker would. */
  dataDir: string
  /** How often a lost link is tried again. */
  retryMs?: number
  log?: (line: string) => void
}

export class FarmQueue {
  /** The URL without its password, for every message and the window. */
  readonly where: string
  /** The store's own changes and other machines' (relayed), as the engine's events. */
  readonly events = new EventBus()
  readonly store: PgJobStore
  /** The connections, for a command that writes to the farm through a store of its own (`farm push`). */
  readonly pool: pg.Pool
  /** The shared data folder as this machine mounts it (where its results are read). */
  readonly dataDir: string
  private readonly retryMs: number
  private readonly log: (line: string) => void
  private listener: JobChangeListener | null = null
  private retry: NodeJS.Timeout | null = null
  private refresh: NodeJS.Timeout | null = null
  private closed = false
  private connected = false
  private problem: string | null = null
  private readonly stateListeners = new Set<(state: FarmQueueState) => void>()
  private readonly pipelines: ReturnType<typeof builtinPipelines>
  private batchesOf: FarmBatches | undefined
  private batchEvents: FarmBatchEvents | undefined

  constructor(private readonly o: FarmQueueOptions) {
    this.where = redactQueueUrl(o.url)
    this.dataDir = o.dataDir
    this.retryMs = o.retryMs ?? 3_000
    this.log = o.log ?? (() => undefined)
    this.pool = new pg.Pool({ connectionString: o.url, max: 4, connectionTimeoutMillis: 15_000, application_name: 'studio window' })
    // An idle client dropped by the server (a restart, a cut link) must not end the process: the next query says so.
    this.pool.on('error', () => undefined)
    // Enqueue checks each input against the pipeline it names, as the local studio does. A video's
    // assets are files inside the shared data folder: a project asset id names a project of this
    // machine's local studio, which no worker of the farm can read.
    const pipelines = (this.pipelines = builtinPipelines({ dataDir: o.dataDir, assetPath: () => undefined }))
    this.store = new PgJobStore({ pool: this.pool, events: this.events, pipelines, dataDir: o.dataDir, artifactsRoot: join(o.dataDir, 'jobs'), stepNeeds })
  }

  /** The farm's batches, from the user's side (farm-batches.ts). */
  get batches(): FarmBatches {
    return (this.batchesOf ??= new FarmBatches({ pool: this.pool, jobs: this.store, pipelines: this.pipelines, dataDir: this.o.dataDir }))
  }

  /**
   * Connects once and checks that the farm's schema is the one this studio knows. Throws a
   * FarmError naming what to do (farm-unreachable, farm-not-initialised, farm-schema-mismatch).
   */
  async check(): Promise<void> {
    let version: number | null
    try {
      // It only queries: the pool answers as a client would.
      version = await schemaVersion(this.pool as unknown as pg.Client)
    } catch (err) {
      throw new FarmError('farm-unreachable', `cannot connect to ${this.where}: ${(err as Error).message}`, 'queueUrl', { cause: err })
    }
    if (version === null) throw new FarmError('farm-not-initialised', `no farm schema at ${this.where}: run \`studio farm init\` first`)
    if (version !== FARM_SCHEMA_VERSION) {
      throw new FarmError(
        'farm-schema-mismatch',
        version > FARM_SCHEMA_VERSION
          ? `the farm's schema at ${this.where} (version ${version}) is newer than this studio knows (${FARM_SCHEMA_VERSION}): update studio here`
          : `the farm's schema at ${this.where} is at version ${version}, this studio needs ${FARM_SCHEMA_VERSION}: run \`studio farm init\``
      )
    }
  }

  /**
   * Listen for other machines' changes, and keep listening: a failure (now or later) is announced
   * and tried again every `retryMs` until close. Resolves after the first attempt, whatever it gave.
   */
  async listen(): Promise<void> {
    // Its batches' views, announced as they change (farm-batch-events.ts).
    this.batchEvents ??= new FarmBatchEvents({ url: this.o.url, events: this.events, batches: this.batches, retryMs: this.retryMs, log: this.log })
    await Promise.all([this.attempt(), this.batchEvents.start()])
  }

  state(): FarmQueueState {
    return { queueUrl: this.where, connected: this.connected, problem: this.problem }
  }

  /** Called on every change of state (connected, lost); returns the unsubscribe function. */
  onState(listener: (state: FarmQueueState) => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  async close(): Promise<void> {
    const listening = this.refresh !== null
    this.closed = true
    if (this.retry) clearTimeout(this.retry)
    this.retry = null
    if (this.refresh) clearInterval(this.refresh)
    this.refresh = null
    this.stateListeners.clear()
    const listener = this.listener
    this.listener = null
    await listener?.close()
    await this.batchEvents?.close()
    await this.batchesOf?.close()
    // Gone: the workers' status changes need not be announced for this window any more.
    if (listening) await markWindowClosed(this.pool, this.store.origin).catch(() => undefined)
    await this.pool.end().catch(() => undefined)
  }

  private async attempt(): Promise<void> {
    if (this.closed) return
    try {
      await this.check()
      // Before listening: the workers' status changes are announced from now on (see windows.ts).
      await markWindowOpen(this.pool, this.store.origin)
      this.refresh ??= setInterval(() => void markWindowOpen(this.pool, this.store.origin).catch(() => undefined), WINDOW_REFRESH_MS)
      this.refresh.unref?.()
      const listener = await relayFarmChanges({ url: this.o.url, pool: this.pool, events: this.events, dataDir: this.o.dataDir, ownOrigin: this.store.origin, onError: (err) => this.lost(err) })
      if (this.closed) return void listener.close()
      // A loss heard while this attempt was under way scheduled another: the newest listener is kept, none is leaked.
      void this.listener?.close()
      this.listener = listener
      if (this.problem !== null) this.log(`the connection to ${this.where} is back`)
      this.setState(true, null)
    } catch (err) {
      this.setState(false, (err as Error).message)
      this.schedule()
    }
  }

  private lost(err: Error): void {
    if (this.closed || this.retry) return
    this.log(`the connection to ${this.where} was lost (${err.message}); trying again every ${Math.round(this.retryMs / 1000)} s`)
    const old = this.listener
    this.listener = null
    void old?.close()
    this.setState(false, err.message)
    this.schedule()
  }

  private schedule(): void {
    if (this.closed || this.retry) return
    this.retry = setTimeout(() => {
      this.retry = null
      void this.attempt()
    }, this.retryMs)
    this.retry.unref?.()
  }

  private setState(connected: boolean, problem: string | null): void {
    if (this.connected === connected && this.problem === problem) return
    this.connected = connected
    this.problem = problem
    const state = this.state()
    for (const listener of this.stateListeners) listener(state)
  }
}
