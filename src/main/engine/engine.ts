import { join, resolve } from 'node:path'
import type { ProviderHealth, QueueEta } from '../../shared/types'
import { estimateQueue } from './eta'
import { EventBus } from './events'
import type { PipelineRegistry } from './pipelines/registry'
import type { BackoffOptions } from './pool/backoff'
import type { BreakerOptions } from './pool/circuit-breaker'
import { WorkerPool, type PoolTimings, type ProbeFn } from './pool/pool'
import type { ResourceLimit } from './pool/resource-limiter'
import { ExternalChanges } from './store/external-changes'
import { SqliteJobStore, type JobStore } from './store/jobs'
import { SqliteLeaseStore, type LeaseStore } from './store/leases'
import { SqliteProviderCalls, type ProviderCallStore } from './store/provider-calls'
import { openDatabase, walFlushed, type Db } from './store/database'
import { sqliteStores, type DomainStores } from './store/stores'
import { makePrivateDir } from './store/private-files'

export const databaseFile = (dataDir: string) => join(dataDir, 'studio.db')

export interface EngineOptions<S> {
  /** Folder holding `studio.db` and the jobs' artifacts. */
  dataDir: string
  /** An already-open database (the studio reads its settings before building the pool). */
  db?: Db
  /** The stores of `db` outside the queue core, when the caller built them already (the studio). */
  stores?: DomainStores
  pipelines: PipelineRegistry<S>
  services: S
  concurrency?: number
  resources?: Record<string, ResourceLimit>
  timings?: Partial<PoolTimings>
  backoff?: BackoffOptions
  breaker?: BreakerOptions
  probe?: (provider: string) => ProbeFn | undefined
  /** Spend caps: a paid step of `provider` waits when this answers (see pool/budget.ts). */
  budget?: (provider: string) => { reason: string; until: number } | null
  inUse?: (provider: string) => boolean
}

/**
 * The whole engine behind one object: plain data in, plain data and events out. It runs the same
 * in the CLI, in Electron's main process or in a utility process. It never imports electron.
 */
export class Engine<S = unknown> {
  readonly db: Db
  /** Batches, projects, storyboards, settings, estimates: what domain modules read and write instead of SQL. */
  readonly stores: DomainStores
  readonly events = new EventBus()
  readonly queue: JobStore
  readonly leases: LeaseStore
  readonly providerCalls: ProviderCallStore
  readonly pool: WorkerPool<S>
  readonly pipelines: PipelineRegistry<S>
  readonly dataDir: string
  readonly artifactsRoot: string
  private closed = false

  constructor(readonly options: EngineOptions<S>) {
    // Absolute from here on: artifact paths are stored in the database and compared with it.
    this.dataDir = resolve(options.dataDir)
    this.artifactsRoot = join(this.dataDir, 'jobs')
    makePrivateDir(this.dataDir)
    makePrivateDir(this.artifactsRoot)
    this.db = options.db ?? openDatabase(databaseFile(this.dataDir))
    this.stores = options.stores ?? sqliteStores(this.db)
    this.pipelines = options.pipelines
    const jobs = new SqliteJobStore({ db: this.db, events: this.events, pipelines: this.pipelines, artifactsRoot: this.artifactsRoot })
    this.queue = jobs
    this.leases = new SqliteLeaseStore(jobs)
    this.providerCalls = new SqliteProviderCalls(this.db)
    this.pool = new WorkerPool<S>({
      queue: jobs,
      leases: this.leases,
      providerCalls: this.providerCalls,
      external: new ExternalChanges(jobs, this.events),
      pipelines: this.pipelines,
      services: options.services,
      events: this.events,
      artifactsRoot: this.artifactsRoot,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.resources ? { resources: options.resources } : {}),
      ...(options.timings ? { timings: options.timings } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.breaker ? { breaker: options.breaker } : {}),
      ...(options.probe ? { probe: options.probe } : {}),
      ...(options.budget ? { budget: options.budget } : {}),
      ...(options.inUse ? { inUse: options.inUse } : {})
    })
  }

  eta(): QueueEta {
    return estimateQueue(this.stores.estimates, {
      concurrency: this.pool.getConcurrency(),
      queuePaused: this.queue.isPaused(),
      defaultEstimate: (type, step) => this.pipelines.get(type)?.steps.find((s) => s.name === step)?.estimateMs ?? 10_000,
      stepsOf: (type) => this.pipelines.get(type)?.steps.map((s) => s.name) ?? []
    })
  }

  health(known: readonly string[] = []): Promise<ProviderHealth[]> {
    return this.pool.health(known)
  }

  /** Stop the pool gracefully (see WorkerPool.stop), then close the database. */
  async close(graceMs = 10_000): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.pool.stop(graceMs)
    // A flush still under way reads the journal by name: let it end before the journal can go.
    await walFlushed(this.db)
    this.db.close()
  }
}
