import { randomInt } from 'node:crypto'
import { rmSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
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
import type { StepLimiter } from './resource-limiter'
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
  limiter: StepLimiter
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

  /** Where work folders go, normalised once and ending with a separator (see workDirOf). */
  private readonly root: string
  /** Runs of a step started here, from a random start (see workDirOf). */
  private runs = randomInt(0, 2 ** 32)

  constructor(private readonly d: RunnerDeps<S>) {
    const root = join(d.artifactsRoot, '.')
    this.root = root.endsWith(sep) ? root : root + sep
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
    return plannedStart(step, this.workDirOf(claimed.lease.jobId, step), Math.max(1, def.maxAttempts ?? claimed.job.maxRetries), claimed.steps.filter((s) => s.status === 'completed'), release)
  }

  /**
   * A fresh work folder for one run of a step: `<root>/<job id>/<nn>-<step>.<8 hex digits>`. The
   * suffix counts the runs of this runner from a random start, so that no two runs here share a
   * folder and a run after a restart does not fall on a folder an earlier engine left (a counter,
   * not a random UUID per run: cheaper to run and to compile, on every job's path).
   */
  private workDirOf(jobId: string, step: HeldStep & { index: number }): string {
    // A planned step's name holds a ':' (segment:4f3a…), which no Windows folder name may.
    const folder = `${String(step.index + 1).padStart(2, '0')}-${step.name.replace(/[^\w.-]/g, '-')}`
    const run = (this.runs++ >>> 0).toString(16).padStart(8, '0')
    return `${this.root}${jobId}${sep}${folder}.${run}`
  }

  /**
   * Runs the job's unfinished steps in order. Its normal path stays small, and the rare ones (an
   * unknown type or step, skipped steps to log, a yield, parallel groups) are methods of their own:
   * V8 compiles this function and runStep again and again while a queue warms up, and what it
   * compiles is what they hold, plus what it inlines into them (bench/queue: that compiling was a
   * third of the CPU of a fresh process's first thousand no-op jobs).
   */
  async runJob(claimed: Claim<PlannedStart>, controller: JobStop): Promise<void> {
    this.hold(claimed.lease, controller)
    try {
      const pipeline = this.d.pipelines.get(claimed.job.type)
      if (!pipeline) return await this.unknownType(claimed)
      const run = jobRun<S>(claimed, pipeline, controller)
      if (run.done > 0) await this.prepareResume(run)
      const steps = claimed.steps
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!
        if (step.status === 'completed') continue
        const def = stepDefinition(pipeline, step.name)
        if (!def) return await this.unknownStep(run, step)
        // A step started with its claim was asked at the claim (see plan), unless the engine
        // began to stop since (a network backend's claim takes a while).
        const asked = claimed.started !== null && claimed.started.plan.step.index === step.index && !this.d.stopping()
        if (!asked && (await this.yielded(run, step))) return
        if (def.parallel) {
          const end = this.parallelEnd(pipeline, steps, i)
          if ((await this.runGroup(run, i, end)) !== 'completed') return
          i = end
        } else if ((await this.runStep(run, step, def)) !== 'completed') return
      }
    } catch (err) {
      return await this.runFailed(claimed, err)
    } finally {
      // A planned start whose step never ran (the job yielded first) gives its slot back.
      claimed.started?.plan.release()
      this.letGo(claimed.lease)
    }
  }

  private async unknownType(claimed: ClaimedJob): Promise<void> {
    const why = `unknown job type "${claimed.job.type}" (this build knows ${this.d.pipelines.names().join(', ')})`
    await this.commit(this.d.leases.failJob(claimed.lease, claimed.steps[0]!, why, 0, null))
  }

  private async unknownStep(run: JobRun<S>, step: StepView): Promise<void> {
    await this.commit(this.d.leases.failJob(run.lease, step, `this build's ${run.pipeline.name} pipeline has no step "${step.name}"`, 0, null))
  }

  /** A job resumed after some of its steps: their outputs for the later ones, and a log line saying so. */
  private async prepareResume(run: JobRun<S>): Promise<void> {
    const done = run.claimed.steps.filter((s) => s.status === 'completed')
    for (const s of done) run.outputs[s.name] = stepOutputOf(s)
    if (!run.claimed.started && done.length < run.claimed.steps.length) await this.d.leases.logSkipped(run.lease, done)
  }

  /** Before a step not asked about at the claim: should the job go back to the queue instead? */
  private async yielded(run: JobRun<S>, step: StepView): Promise<boolean> {
    const yieldTo = this.d.shouldYield(run.latest)
    if (!yieldTo) return false
    await this.commit(this.d.leases.release(run.lease, yieldTo.to, yieldTo.reason))
    return true
  }

  /** The index of the last of the parallel steps that follow each other from `from`. */
  private parallelEnd(pipeline: PipelineDefinition<S>, steps: readonly StepView[], from: number): number {
    let end = from
    for (let j = from; j < steps.length && stepDefinition(pipeline, steps[j]!.name)?.parallel; j++) end = j
    return end
  }

  /** The parallel steps from..end run together, each in its resource's limit. */
  private async runGroup(run: JobRun<S>, from: number, end: number): Promise<StepOutcome> {
    const group: Array<{ row: StepView; def: StepDefinition<S> }> = []
    for (let j = from; j <= end; j++) {
      const row = run.claimed.steps[j]!
      if (row.status !== 'completed') group.push({ row, def: stepDefinition(run.pipeline, row.name)! })
    }
    const outcomes = await Promise.all(
      group.map(async (g) => {
        const outcome = await this.runStep(run, g.row, g.def)
        // One of them stopped the job (a failure, a wait, a retry later): the others stop too.
        if (outcome !== 'completed' && !run.controller.aborted) run.controller.abort(new StopReason('lease-lost'))
        return outcome
      })
    )
    return outcomes.every((o) => o === 'completed') ? 'completed' : 'stopped'
  }

  /**
   * The job was cancelled, removed or taken over: whatever this worker had is discarded. Any other
   * error, a bug in the engine or a pipeline, must not leave the job stuck in processing: it
   * fails, with the error, and can be retried once fixed.
   */
  private async runFailed(claimed: ClaimedJob, err: unknown): Promise<void> {
    if (err instanceof LeaseLostError) return
    await this.failUnexpectedly(claimed, err)
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
  private async begin(run: JobRun<S>, step: StepView, def: StepDefinition<S>, provider: string | null, breaker: CircuitBreaker | null): Promise<PlannedStart | 'stopped'> {
    const { lease, controller } = run
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
        release = await this.d.limiter.acquire(def.resource, controller.signal, { lease, stepIndex: step.index })
      } catch {
        breaker?.abandonTrial()
        await this.handleStop(lease, step, stopReasonOf(controller))
        return 'stopped'
      }
    }
    return plannedStart(step, this.workDirOf(lease.jobId, step), Math.max(1, def.maxAttempts ?? run.claimed.job.maxRetries), NONE_HELD, release)
  }

  /** One step of the job, from its start (or the one made with the claim) to its checkpoint. */
  private async runStep(run: JobRun<S>, step: StepView, def: StepDefinition<S>): Promise<StepOutcome> {
    const { lease, controller } = run
    // Only steps that call a provider have a circuit breaker: a local step's bug is not an outage.
    const provider = def.provider ? (def.provider(this.target(run, step)) ?? null) : null
    const breaker = provider ? this.d.breaker(provider) : null
    const consulted = def.consults ? def.consults(this.target(run, step)) : NONE
    // Started with its claim (rule 1 of "Claim in commit", store/group-commit.ts), or now.
    const started = run.claimed.started
    const planned = started !== null && started.plan.step.index === step.index ? started : null
    const begun = planned ? planned.plan : await this.begin(run, step, def, provider, breaker)
    if (begun === 'stopped') return 'stopped'
    const release = begun.release
    const workDir = begun.workDir
    try {
      const attempt = planned ? planned.attempt : await this.d.leases.startStep(lease, step, begun.workDir, begun.maxAttempts)
      controller.throwIfAborted()
      const at = stepRun(run, step, workDir, attempt, begun.maxAttempts, provider, breaker, consulted)
      const ctx = this.contextOf(at)
      let result: StepResult
      try {
        result = await def.run(ctx)
        controller.throwIfAborted()
        if (result.files) await publishFiles(result.files, workDir)
      } catch (raw) {
        const recovered = await this.recover(raw, at, def, ctx)
        if (recovered === 'stopped') return 'stopped'
        result = recovered
        at.usedFallback = true
      }
      // The resource's work is over: its slot is free for the job the pool claims in this very
      // checkpoint's commit (rule 2 of "Claim in commit", store/group-commit.ts), not only after it.
      release()
      run.latest = await this.d.commits.submit(this.checkpoint(at, result))
      this.succeeded(at)
      return 'completed'
    } catch (err) {
      return await this.interrupted(err, run, step, breaker, workDir)
    } finally {
      release()
    }
  }

  /** What a step's provider and consults functions are asked with. */
  private target(run: JobRun<S>, step: StepView): { input: Record<string, unknown>; services: S; stepName: string } {
    return { input: run.input, services: this.d.services, stepName: step.name }
  }

  private contextOf(at: StepRun<S>): StepContext<S> {
    const run = at.run
    const job = run.claimed.job
    return makeStepContext<S>({
      jobId: run.lease.jobId,
      stepName: at.step.name,
      projectId: job.projectId,
      jobType: job.type,
      input: run.input,
      outputs: run.outputs,
      workDir: at.workDir,
      // Its AbortSignal is made only if the step asks for it (see JobStop).
      signal: run.controller,
      services: this.d.services,
      onProgress: (pct, message) => this.progress.push(run.lease.jobId, progressUpdate(at, pct, message)),
      onLog: (message, level) => this.logLine(run.lease.jobId, level, message, at.step.name)
    })
  }

  /** The step's checkpoint: its output stored, the job moved on to the next step or finished. */
  private checkpoint(at: StepRun<S>, result: StepResult): GroupedWrite {
    const { run, step } = at
    const files = result.files ?? {}
    const durationMs = Date.now() - at.startedAt
    at.durationMs = durationMs
    this.progress.drop(run.lease.jobId)
    const steps = run.claimed.steps
    const nextStep = step.index + 1 < steps.length ? steps[step.index + 1]! : null
    const output: StepOutput = { data: result.data, files }
    // An unpriced model's cost is unknown (NULL), not free: the job's total becomes a lower bound.
    const costUsd = result.costKnown === false ? null : (result.cost ?? 0)
    if (result.cost !== undefined && costUsd !== null) output.cost = result.cost
    if (result.provider !== undefined) output.provider = result.provider
    if (at.usedFallback) output.fallback = true
    at.output = output
    const provider = result.provider ?? at.provider
    const next: { resource: string | null; step: string | null; jobProgress: number; jobResult?: JsonValue } = {
      resource: nextStep ? nextStep.resource : null,
      step: nextStep ? nextStep.name : null,
      jobProgress: at.jobProgressAt(100)
    }
    if (!nextStep) next.jobResult = jobResult(run.outputs, step.name, output)
    return this.d.leases.completeStep(
      run.lease,
      step,
      { data: result.data, files, workDir: at.workDir, costUsd, provider, fallback: at.usedFallback, durationMs, durable: worthSyncing(files, result.cost ?? 0, provider) },
      next
    )
  }

  /** After the checkpoint: the output handed to later steps, and the providers' circuits told. */
  private succeeded(at: StepRun<S>): void {
    at.run.outputs[at.step.name] = at.output!
    const breaker = at.breaker
    if (at.usedFallback) {
      breaker?.abandonTrial()
      return
    }
    if (breaker && breaker.recordSuccess(at.durationMs)) this.d.onBreakerChange(breaker)
    // The step got past the providers it consulted: one that was marked down is back.
    for (const other of at.consulted) {
      const b = this.d.breaker(other)
      if (b.state !== 'closed' && b.recordSuccess(at.durationMs)) this.d.onBreakerChange(b)
    }
  }

  /** The step was stopped from outside (cancelled, lease lost, shutdown), or an error escaped it. */
  private async interrupted(err: unknown, run: JobRun<S>, step: StepView, breaker: CircuitBreaker | null, workDir: string): Promise<StepOutcome> {
    breaker?.abandonTrial()
    if (!(err instanceof LeaseLostError) && !run.controller.aborted) throw err
    await this.handleStop(run.lease, step, stopReasonOf(run.controller))
    rmSync(workDir, { recursive: true, force: true })
    return 'stopped'
  }

  /**
   * A step's failure, routed by its class: the job waits, retries later or fails ('stopped'), or
   * the step's fallback produced a result. Apart from runStep: its hot path, compiled by V8's
   * optimizing compiler several times while a queue warms up, stays small (bench/queue: a third
   * of the CPU of the first thousand no-op jobs went into compiling runStep).
   */
  private async recover(raw: unknown, at: StepRun<S>, def: StepDefinition<S>, ctx: StepContext<S>): Promise<StepResult | 'stopped'> {
    const { step, breaker, provider, consulted, workDir, startedAt: started, attempt, maxAttempts } = at
    const { lease, controller } = at.run
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

const NONE: readonly string[] = Object.freeze([])
const NONE_HELD: readonly HeldStep[] = Object.freeze([])

/** Every planned start made with one literal, so that the code reading them sees one shape. */
function plannedStart(step: StepView, workDir: string, maxAttempts: number, skipped: readonly HeldStep[], release: () => void): PlannedStart {
  return { step, workDir, maxAttempts, skipped, release }
}

/**
 * One run of a job by this runner: what its steps share. A plain object made by one literal
 * (jobRun), as is StepRun: cheaper to make than a class instance whose fields are declared
 * (class fields are defined one by one before the constructor runs).
 */
interface JobRun<S> {
  readonly claimed: Claim<PlannedStart>
  readonly pipeline: PipelineDefinition<S>
  readonly controller: JobStop
  readonly lease: Lease
  readonly input: Record<string, unknown>
  /** Each finished step's output, for the steps after it. */
  readonly outputs: Record<string, StepOutput>
  /** The job as its latest checkpoint stored it (it carries a pause requested meanwhile). */
  latest: JobView
  /** How many of its steps were finished before this run. */
  readonly done: number
}

function jobRun<S>(claimed: Claim<PlannedStart>, pipeline: PipelineDefinition<S>, controller: JobStop): JobRun<S> {
  let done = 0
  const steps = claimed.steps
  for (let i = 0; i < steps.length; i++) if (steps[i]!.status === 'completed') done++
  return { claimed, pipeline, controller, lease: claimed.lease, input: claimed.job.payload, outputs: {}, latest: claimed.job, done }
}

/** One run of one step, from its start to its checkpoint. */
interface StepRun<S> {
  readonly run: JobRun<S>
  readonly step: StepView
  readonly workDir: string
  readonly attempt: number
  readonly maxAttempts: number
  readonly provider: string | null
  readonly breaker: CircuitBreaker | null
  readonly consulted: readonly string[]
  readonly startedAt: number
  usedFallback: boolean
  durationMs: number
  output: StepOutput | null
  /** One definition of a job's progress everywhere (src/shared/progress.ts): steps count equally. */
  readonly jobProgressAt: (stepPercent: number) => number
}

function stepRun<S>(
  run: JobRun<S>,
  step: StepView,
  workDir: string,
  attempt: number,
  maxAttempts: number,
  provider: string | null,
  breaker: CircuitBreaker | null,
  consulted: readonly string[]
): StepRun<S> {
  return {
    run,
    step,
    workDir,
    attempt,
    maxAttempts,
    provider,
    breaker,
    consulted,
    startedAt: Date.now(),
    usedFallback: false,
    durationMs: 0,
    output: null,
    jobProgressAt: stepProgressReporter(run.claimed.steps.length, step.index, run.latest.progress)
  }
}

function progressUpdate(at: StepRun<unknown>, pct: number, message: string | undefined): ProgressUpdate {
  return { stepIdx: at.step.index, stepName: at.step.name, stepProgress: pct, jobProgress: at.jobProgressAt(pct), message: message ?? null }
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


/**
 * What the job as a whole produced: the last step's output, plus every step's files by step (in
 * the steps' order, the last one's where its name first came). Loops over keys, not
 * Object.entries of a spread copy: this runs for every job, mostly before V8 optimizes it.
 */
function jobResult(outputs: Record<string, StepOutput>, lastName: string, last: StepOutput): JsonValue {
  const files: Record<string, JsonValue> = {}
  for (const name in outputs) {
    const o = name === lastName ? last : outputs[name]!
    if (hasKeys(o.files)) files[name] = o.files
  }
  if (!(lastName in outputs) && hasKeys(last.files)) files[lastName] = last.files
  return { output: last.data, files }
}

function hasKeys(o: Record<string, string>): boolean {
  for (const _ in o) return true
  return false
}
