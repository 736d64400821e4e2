/**
 * A farm worker: the engine's pool composed on the farm's PostgreSQL. The same WorkerPool and job
 * runner as `studio run`, with the built-in pipelines and this machine's services, over the farm's
 * stores — PgLeaseStore (claims by capability, fenced writes, reclaim) and PgProviderCalls — and:
 *  - the queue's paused flag kept current from the farm's notices (worker-queue.ts), never asked
 *    of the database per claim;
 *  - wake-ups by LISTEN/NOTIFY (wake.ts), and other machines' cancels, removals and pauses relayed
 *    as this engine's events (job-relay.ts), so a cancel from a window elsewhere stops the step at
 *    once; a slow safety sweep covers a notification lost with a dropped connection;
 *  - the worker registered with its capabilities (it claims only what it can run) and heartbeating;
 *    the pool renews its leases, and reclaims the jobs of workers that are gone;
 *  - artifacts under the shared data folder, stored relative to it; storyboard renders' artifact
 *    cache and their assets' facts in the farm's database (postgres/artifacts.ts);
 *  - the farm's resource limits (`studio farm limits`) held across every worker, this machine's
 *    settings for the resources the farm sets none for (farm-limiter.ts);
 *  - this machine's spend caps held against the whole farm's spend (farm-budget.ts);
 *  - this machine's settings read again on each sweep: a cap raised or a provider changed applies
 *    without a restart (settings-reload.ts).
 * It never imports the CLI; `studio farm worker` (src/cli/commands/farm.ts) runs it.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { cpus, hostname } from 'node:os'
import { join, resolve } from 'node:path'
import pg from 'pg'
import type { JobView } from '../../../shared/types'
import { EventBus } from '../events'
import type { PipelineRegistry } from '../pipelines/registry'
import { paidProviders } from '../pool/budget'
import { defaultResourceLimits, WorkerPool } from '../pool/pool'
import { ResourceLimiter } from '../pool/resource-limiter'
import type { StudioServices } from '../services'
import { FARM_PROGRESS_ORIGIN, FARM_STATUS_ORIGIN } from '../store/postgres/job-events'
import { relayFarmChanges } from '../store/postgres/job-relay'
import { PgArtifactStore } from '../store/postgres/artifacts'
import { PgLeaseStore } from '../store/postgres/leases'
import { PgProviderCalls } from '../store/postgres/provider-calls'
import { farmLaneUsage, LANES_WAKE_PREFIX, LIMITS_WAKE, releaseSlot, takeSlot } from '../store/postgres/resource-lanes'
import { listenForWake } from '../store/postgres/wake'
import { heartbeat, markStopping, registerWorker } from '../store/postgres/workers'
import { stepNeeds, type WorkerCapabilities } from './capabilities'
import { farmBatchFeeder, type FarmBatchFeeder } from './batch-feeder'
import { BATCHES_WAKE } from '../store/postgres/batches'
import { BudgetedLeaseStore, FarmBudget } from './farm-budget'
import { FarmLimiter } from './farm-limiter'
import { keepListening, type Listening } from './worker-listen'
import { openWorkerLocal, type WorkerLocal } from './worker-local'
import { FarmQueueFlag } from './worker-queue'
import { settingsReloader } from './settings-reload'
import { FarmSweep } from './worker-sweep'
import { DEFAULT_FARM_WORKER_TIMINGS, type FarmWorkerTimings } from './worker-timings'

export interface FarmWorkerOptions {
  url: string
  /** The shared data folder as this machine mounts it (checked by workerPreflight). */
  dataDir: string
  /** This worker's own folder: its settings, projects and storyboards (see worker-local.ts). */
  localDir: string
  /** What this machine can run (workerPreflight's). */
  capabilities: WorkerCapabilities
  concurrency?: number
  timings?: Partial<FarmWorkerTimings>
  env?: NodeJS.ProcessEnv
  /** This program's version, shown by `studio farm status`. */
  version?: string
  /** Notes for the person running the worker (a lost connection, a retry). */
  log?: (line: string) => void
  /**
   * The pipelines this worker runs; the built-in ones by default. bench/farm passes no-op and
   * sleep pipelines, so that what it measures is the farm around the steps.
   */
  pipelines?: PipelineRegistry<StudioServices>
  /** A job this worker took ended: completed or failed here, or cancelled from elsewhere while it ran. */
  onFinished?: (job: JobView) => void
}

export class FarmWorker {
  readonly id: string
  readonly dataDir: string
  /** What the pool, the runner and the relay announce; the CLI prints from it. */
  readonly events = new EventBus()
  readonly pool: WorkerPool<StudioServices, FarmSweep>
  readonly leases: PgLeaseStore
  readonly timings: FarmWorkerTimings
  readonly limiter: FarmLimiter
  readonly budget: FarmBudget
  /** Turns running batches' ready rows into jobs as the queue drains (batch-feeder.ts). */
  readonly batches: FarmBatchFeeder
  private readonly db: pg.Pool
  private readonly local: WorkerLocal
  private readonly flag: FarmQueueFlag
  private readonly log: (line: string) => void
  /** What this machine can run, as the farm was last told (settings-reload.ts detects it again). */
  private capabilities: WorkerCapabilities
  private listeners: Listening[] = []
  private heartbeatTimer: NodeJS.Timeout | null = null
  private stopped: Promise<void> | null = null
  private readonly unsubscribe: Array<() => void> = []

  constructor(private readonly o: FarmWorkerOptions) {
    this.dataDir = resolve(o.dataDir)
    this.timings = { ...DEFAULT_FARM_WORKER_TIMINGS, ...o.timings }
    this.log = o.log ?? ((line) => console.warn(line))
    this.id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
    // A copy the claims read as it is now: a settings change may update it in place.
    this.capabilities = { ...o.capabilities, has: [...o.capabilities.has] }
    const artifactsRoot = join(this.dataDir, 'jobs')
    // Not made private (0700) as a local data folder is: the share's permissions are its
    // operator's, and other machines may write there as other users.
    mkdirSync(artifactsRoot, { recursive: true })
    this.local = openWorkerLocal(resolve(o.localDir), this.dataDir, o.env ?? process.env)
    const saved = this.local.settings.get()
    const concurrency = o.concurrency ?? saved.concurrency ?? Math.max(1, cpus().length)
    // Its claims, checkpoints and renewals at once, the relay's reads, a heartbeat and a sweep.
    this.db = new pg.Pool({ connectionString: o.url, max: concurrency + 4, connectionTimeoutMillis: 15_000, application_name: 'studio farm worker' })
    // An idle connection the server or the network drops is reported here; unheard, it would end
    // the process. The next query takes a new connection: the worker carries on.
    this.db.on('error', (err) => this.log(`a connection to the farm's database was lost (${err.message}); carrying on with a new one`))
    // The lease store's own announcements: what this worker claimed and ended (see onFinished).
    const leaseEvents = new EventBus()
    this.unsubscribe.push(
      leaseEvents.subscribe((e) => {
        this.events.emit(e)
        if (e.type === 'job.changed') this.budget.noteJob(e.job)
        if (e.type === 'job.changed' && (e.job.status === 'completed' || e.job.status === 'failed')) o.onFinished?.(e.job)
        if (e.type === 'job.changed' && e.job.batchId && (e.job.status === 'completed' || e.job.status === 'failed')) void this.batches.feed(e.job.batchId)
      })
    )
    const services = this.local.services
    // Storyboard renders' artifacts and assets' facts are the farm's: a worker reuses what another made.
    services.useArtifactStore(new PgArtifactStore(this.db, this.dataDir))
    const providerCalls = new PgProviderCalls(this.db, this.id)
    this.budget = new FarmBudget({
      spentSince: (since, provider) => providerCalls.spentSince(since, provider),
      settings: () => this.local.settings.get().budget,
      paid: () => paidProviders(services.providers()),
      releaseWaiting: (provider) => this.leases.releaseWaiting(provider),
      log: this.log
    })
    this.leases = new BudgetedLeaseStore({
      pool: this.db,
      owner: this.id,
      dataDir: this.dataDir,
      has: this.capabilities.has,
      stepNeeds,
      events: leaseEvents,
      staleAfterMs: this.timings.staleAfterMs
    }, this.budget)
    this.flag = new FarmQueueFlag(this.db, this.events)
    const db = this.db
    this.limiter = new FarmLimiter({
      local: new ResourceLimiter({ ...defaultResourceLimits(), ...saved.resources }),
      lanes: {
        usage: () => farmLaneUsage(db),
        take: (resource, holder) => takeSlot(db, resource, holder),
        release: (resource, slotId) => releaseSlot(db, resource, slotId)
      },
      workerId: this.id,
      refreshMs: this.timings.sweepMs,
      log: this.log
    })
    this.pool = new WorkerPool<StudioServices, FarmSweep>({
      queue: this.flag,
      leases: this.leases,
      providerCalls,
      external: new FarmSweep({ everyMs: this.timings.sweepMs, flag: this.flag, log: this.log }),
      pipelines: o.pipelines ?? this.local.pipelines,
      services,
      events: this.events,
      artifactsRoot,
      concurrency,
      limiter: this.limiter,
      timings: { leaseMs: this.timings.leaseMs, pollMs: this.timings.sweepMs, reclaimEveryMs: this.timings.reclaimEveryMs },
      probe: (provider) => {
        const set = services.providers()
        const match = [set.text, set.image, set.speech, set.moderation].find((p) => p.id === provider)
        return match ? (signal) => match.probe(signal) : undefined
      },
      inUse: (provider) => {
        const set = services.providers()
        return [set.text, set.image, set.speech, set.moderation].some((p) => p.id === provider)
      },
      // This machine's caps against every worker's spend, as last read (see farm-budget.ts for the bound).
      budget: (provider) => this.budget.hold(provider)
    })
    this.batches = farmBatchFeeder({ pool: this.db, dataDir: this.dataDir, artifactsRoot, pipelines: o.pipelines ?? this.local.pipelines, slotsPerWorker: concurrency, staleAfterMs: this.timings.staleAfterMs, log: this.log })
    this.unsubscribe.push(this.pool.external.onChange(() => void this.batches.feedAll()))
    // The sweep reads the farm's spend again: other workers' steps, and a new day.
    this.unsubscribe.push(this.pool.external.onChange(() => void this.budget.refresh()))
    // And this machine's settings, when saved meanwhile (a cap raised, a provider changed): settings-reload.ts.
    const reload = settingsReloader({
      settings: this.local.settings,
      where: resolve(o.localDir),
      limiter: this.limiter,
      refreshBudget: () => this.budget.refresh(),
      holds: (provider) => this.budget.hold(provider) !== null,
      paid: () => paidProviders(services.providers()),
      releaseWaiting: (provider) => this.leases.releaseWaiting(provider),
      capabilitiesChanged: async (caps) => {
        this.capabilities.has.splice(0, this.capabilities.has.length, ...caps.has)
        this.capabilities = { ...caps, has: this.capabilities.has }
        await registerWorker(this.db, { id: this.id, pid: process.pid, version: this.o.version ?? 'unknown', capabilities: this.capabilities, slots: this.pool.getConcurrency() })
      },
      env: o.env ?? process.env,
      log: this.log
    })
    this.unsubscribe.push(this.pool.external.onChange(() => void reload()))
    // A cancel from another machine while the job runs here: the pool stops its step (it hears
    // the relayed job.changed); it ended here, so it is reported as this worker's.
    this.unsubscribe.push(
      this.events.on('job.changed', (e) => {
        if (e.job.status === 'cancelled' && this.pool.status().running.includes(e.job.id)) o.onFinished?.(e.job)
      })
    )
  }

  /**
   * Register, listen, then claim. A failure here (the database unreachable) is thrown, with
   * whatever was opened closed again.
   */
  async start(): Promise<void> {
    try {
      await registerWorker(this.db, { id: this.id, pid: process.pid, version: this.o.version ?? 'unknown', capabilities: this.capabilities, slots: this.pool.getConcurrency() })
      await this.flag.start()
      await this.limiter.start()
      // Read before the first claim: a farm already over a cap starts no paid step.
      await this.budget.refresh()
      const reopened = () => {
        // What the lost connection would have said: the pause, and work to claim.
        this.flag.refresh().then(() => this.pool.wake(), () => this.pool.wake())
      }
      this.listeners.push(
        await keepListening({
          what: 'wake-ups',
          open: (onError) => listenForWake(this.o.url, (reason) => this.woken(reason), onError),
          retryMs: this.timings.sweepMs,
          log: this.log,
          reopened
        }),
        await keepListening({
          what: "other machines' changes",
          // The database's own status notices are for windows: what a worker needs (cancels, removals, pauses) the job store sends,
          // and of those only its running jobs' (job-relay.ts's `only`).
          open: (onError) =>
            relayFarmChanges({ url: this.o.url, pool: this.db, events: this.events, dataDir: this.dataDir, ownOrigin: randomUUID(), skipOrigins: [FARM_STATUS_ORIGIN, FARM_PROGRESS_ORIGIN], only: () => this.pool.status().running, onError }),
          retryMs: this.timings.sweepMs,
          log: this.log,
          reopened
        })
      )
      this.heartbeatTimer = setInterval(() => void this.beat(), this.timings.heartbeatMs)
      this.heartbeatTimer.unref?.()
      this.pool.start()
      void this.batches.feedAll()
    } catch (err) {
      await this.close()
      throw err
    }
  }

  /** A wake-up: work to claim, or a farm lane's slot freed (or the limits changed): read them first, then claim. */
  private woken(reason: string): void {
    const wake = () => this.pool.wake()
    if (reason === BATCHES_WAKE) return void this.batches.feedAll()
    if (reason === LIMITS_WAKE || reason.startsWith(LANES_WAKE_PREFIX)) void this.limiter.heard().then(wake)
    else {
      const reading = this.limiter.pending()
      if (reading) void reading.then(wake, wake)
      else wake()
    }
  }

  private async beat(): Promise<void> {
    try {
      // Removed by an operator while alive: registered again, so the farm sees what it runs.
      if (!(await heartbeat(this.db, this.id))) {
        await registerWorker(this.db, { id: this.id, pid: process.pid, version: this.o.version ?? 'unknown', capabilities: this.capabilities, slots: this.pool.getConcurrency() })
      }
    } catch (err) {
      this.log(`heartbeat failed (${(err as Error).message}); trying again in ${Math.round(this.timings.heartbeatMs / 1000)} s`)
    }
  }

  /**
   * Graceful stop: claim nothing more; running steps get `graceMs` to finish (their jobs then go
   * back to the queue at their next step), the rest are stopped and given back at once. The worker
   * stays listed as stopping until its heartbeat goes stale.
   */
  stop(graceMs = 10_000): Promise<void> {
    this.stopped ??= (async () => {
      await markStopping(this.db, this.id).catch((err: Error) => this.log(`could not mark this worker as stopping: ${err.message}`))
      await this.pool.stop(graceMs)
      await this.batches.close()
      await this.close()
    })()
    return this.stopped
  }

  private async close(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = null
    this.flag.stop()
    this.limiter.stop()
    for (const u of this.unsubscribe.splice(0)) u()
    await Promise.all(this.listeners.splice(0).map((l) => l.close()))
    await this.db.end().catch(() => undefined)
    await this.local.close()
  }
}
