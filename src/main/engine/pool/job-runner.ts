import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import type { JobView, JsonValue, StepView } from '../../../shared/types'
import { classifyError, LeaseLostError, permanent, type StepError } from '../errors'
import { Coalescer, type EventBus } from '../events'
import { makeStepContext, stepOutputOf } from '../pipelines/context'
import type { PipelineRegistry } from '../pipelines/registry'
import { stepDefinition, type PipelineDefinition, type StepContext, type StepDefinition, type StepOutput, type StepResult } from '../pipelines/types'
import type { GroupCommit } from '../store/group-commit'
import type { Claim, ClaimedJob, GroupedWrite, HeldStep, Lease, LeaseStore, StepStart } from '../store/leases'
import { isDatabaseLocked } from '../store/database'
import { backoffDelay, type BackoffOptions } from './backoff'
import type { CircuitBreaker } from './circuit-breaker'
import type { JobStop } from './job-stop'
import type { PoolTimings } from './timings'
import type { ResourceLimiter } from './resource-limiter'
import { syncFile, syncFolder, worthSyncing } from './sync-files'
import { logEntry, type LogEntry } from '../../../shared/log-lines'
import { stepProgressReporter } from '../../../shared/progress'

/** Why a running job was stopped from outside its step. */
export class StopReason extends Error {
  constructor(readonly why: 'cancelled' | 'lease-lost' | 'shutdown') {
    super(`job stopped: ${why}`)
    this.name = 'AbortError'
  }
}

export interface RunnerDeps<S> {
  leases: LeaseStore
  /** Commits the checkpoints that the lease store builds (see store/group-commit.ts). */
  commits: Pick<GroupCommit, 'submit'>
  pipelines: PipelineRegistry<S>
  services: S
  events: EventBus
  artifactsRoot: string
  limiter: ResourceLimiter
  backoff: BackoffOptions
  timings: PoolTimings
  breaker(provider: string): CircuitBreaker
  onBreakerChange(breaker: CircuitBreaker): void
  /** Before each step: should the job go back to the queue instead? `job` is its latest stored state. */
  shouldYield(job: JobView): { to: 'pending' | 'paused'; reason: LogEntry } | null
  /** Spend caps: non-null when a paid step of this provider must wait (budget.ts). */
  budget?(provider: string): { reason: string; until: number } | null
  /** Is the engine shutting down (running steps in their grace period)? */
  stopping(): boolean
}

type StepOutcome = 'completed' | 'stopped'

/** A first step's start as the runner plans it at the claim: the resource slot it took comes along. */
export interface PlannedStart extends StepStart {
  /** Gives the slot back (idempotent): when the step ends, or when the claim failed. */
  release: () => void
}

interface ProgressUpdate {
  stepIdx: number
  stepName: string
  stepProgress: number
  jobProgress: number
  message: string | null
}

/**
 * Runs one claimed job step by step. Finished steps are skipped (their stored output is handed to
 * later steps); each step's result is checkpointed before the next starts; failures are routed
 * by class: retry with backoff, wait for the provider, fallback, or fail naming the step.
 */
export class JobRunner<S> {
  private readonly progress: Coalescer<ProgressUpdate>
  private readonly leasesByJob = new Map<string, { lease: Lease; controller: JobStop }>()
  /** Renews every lease held here, while any is (see renewLeases). */
  private renewals: NodeJS.Timeout | null = null

  constructor(private readonly d: RunnerDeps<S>) {
    this.progress = new Coalescer(d.timings.progressIntervalMs, (jobId, u) => this.deliverProgress(jobId, u))
  }

  private deliverProgress(jobId: string, u: ProgressUpdate): void {
    const held = this.leasesByJob.get(jobId)
    if (!held) return
    this.d.leases.saveProgress(held.lease, u.stepIdx, u.stepProgress, u.jobProgress).then(
      () => this.progressSaved(jobId, u),
      (err) => {
        if (err instanceof LeaseLostError) held.controller.abort(new StopReason('lease-lost'))
      }
    )
  }

  private progressSaved(jobId: string, u: ProgressUpdate): void {
    this.d.events.emit({
      type: 'job.progress',
      jobId,
      progress: u.jobProgress,
      step: u.stepName,
      stepProgress: u.stepProgress,
      message: u.message
    })
  }

  /**
   * How a job's first step starts, decided as it is claimed (rule 1 of "Claim in commit",
   * store/group-commit.ts): synchronous, and never touches the store. What runJob would do before
   * that step's start: the pipeline and step found, the provider's budget and circuit checked, a
   * free slot of its resource taken (tryAcquire), its work folder and attempts chosen. Null when
   * any of it cannot be done at once: runJob then decides, with a write of its own.
   */
  plan(claimed: ClaimedJob): PlannedStart | null {
    const pipeline = this.d.pipelines.get(claimed.job.type)
    const step = claimed.steps.find((s) => s.status !== 'completed')
    if (!pipeline || !step) return null
    const def = stepDefinition(pipeline, step.name)
    // Would the job yield at once? The pool claims only while it runs and the queue is not paused,
    // so what is left to ask costs no query.
    if (!def || claimed.job.pauseRequested || this.d.stopping()) return null
    const provider = def.provider?.({ input: claimed.job.payload, services: this.d.services, stepName: step.name }) ?? null
    if (provider && (this.d.budget?.(provider) || this.d.breaker(provider).state !== 'closed')) return null
    const release = this.d.limiter.tryAcquire(def.resource)
    if (!release) return null
    return {
      step,
      workDir: this.workDirOf(claimed.lease.jobId, step),
      maxAttempts: Math.max(1, def.maxAttempts ?? claimed.job.maxRetries),
      skipped: claimed.steps.filter((s) => s.status === 'completed'),
      release
    }
  }

  /** A fresh work folder for one run of a step. */
  private workDirOf(jobId: string, step: HeldStep & { index: number }): string {
    // A planned step's name holds a ':' (segment:4f3a…), which no Windows folder name may.
    const folder = `${String(step.index + 1).padStart(2, '0')}-${step.name.replace(/[^\w.-]/g, '-')}`
    return join(this.d.artifactsRoot, jobId, `${folder}.${randomUUID().slice(0, 8)}`)
  }

  async runJob(claimed: Claim<PlannedStart>, controller: JobStop): Promise<void> {
    const { lease, job } = claimed
    const { leases } = this.d
    this.hold(lease, controller)
    try {
      const pipeline = this.d.pipelines.get(job.type)
      const steps = claimed.steps
      if (!pipeline) {
        await this.commit(leases.failJob(lease, steps[0]!, `unknown job type "${job.type}" (this build knows ${this.d.pipelines.names().join(', ')})`, 0, null))
        return
      }
      const input = job.payload
      const outputs: Record<string, StepOutput> = {}
      const done = steps.filter((s) => s.status === 'completed')
      for (const s of done) outputs[s.name] = stepOutputOf(s)
      if (!claimed.started && done.length && done.length < steps.length) await leases.logSkipped(lease, done)

      const latest = { job }
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!
        if (step.status === 'completed') continue
        const def = stepDefinition(pipeline, step.name)
        if (!def) {
          await this.commit(leases.failJob(lease, step, `this build's ${pipeline.name} pipeline has no step "${step.name}"`, 0, null))
          return
        }
        // A step started with its claim was asked at the claim (see plan).
        const yieldTo = claimed.started?.plan.step.index === step.index ? null : this.d.shouldYield(latest.job)
        if (yieldTo) {
          await this.commit(leases.release(lease, yieldTo.to, yieldTo.reason))
          return
        }
        const run = (row: StepView, d: StepDefinition<S>) =>
          this.runStep({ lease, claimed, pipeline, def: d, step: row, input, outputs, controller, latest })
        if (!def.parallel) {
          if ((await run(step, def)) !== 'completed') return
          continue
        }
        // The parallel steps that follow each other run together, each in its resource's limit.
        const group: Array<{ row: StepView; def: StepDefinition<S> }> = []
        for (let j = i; j < steps.length; j++) {
          const other = steps[j]!
          const d = stepDefinition(pipeline, other.name)
          if (!d?.parallel) break
          if (other.status !== 'completed') group.push({ row: other, def: d })
          i = j
        }
        const outcomes = await Promise.all(
          group.map(async (g) => {
            const outcome = await run(g.row, g.def)
            // One of them stopped the job (a failure, a wait, a retry later): the others stop too.
            if (outcome !== 'completed' && !controller.aborted) controller.abort(new StopReason('lease-lost'))
            return outcome
          })
        )
        if (outcomes.some((o) => o !== 'completed')) return
      }
    } catch (err) {
      // The job was cancelled, removed or taken over: whatever this worker had is discarded.
      if (err instanceof LeaseLostError) return
      // A bug in the engine or a pipeline must not leave the job stuck in processing: it fails,
      // with the error, and can be retried once fixed.
      await this.failUnexpectedly(claimed, err)
    } finally {
      // A planned start whose step never ran (the job yielded first) gives its slot back.
      claimed.started?.plan.release()
      this.letGo(lease)
    }
  }

  private hold(lease: Lease, controller: JobStop): void {
    this.leasesByJob.set(lease.jobId, { lease, controller })
    if (this.renewals) return
    this.renewals = setInterval(() => this.renewLeases(), Math.max(50, Math.floor(this.d.timings.leaseMs / 3)))
    this.renewals.unref?.()
  }

  /**
   * This run is over. The job may already run again, under a new lease (given back to the queue,
   * it can be claimed before this run has unwound): only this run's own lease is let go.
   */
  private letGo(lease: Lease): void {
    if (this.leasesByJob.get(lease.jobId)?.lease !== lease) return
    this.progress.drop(lease.jobId)
    this.leasesByJob.delete(lease.jobId)
    if (this.leasesByJob.size > 0 || !this.renewals) return
    clearInterval(this.renewals)
    this.renewals = null
  }

  /**
   * One timer for all running jobs, one commit for all their renewals (a timer and an fsync per
   * job before). A lease found gone stops its job: it was cancelled, removed or taken over.
   */
  private renewLeases(): void {
    const held = [...this.leasesByJob.values()]
    this.d.leases.renewAll(held.map((h) => h.lease), this.d.timings.leaseMs).then(
      (lost) => {
        for (const lease of lost) {
          // Only the run that held this lease: its job may already run again under a new one.
          const held = this.leasesByJob.get(lease.jobId)
          if (held?.lease === lease) held.controller.abort(new StopReason('lease-lost'))
        }
      },
      // A busy database now and then is not a lost lease; the next renewal will tell.
      () => {}
    )
  }

  /**
   * What a step not started with its claim goes through before it starts: the provider's budget
   * and circuit (either may make the job wait), then a slot of its resource, waited for in line.
   */
  private async begin(
    a: { lease: Lease; claimed: ClaimedJob; def: StepDefinition<S>; step: StepView; controller: JobStop },
    provider: string | null,
    breaker: CircuitBreaker | null
  ): Promise<{ release: () => void; workDir: string; maxAttempts: number } | 'stopped'> {
    const { lease, claimed, def, step, controller } = a
    const { leases } = this.d
    const overBudget = provider ? (this.d.budget?.(provider) ?? null) : null
    if (provider && overBudget) {
      await this.commit(leases.waitForProvider(lease, step, provider, overBudget.reason, overBudget.until, null))
      return 'stopped'
    }

    if (provider && breaker && !breaker.tryAcquire()) {
      // Open: wait for the probe time. Half-open with a trial in flight: wait for its verdict — a
      // success releases waiting jobs at once (releaseWaiting), so this is only an upper bound.
      const until = breaker.state === 'open' && breaker.retryAt ? breaker.retryAt : Date.now() + Math.max(10 * this.d.timings.pollMs, 1_000)
      await this.commit(leases.waitForProvider(lease, step, provider, breaker.lastError ?? 'circuit open', until, null))
      return 'stopped'
    }

    let release = this.d.limiter.tryAcquire(def.resource)
    if (!release) {
      try {
        release = await this.d.limiter.acquire(def.resource, controller.signal)
      } catch {
        breaker?.abandonTrial()
        await this.handleStop(lease, step, stopReasonOf(controller))
        return 'stopped'
      }
    }
    return { release, workDir: this.workDirOf(lease.jobId, step), maxAttempts: Math.max(1, def.maxAttempts ?? claimed.job.maxRetries) }
  }

  private async runStep(a: {
    lease: Lease
    claimed: Claim<PlannedStart>
    pipeline: PipelineDefinition<S>
    def: StepDefinition<S>
    step: StepView
    input: Record<string, unknown>
    outputs: Record<string, StepOutput>
    controller: JobStop
    /** Updated with the row each checkpoint returns (it carries a pause requested meanwhile). */
    latest: { job: JobView }
  }): Promise<StepOutcome> {
    const { lease, def, step, input, outputs, controller, claimed } = a
    const { leases } = this.d
    // Only steps that call a provider have a circuit breaker: a local step's bug is not an outage.
    const target = { input, services: this.d.services, stepName: step.name }
    const provider = def.provider?.(target) ?? null
    const breaker = provider ? this.d.breaker(provider) : null
    const consulted = def.consults?.(target) ?? []
    // Started with its claim (rule 1 of "Claim in commit", store/group-commit.ts), or now.
    const planned = claimed.started?.plan.step.index === step.index ? claimed.started : null
    const begun = planned
      ? { release: planned.plan.release, workDir: planned.plan.workDir, maxAttempts: planned.plan.maxAttempts }
      : await this.begin(a, provider, breaker)
    if (begun === 'stopped') return 'stopped'
    const { release, workDir, maxAttempts } = begun
    // One definition of a job's progress everywhere (src/shared/progress.ts): steps count equally.
    const jobProgressAt = stepProgressReporter(claimed.steps.length, step.index, a.latest.job.progress)
    let started = Date.now()
    let attempt = planned ? planned.attempt : 0
    try {
      if (!planned) attempt = await leases.startStep(lease, step, workDir, maxAttempts)
      controller.throwIfAborted()
      started = Date.now()
      const ctx = makeStepContext<S>({
        jobId: lease.jobId,
        stepName: step.name,
        projectId: claimed.job.projectId,
        jobType: claimed.job.type,
        input,
        outputs,
        workDir,
        // Its AbortSignal is made only if the step asks for it (see JobStop).
        signal: controller,
        services: this.d.services,
        onProgress: (pct, message) =>
          this.progress.push(lease.jobId, {
            stepIdx: step.index,
            stepName: step.name,
            stepProgress: pct,
            jobProgress: jobProgressAt(pct),
            message: message ?? null
          }),
        onLog: (message, level) => this.logLine(lease.jobId, level, message, step.name)
      })

      let result: StepResult
      let usedFallback = false
      try {
        result = await def.run(ctx)
        controller.throwIfAborted()
        await publishFiles(result.files ?? {}, workDir)
      } catch (raw) {
        const recovered = await this.recover(raw, { lease, step, def, ctx, controller, breaker, provider, consulted, workDir, started, attempt, maxAttempts })
        if (recovered === 'stopped') return 'stopped'
        result = recovered
        usedFallback = true
      }

      const files = result.files ?? {}
      const durationMs = Date.now() - started
      this.progress.drop(lease.jobId)
      const isLast = step.index === claimed.steps.length - 1
      const nextStep = claimed.steps[step.index + 1]
      const output: StepOutput = { data: result.data, files }
      // An unpriced model's cost is unknown (NULL), not free: the job's total becomes a lower bound.
      const costUsd = result.costKnown === false ? null : (result.cost ?? 0)
      if (result.cost !== undefined && costUsd !== null) output.cost = result.cost
      if (result.provider !== undefined) output.provider = result.provider
      if (usedFallback) output.fallback = true
      // The resource's work is over: its slot is free for the job the pool claims in this very
      // checkpoint's commit (rule 2 of "Claim in commit", store/group-commit.ts), not only after it.
      release()
      a.latest.job = await this.d.commits.submit(leases.completeStep(
        lease,
        step,
        {
          data: result.data,
          files,
          workDir,
          costUsd,
          provider: result.provider ?? provider,
          fallback: usedFallback,
          durationMs,
          durable: worthSyncing(files, result.cost ?? 0, result.provider ?? provider)
        },
        {
          resource: nextStep?.resource ?? null,
          step: nextStep?.name ?? null,
          jobProgress: jobProgressAt(100),
          ...(isLast ? { jobResult: jobResult(outputs, step.name, output) } : {})
        }
      ))
      outputs[step.name] = output
      if (breaker && !usedFallback && breaker.recordSuccess(durationMs)) this.d.onBreakerChange(breaker)
      else if (usedFallback) breaker?.abandonTrial()
      // The step got past the providers it consulted: one that was marked down is back.
      for (const other of usedFallback ? [] : consulted) {
        const b = this.d.breaker(other)
        if (b.state !== 'closed' && b.recordSuccess(durationMs)) this.d.onBreakerChange(b)
      }
      return 'completed'
    } catch (err) {
      breaker?.abandonTrial()
      if (err instanceof LeaseLostError || controller.aborted) {
        await this.handleStop(lease, step, stopReasonOf(controller))
        rmSync(workDir, { recursive: true, force: true })
        return 'stopped'
      }
      throw err
    } finally {
      release()
    }
  }

  /**
   * A step's failure, routed by its class: the job waits, retries later or fails ('stopped'), or
   * the step's fallback produced a result. Apart from runStep: its hot path, compiled by V8's
   * optimizing compiler several times while a queue warms up, stays small (bench/queue: a third
   * of the CPU of the first thousand no-op jobs went into compiling runStep).
   */
  private async recover(
    raw: unknown,
    a: {
      lease: Lease
      step: StepView
      def: StepDefinition<S>
      ctx: StepContext<S>
      controller: JobStop
      breaker: CircuitBreaker | null
      provider: string | null
      consulted: readonly string[]
      workDir: string
      started: number
      attempt: number
      maxAttempts: number
    }
  ): Promise<StepResult | 'stopped'> {
    const { lease, step, def, ctx, controller, breaker, provider, consulted, workDir, started, attempt, maxAttempts } = a
    const { leases } = this.d
    if (controller.aborted) throw raw
    if (this.d.stopping()) {
      // A step that fails while the engine shuts down was most likely hit by the same Ctrl-C
      // (the terminal signals ffmpeg or a speech engine too): not the step's fault. The job
      // goes back to the queue at this step, its attempt given back.
      breaker?.abandonTrial()
      await this.handleStop(lease, step, 'shutdown')
      rmSync(workDir, { recursive: true, force: true })
      return 'stopped'
    }
    const err = classifyError(raw, provider ?? undefined)
    const durationMs = Date.now() - started
    // A step may learn which provider failed only from the error (settings pick the provider).
    // A provider it merely consulted (moderation) answers for its own failures.
    const failedProvider = err.provider && consulted.includes(err.provider) ? err.provider : (provider ?? err.provider ?? null)
    const failedBreaker = failedProvider === provider ? breaker : failedProvider ? this.d.breaker(failedProvider) : null
    // The step's own provider was never reached: its half-open trial tells nothing.
    if (failedBreaker !== breaker) breaker?.abandonTrial()
    const decision = this.decide(err, failedBreaker, attempt, maxAttempts)
    if (decision.kind === 'wait' && failedProvider) {
      await this.commit(leases.waitForProvider(lease, step, failedProvider, err.message, decision.until, { durationMs }))
      rmSync(workDir, { recursive: true, force: true })
      return 'stopped'
    }
    if (decision.kind === 'retry') {
      await this.commit(leases.retryLater(lease, step, err.message, Date.now() + decision.delayMs, durationMs, failedProvider))
      rmSync(workDir, { recursive: true, force: true })
      return 'stopped'
    }
    if (!def.fallback) {
      await this.commit(leases.failJob(lease, step, describeFailure(err, attempt), durationMs, failedProvider))
      return 'stopped'
    }
    await leases.log(lease.jobId, 'warn', logEntry('fallback', { step: step.name, error: err.message }), step.name)
    try {
      const result = await def.fallback(ctx, err)
      await publishFiles(result.files ?? {}, workDir)
      return result
    } catch (fallbackRaw) {
      if (controller.aborted) throw fallbackRaw
      const fe = classifyError(fallbackRaw)
      await this.commit(leases.failJob(lease, step, `${describeFailure(err, attempt)}; fallback failed too: ${fe.message}`, Date.now() - started, provider))
      return 'stopped'
    }
  }

  /** A checkpoint the lease store built, committed with the others of this turn. */
  private async commit(write: GroupedWrite): Promise<void> {
    await this.d.commits.submit(write)
  }

  /** A step's own log line: written when it can be (a locked database loses the line, not the step). */
  private logLine(jobId: string, level: 'debug' | 'info' | 'warn' | 'error', message: string | LogEntry, step: string): void {
    this.d.leases.log(jobId, level, message, step).catch((err) => console.warn(`job ${jobId}: a log line was not stored:`, err))
  }

  private async failUnexpectedly(claimed: ClaimedJob, err: unknown): Promise<void> {
    const current = async (): Promise<StepView> => {
      const at = await this.d.leases.currentStep(claimed.lease.jobId)
      return claimed.steps.find((s) => s.name === at) ?? claimed.steps.find((s) => s.status !== 'completed') ?? claimed.steps[0]!
    }
    try {
      if (isDatabaseLocked(err)) {
        // Another process kept the write lock beyond the busy timeout (a step's start, a log
        // line): nothing is wrong with the job. It goes back to the queue once the lock is gone.
        await this.commit(this.d.leases.release(claimed.lease, 'pending', logEntry('databaseLocked', { step: (await current()).name })))
        return
      }
      console.error(`job ${claimed.lease.jobId} failed unexpectedly:`, err)
      await this.commit(this.d.leases.failJob(claimed.lease, await current(), `internal error: ${err instanceof Error ? err.message : String(err)}`, 0, null))
    } catch (again) {
      if (!(again instanceof LeaseLostError)) console.error('could not record the failure:', again)
    }
  }

  /** Route a failure by its class. A provider whose circuit just opened makes the job wait, not fail. */
  private decide(
    err: StepError,
    breaker: CircuitBreaker | null,
    attempt: number,
    maxAttempts: number
  ): { kind: 'wait'; until: number } | { kind: 'retry'; delayMs: number } | { kind: 'give-up' } {
    // An abort that did not come from us (a step's own timeout) is worth another try.
    if (err.kind === 'provider-unavailable' || err.kind === 'retryable' || err.kind === 'cancelled') {
      const changed = breaker?.recordFailure(err.message, err.kind === 'provider-unavailable')
      if (breaker && changed) this.d.onBreakerChange(breaker)
      if (breaker?.state === 'open') {
        const until = Math.max(breaker.retryAt ?? 0, err.retryAfterMs ? Date.now() + err.retryAfterMs : 0)
        return { kind: 'wait', until }
      }
      if (attempt < maxAttempts) return { kind: 'retry', delayMs: backoffDelay(attempt, this.d.backoff, err.retryAfterMs) }
      return { kind: 'give-up' }
    }
    breaker?.abandonTrial()
    return { kind: 'give-up' }
  }

  /** The step was interrupted from outside: on shutdown give the job back; on cancel/lease loss there is nothing to write. */
  private async handleStop(lease: Lease, step: StepView, reason: StopReason['why']): Promise<void> {
    if (reason !== 'shutdown') return
    try {
      await this.commit(this.d.leases.release(lease, 'pending', logEntry('engineStopped', { step: step.name, next: step.name })))
    } catch (err) {
      if (err instanceof LeaseLostError) return
      // The database stayed locked by another process until the end of the grace period: the
      // job stays marked as ours, and the next engine to start takes it back at this step.
      console.warn(`job ${lease.jobId}: not given back (${err instanceof Error ? err.message : String(err)}); it resumes at ${step.name} when the engine next starts`)
    }
  }
}

/** Why the job was stopped: ours (cancel, shutdown, lease) or, by default, a lost lease. */
function stopReasonOf(stop: JobStop): StopReason['why'] {
  return stop.reason instanceof StopReason ? stop.reason.why : 'lease-lost'
}

function describeFailure(err: StepError, attempt: number): string {
  if (err.kind === 'permanent') return err.message
  return `${err.message} (gave up after ${attempt} attempt${attempt > 1 ? 's' : ''})`
}

/** A step's artifacts must lie in its own work folder, and are on disk for good before their checkpoint. */
async function publishFiles(files: Record<string, string>, workDir: string): Promise<void> {
  for (const [name, path] of Object.entries(files)) {
    const rel = relative(workDir, path)
    if (!isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel)) {
      throw permanent(`step returned artifact "${name}" outside its work folder: ${path}`)
    }
  }
  const entries = Object.entries(files)
  for (const [name, path] of entries) {
    try {
      await syncFile(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw permanent(`step returned artifact "${name}" but never wrote it: ${path}`)
      throw err
    }
  }
  if (entries.length) await syncFolder(workDir)
}


/** What the job as a whole produced: the last step's output, plus every step's files by step. */
function jobResult(outputs: Record<string, StepOutput>, lastName: string, last: StepOutput): JsonValue {
  const files: Record<string, JsonValue> = {}
  for (const [name, o] of Object.entries({ ...outputs, [lastName]: last })) {
    if (Object.keys(o.files).length) files[name] = o.files
  }
  return { output: last.data, files }
}
