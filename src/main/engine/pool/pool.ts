import { cpus } from 'node:os'
import type { JobView, ProviderHealth, ResourceStatus } from '../../../shared/types'
import type { EventBus } from '../events'
import type { PipelineRegistry } from '../pipelines/registry'
import { isDatabaseLocked } from '../store/database'
import type { ExternalChanges } from '../store/external-changes'
import { GroupCommit } from '../store/group-commit'
import { isPromise, type Awaitable } from '../store/awaitable'
import { type Claim, type ClaimedJob, type ClaimRequest, type LeaseStore } from '../store/leases'
import { RECENT_MS, type ProviderCallStore } from '../store/provider-calls'
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff'
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerOptions } from './circuit-breaker'
import { JobRunner, StopReason, type PlannedStart } from './job-runner'
import { JobStop } from './job-stop'
import { stopOrphanedTools } from './orphaned-tools'
import { ResourceLimiter, type ResourceLimit, type StepLimiter } from './resource-limiter'
import { DEFAULT_TIMINGS, type PoolTimings } from './timings'
import { logEntry, type LogEntry } from '../../../shared/log-lines'

export { DEFAULT_TIMINGS, type PoolTimings } from './timings'

/**
 * Seed 4: at most 5 at a time, 2 s between calls for the remote music provider; local work is
 * bounded by cores. ffmpeg gets one run more than there are cores: a storyboard's segments spend
 * much of their time in single-threaded filters (motion, captions), so one process uses about
 * 1.3 of 2 cores. A 60 s storyboard (bench/render/storyboard.ts, 2 cores) took 1.47× the wall time
 * of one hand-typed command one segment at a time, 0.91× two at a time, 0.75× three at a time.
 */
export function defaultResourceLimits(cores = cpus().length): Record<string, ResourceLimit> {
  return {
    llm: { concurrency: 4, minIntervalMs: 0 },
    image: { concurrency: 2, minIntervalMs: 0 },
    tts: { concurrency: Math.max(1, cores), minIntervalMs: 0 },
    music: { concurrency: 5, minIntervalMs: 2_000 },
    ffmpeg: { concurrency: Math.max(1, cores) + 1, minIntervalMs: 0 },
    cpu: { concurrency: Math.max(1, cores), minIntervalMs: 0 }
  }
}

export type ProbeFn = (signal: AbortSignal) => Promise<void>

/**
 * What the pool needs of the queue: whether it is paused, answered at once (it is asked at every
 * tick and between steps). SQLite's job store reads its flag; a farm worker keeps one current from
 * the farm's notices (farm/worker-queue.ts).
 */
export interface PausedFlag {
  isPaused(): boolean
}

/** What other processes commit, told to this engine (SQLite's ExternalChanges; a farm's own sweep). */
export type ExternalWatch = Pick<ExternalChanges, 'start' | 'stop' | 'onChange'>

export interface PoolOptions<S, X extends ExternalWatch = ExternalChanges> {
  queue: PausedFlag
  leases: LeaseStore
  providerCalls: ProviderCallStore
  /** What other processes commit to the same database; started and stopped with the pool. */
  external: X
  pipelines: PipelineRegistry<S>
  services: S
  events: EventBus
  artifactsRoot: string
  concurrency?: number
  resources?: Record<string, ResourceLimit>
  /** Limits other than this machine's alone (a farm's, farm/farm-limiter.ts); `resources` is then unused. */
  limiter?: StepLimiter
  backoff?: BackoffOptions
  breaker?: BreakerOptions
  timings?: Partial<PoolTimings>
  /** Health probe of a provider, used to close its circuit without spending a job on it. */
  probe?: (provider: string) => ProbeFn | undefined
  /** Spend caps: a paid step of `provider` waits when this answers (see budget.ts). */
  budget?: (provider: string) => { reason: string; until: number } | null
  /** Whether the settings still send steps to this provider (absent: every provider is). */
  inUse?: (provider: string) => boolean
}

/** A claim the pool asked for, and the starts it planned (undone should the claim fail). */
interface PoolClaim extends ClaimRequest<PlannedStart> {
  planned: PlannedStart[]
  /** The jobs whose start it planned: this pool's from then on (see `starting`). */
  jobIds: string[]
}

interface Running {
  controller: JobStop
  claimed: ClaimedJob
  done: Promise<void>
  /**
   * Its last checkpoint is in the commit being made (or made): the job gave its slot to the next
   * one in that commit, and its runner is only winding down.
   */
  finishing: boolean
}

/**
 * Runs up to `concurrency` jobs at once. It claims only jobs whose next step's resource has room,
 * so a blocked provider never holds back jobs that do not need it.
 */
export class WorkerPool<S = unknown, X extends ExternalWatch = ExternalChanges> {
  readonly limiter: StepLimiter
  readonly timings: PoolTimings
  /** What other processes commit, announced as this engine's own events while the pool runs. */
  readonly external: X
  /** The runners' checkpoints, committed together; its companion is this pool (see claimInCommit). */
  readonly commits: GroupCommit<PlannedStart, PoolClaim>
  private concurrency: number
  private readonly breakers = new Map<string, CircuitBreaker>()
  private readonly running = new Map<string, Running>()
  /**
   * Jobs whose start a claim under way planned: the claim's "processing" event goes out at its
   * commit, before the claim is settled and their runners launched, and whoever hears it (the
   * CLI counting what its run finished) asks `status()` whether the job is this pool's.
   */
  private readonly starting = new Set<string>()
  /** How many of `running` are finishing (see Running.finishing). */
  private finishing = 0
  /** Slots held for the claims asked for and not yet settled (a network backend's are in flight a while). */
  private reserved = 0
  private readonly runner: JobRunner<S>
  private state: 'idle' | 'running' | 'stopping' = 'idle'
  private wakeTimer: NodeJS.Timeout | null = null
  private tickQueued = false
  private lastReclaim = 0
  /** Another process held the database the last time the pool tried to write (see writeFailed). */
  private databaseLocked = false
  private readonly idleWaiters = new Set<() => void>()
  /** Told when no claim is under way any more (see stop). */
  private readonly settledWaiters = new Set<() => void>()
  private readonly probeTimers = new Map<string, NodeJS.Timeout>()
  private unsubscribe: (() => void) | null = null

  constructor(private readonly o: PoolOptions<S, X>) {
    this.concurrency = o.concurrency ?? Math.max(1, cpus().length)
    this.timings = { ...DEFAULT_TIMINGS, ...o.timings }
    this.limiter = o.limiter ?? new ResourceLimiter(o.resources ?? defaultResourceLimits())
    this.external = o.external
    this.commits = new GroupCommit<PlannedStart, PoolClaim>({
      transactions: o.leases,
      companion: {
        join: (finished) => this.claimInCommit(finished),
        settled: (request, outcome) => this.settled(request, outcome)
      }
    })
    this.runner = new JobRunner<S>({
      leases: o.leases,
      commits: this.commits,
      pipelines: o.pipelines,
      services: o.services,
      events: o.events,
      artifactsRoot: o.artifactsRoot,
      limiter: this.limiter,
      backoff: o.backoff ?? DEFAULT_BACKOFF,
      timings: this.timings,
      breaker: (provider) => this.breaker(provider),
      onBreakerChange: (b) => this.breakerChanged(b),
      shouldYield: (jobId) => this.shouldYield(jobId),
      ...(o.budget ? { budget: o.budget } : {}),
      stopping: () => this.state === 'stopping'
    })
  }

  get isRunning(): boolean {
    return this.state === 'running'
  }

  start(): void {
    if (this.state === 'running') return
    this.state = 'running'
    this.unsubscribe = this.o.events.subscribe((e) => {
      if (e.type === 'job.changed') {
        // Only a cancel comes from outside while we hold the job; our own transitions (completed,
        // failed, released) happen after the step is over. A takeover shows up as a failed renewal.
        const mine = this.running.get(e.job.id)
        if (mine && e.job.status === 'cancelled') mine.controller.abort(new StopReason('cancelled'))
        if (e.job.status === 'pending') this.queueTick()
      } else if (e.type === 'job.removed') {
        this.running.get(e.jobId)?.controller.abort(new StopReason('cancelled'))
      } else if (e.type === 'queue.changed' && !e.paused) {
        this.queueTick()
      }
    }, ['job.changed', 'job.removed', 'queue.changed'])
    this.commits.resume()
    this.external.start()
    // Work left behind by a crash goes back to the queue before anything else is claimed.
    void this.reclaim().then(() => this.queueTick())
  }

  setConcurrency(n: number): void {
    this.concurrency = Math.max(1, Math.floor(n))
    this.queueTick()
  }

  getConcurrency(): number {
    return this.concurrency
  }

  /** Work may have become ready elsewhere (another machine said so): look for it now. */
  wake(): void {
    this.queueTick()
  }

  /** "Run the pool now" (seed 4's button): probe open circuits at once and look for work. */
  kick(): void {
    for (const b of this.breakers.values()) {
      if (b.state === 'open') {
        b.retryAt = Date.now()
        this.scheduleProbe(b)
      }
    }
    this.queueTick()
  }

  private queueTick(): void {
    if (this.tickQueued || this.state !== 'running') return
    this.tickQueued = true
    setImmediate(() => {
      this.tickQueued = false
      this.tick()
    })
  }

  private tick(): void {
    if (this.state !== 'running') return
    if (Date.now() - this.lastReclaim >= this.timings.reclaimEveryMs) void this.reclaim()
    // Most ticks follow a job's end, whose slot its own commit already handed on: no free slot,
    // nothing to ask the database.
    if (this.freeSlots() > 0 && !this.o.queue.isPaused()) this.claimAndStart()
    else this.ticked(false)
  }

  private ticked(starved: boolean): void {
    // Only a tick that found no ready job needs to know when a held-back one becomes ready.
    this.scheduleWake(starved)
    this.checkIdle()
  }

  /**
   * Fill the free slots with one claim: each job and its first step's start commit together
   * (rule 1 of "Claim in commit", store/group-commit.ts) — one commit for a tick's work instead of
   * two per job. Then the tick goes on, told whether the queue ran out of ready jobs. Its one
   * caller, tick, checks for a free slot.
   */
  private claimAndStart(): void {
    const request = this.claimRequest(this.freeSlots())
    const claimed = (jobs: Claim<PlannedStart>[]) => {
      this.settled(request, { claimed: jobs })
      this.ticked(jobs.length < request.max)
    }
    const failed = (failure: unknown) => {
      this.settled(request, { failure })
      this.ticked(false)
    }
    let result: Awaitable<Claim<PlannedStart>[]>
    try {
      result = this.o.leases.claim(request)
    } catch (failure) {
      return failed(failure)
    }
    if (isPromise(result)) result.then(claimed, failed)
    else claimed(result)
  }

  /**
   * A claim for `max` jobs, each with its first step's start planned by the runner (rule 1 of
   * "Claim in commit"); its slots are held until it is settled.
   */
  private claimRequest(max: number): PoolClaim {
    const planned: PlannedStart[] = []
    const jobIds: string[] = []
    this.reserved += max
    return {
      leaseMs: this.timings.leaseMs,
      max,
      planned,
      jobIds,
      excludeResources: () => this.limiter.saturated(),
      plan: (claimed) => {
        const start = this.runner.plan(claimed)
        if (start) {
          planned.push(start)
          jobIds.push(claimed.lease.jobId)
          this.starting.add(claimed.lease.jobId)
        }
        return start
      }
    }
  }

  /**
   * A claim is over (committed, or failed): its runners are launched, or its planned starts
   * undone (their resource slots given back); a busy database is retried at the next tick.
   */
  private settled(request: PoolClaim, outcome: { claimed: Claim<PlannedStart>[] } | { failure: unknown }): void {
    this.reserved -= request.max
    const { jobIds } = request
    for (let i = 0; i < jobIds.length; i++) this.starting.delete(jobIds[i]!)
    if (this.reserved === 0) for (const resolve of this.settledWaiters) resolve()
    if ('failure' in outcome) {
      for (const start of request.planned) start.release()
      this.writeFailed('claiming jobs', outcome.failure)
      return
    }
    this.databaseLocked = false
    const { claimed } = outcome
    for (let i = 0; i < claimed.length; i++) this.launch(claimed[i]!)
  }

  /** Jobs whose worker is gone go back to the queue; a locked database is tried again next round. */
  private async reclaim(): Promise<void> {
    this.lastReclaim = Date.now()
    try {
      await this.reclaimAbandoned()
    } catch (err) {
      this.writeFailed('taking back abandoned jobs', err)
    }
  }

  /**
   * Jobs whose worker is gone go back to the queue (see LeaseStore.reclaimAbandoned), except those
   * this pool is running, whose renewals may merely have waited for a locked database; the tools
   * a killed engine left running in their work folders are stopped. Returns the ids taken back.
   */
  reclaimAbandoned(): Promise<string[]> {
    return this.o.leases.reclaimAbandoned({
      held: (jobId) => this.running.has(jobId),
      onAbandonedWork: (workDirs) => {
        const stopped = stopOrphanedTools(workDirs)
        if (stopped) console.warn(`stopped ${stopped} tool process(es) left running by an engine that was killed`)
      }
    })
  }

  /** Said once while another process keeps the database locked, not at every tick. */
  private writeFailed(what: string, err: unknown): void {
    if (!isDatabaseLocked(err)) return console.error(`${what} failed; will retry:`, err)
    if (!this.databaseLocked) console.warn(`${what}: the database is locked by another process; the pool waits for it`)
    this.databaseLocked = true
  }

  /**
   * The group commit's companion (rule 2 of "Claim in commit", store/group-commit.ts): the jobs
   * the group completes give their slots to the next jobs, claimed in that same transaction.
   * Called inside it: it only answers what to claim; `settled` launches what was claimed.
   */
  private claimInCommit(finished: ReadonlySet<string>): PoolClaim | null {
    for (const id of finished) {
      const entry = this.running.get(id)
      if (entry && !entry.finishing) {
        entry.finishing = true
        this.finishing++
      }
    }
    const free = this.freeSlots()
    if (this.state !== 'running' || free <= 0 || this.o.queue.isPaused()) return null
    return this.claimRequest(free)
  }

  /** Slots neither running a job (other than one finishing) nor held for a claim under way. */
  private freeSlots(): number {
    return this.concurrency - (this.running.size - this.finishing) - this.reserved
  }

  private launch(claimed: Claim<PlannedStart>): Running {
    const controller = new JobStop()
    const entry: Running = { controller, claimed, done: Promise.resolve(), finishing: false }
    this.running.set(claimed.lease.jobId, entry)
    // then(ended, crashed) rather than catch().finally(): two promises fewer on every job's path.
    entry.done = this.runner.runJob(claimed, controller).then(
      () => this.ended(entry),
      (err) => {
        console.error(`job ${claimed.lease.jobId} runner crashed:`, err)
        this.ended(entry)
      }
    )
    return entry
  }

  /** A runner is over: its slot is free. */
  private ended(entry: Running): void {
    if (entry.finishing) this.finishing--
    const jobId = entry.claimed.lease.jobId
    // A job given back to the queue can be claimed again before this run has unwound.
    if (this.running.get(jobId) === entry) this.running.delete(jobId)
    // Most often its own checkpoint's commit handed the slot on already (rule 2 of "Claim in
    // commit"): a tick would find no free slot. The poll's timer still comes (reclaim, wake-ups).
    if (this.freeSlots() > 0) this.queueTick()
    this.checkIdle()
  }

  private scheduleWake(lookAhead: boolean): void {
    // The fallback poll already armed will do (it is at most pollMs away); only a held-back job
    // that becomes ready sooner needs an earlier wake.
    if (!lookAhead && this.wakeTimer) return
    if (this.wakeTimer) clearTimeout(this.wakeTimer)
    if (!lookAhead) return this.armWake(null)
    this.o.leases.nextRunAfter().then(
      (next) => this.armWake(next),
      () => this.armWake(null)
    )
  }

  /** The next tick at `next` (a held-back job becomes ready), at most pollMs away. */
  private armWake(next: number | null): void {
    if (this.state !== 'running') return
    if (this.wakeTimer) clearTimeout(this.wakeTimer)
    const delay = next === null ? this.timings.pollMs : Math.min(this.timings.pollMs, Math.max(5, next - Date.now()))
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null
      this.tick()
    }, delay)
    this.wakeTimer.unref?.()
  }

  private shouldYield(job: JobView): { to: 'pending' | 'paused'; reason: LogEntry } | null {
    if (this.state === 'stopping') return { to: 'pending', reason: logEntry('engineStopping') }
    if (job.pauseRequested) return { to: 'paused', reason: logEntry('pausedBetweenSteps') }
    if (this.o.queue.isPaused()) return { to: 'pending', reason: logEntry('queuePaused') }
    return null
  }

  // ------------------------------------------------------------- provider health

  breaker(provider: string): CircuitBreaker {
    let b = this.breakers.get(provider)
    if (!b) {
      b = new CircuitBreaker(provider, this.o.breaker ?? DEFAULT_BREAKER)
      this.breakers.set(provider, b)
    }
    return b
  }

  private breakerChanged(b: CircuitBreaker): void {
    if (b.state === 'closed') {
      const t = this.probeTimers.get(b.provider)
      if (t) clearTimeout(t)
      this.probeTimers.delete(b.provider)
      this.o.leases.releaseWaiting(b.provider).then(
        () => this.queueTick(),
        // Its waiting jobs then start at their probe time instead of at once.
        (err) => this.writeFailed('releasing the jobs waiting for a provider', err)
      )
    } else if (b.state === 'open') {
      this.scheduleProbe(b)
    }
    this.announceHealth(b.provider)
  }

  /** A provider's card changed: announced once its figures are read (a failed read skips it; the next change tells). */
  private announceHealth(provider: string): void {
    this.healthOf(provider).then(
      (health) => this.o.events.emit({ type: 'provider.changed', health }),
      (err) => this.writeFailed('reading a provider\'s health', err)
    )
  }

  /** At the end of the cooldown, run the provider's health probe (if it has one) instead of spending a job. */
  private scheduleProbe(b: CircuitBreaker): void {
    const probe = this.o.probe?.(b.provider)
    if (!probe || this.state === 'stopping') return
    const existing = this.probeTimers.get(b.provider)
    if (existing) clearTimeout(existing)
    const delay = Math.max(0, (b.retryAt ?? Date.now()) - Date.now())
    const timer = setTimeout(async () => {
      this.probeTimers.delete(b.provider)
      if (this.state !== 'running' || !b.tryAcquire()) return
      const started = Date.now()
      let failure: string | null = null
      try {
        await probe(AbortSignal.timeout(10_000))
      } catch (err) {
        failure = err instanceof Error ? err.message : String(err)
      }
      const ms = Date.now() - started
      // The provider's answer decides, whether or not it can be written down right now (the
      // database may be locked by another process): the breaker's trial is always settled.
      this.o.providerCalls
        .record({
          provider: b.provider,
          ts: Date.now(),
          ok: failure === null,
          durationMs: ms,
          error: failure === null ? null : `health probe: ${failure}`
        })
        .catch((err) => this.writeFailed('recording a health probe', err))
      if (failure === null) {
        if (b.recordSuccess(ms)) this.breakerChanged(b)
      } else {
        b.recordFailure(failure, true, ms)
        this.breakerChanged(b)
      }
    }, delay)
    timer.unref?.()
    this.probeTimers.set(b.provider, timer)
  }

  private async healthOf(provider: string): Promise<ProviderHealth> {
    const since = Date.now() - 24 * 3600_000
    const calls = this.o.providerCalls
    const s = await calls.statsSince(provider, since)
    const recent = await calls.recent(provider)
    const b = this.breakers.get(provider)?.snapshot()
    // A provider that answers but refuses (HTTP 400: a bad request, not an outage) keeps its
    // circuit closed; its last error still belongs on its card, or it looks healthy at 0 %.
    const lastFailed = b?.lastError ? null : await calls.lastErrorSince(provider, since)
    return {
      provider,
      state: b?.state ?? 'closed',
      consecutiveFailures: b?.consecutiveFailures ?? 0,
      lastError: b?.lastError ?? lastFailed ?? null,
      lastResponseMs: b?.lastResponseMs ?? null,
      lastCheckedAt: b?.lastCheckedAt ?? null,
      retryAt: b?.retryAt ?? null,
      successRate24h: s.calls ? s.ok / s.calls : null,
      calls24h: s.calls,
      avgDurationMs24h: s.avgOkMs === null ? null : Math.round(s.avgOkMs),
      ...recent,
      inUse: this.o.inUse?.(provider) ?? true
    }
  }

  /** Every provider in use that the pool has seen (breaker) or that was called in the last 24 h. */
  async health(known: readonly string[] = []): Promise<ProviderHealth[]> {
    const names = new Set<string>(known)
    for (const p of this.breakers.keys()) names.add(p)
    for (const p of await this.o.providerCalls.calledSince(Date.now() - 24 * 3600_000)) names.add(p)
    // A provider the settings no longer use stays listed while its recent calls are worth seeing.
    const since = Date.now() - RECENT_MS
    const all = await Promise.all([...names].sort().map((p) => this.healthOf(p)))
    return all.filter((h) => h.inUse || (h.lastCallAt !== null && h.lastCallAt >= since))
  }

  status(): { state: 'idle' | 'running' | 'stopping'; running: string[]; concurrency: number; resources: ResourceStatus[] } {
    const running = [...this.running].filter(([, r]) => !r.finishing).map(([id]) => id)
    for (const id of this.starting) if (!this.running.has(id)) running.push(id)
    return { state: this.state, running, concurrency: this.concurrency, resources: this.limiter.status() }
  }

  // ------------------------------------------------------------- idle and stop

  private checkIdle(): void {
    if (this.idleWaiters.size === 0 || this.running.size > 0 || this.reserved > 0) return
    if (this.state !== 'running' || this.o.queue.isPaused()) return this.wakeIdle()
    this.o.leases.hasWork().then(
      (work) => {
        if (!work && this.running.size === 0 && this.reserved === 0) this.wakeIdle()
      },
      // A busy database: the next tick asks again.
      () => {}
    )
  }

  private wakeIdle(): void {
    for (const resolve of [...this.idleWaiters]) resolve()
    this.idleWaiters.clear()
  }

  /** Resolves when nothing is running and nothing is queued (or the queue is paused). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.add(resolve)
      this.queueTick()
      setImmediate(() => this.checkIdle())
    })
  }

  /**
   * Graceful stop: claim nothing more; running jobs get `graceMs` to finish their current step
   * (they then return to the queue at their next step); what is still running after that is
   * aborted and released, so nothing is lost and nothing waits for a lease to expire.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.state === 'idle') return
    this.state = 'stopping'
    this.external.stop()
    this.unsubscribe?.()
    if (this.wakeTimer) clearTimeout(this.wakeTimer)
    this.wakeTimer = null
    for (const t of this.probeTimers.values()) clearTimeout(t)
    this.probeTimers.clear()
    // A claim under way (a network backend's) launches its runners once settled: wait for them.
    if (this.reserved > 0) await new Promise<void>((resolve) => this.settledWaiters.add(resolve))
    this.settledWaiters.clear()
    const all = Promise.all([...this.running.values()].map((r) => r.done))
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs)
      })
    ])
    clearTimeout(timer)
    if (timedOut) {
      for (const r of this.running.values()) r.controller.abort(new StopReason('shutdown'))
      this.commits.abandonWaiting(new Error('the database stayed locked by another process until the engine stopped'))
      await all
    }
    this.state = 'idle'
    this.checkIdle()
  }
}
