import { formatMs } from '../../../shared/format-ms'
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { JobView, JsonValue, StepView } from '../../../shared/types'
import { LeaseLostError } from '../errors'
import type { Awaitable } from './awaitable'
import type { LogMessage, SqliteJobStore as Queue } from './jobs'
import { inTransaction, inTransactionFlushedAfter, isDatabaseLocked, prep } from './database'
import { JOB_RUN_TIME, recordProviderCall } from './provider-calls'
import { CLAIMED_VIEW, JOB_VIEW, parseJson, VIEW_COLUMNS, type JobRow } from './rows'
import { readRows } from './row-reader'
import { logEntry } from '../../../shared/log-lines'

export interface Lease {
  jobId: string
  /** Fencing token: every worker write must present it; a revoked or expired lease writes nothing. */
  token: string
  owner: string
  /**
   * Where the job's row is (its rowid) and its number (files its log lines), read at the claim:
   * worker writes go straight to the row instead of through the index of text ids. A rowid that
   * changed meanwhile (VACUUM renumbers rowids) cannot hit another job: the token is in the WHERE.
   */
  row: number
  seq: number
  /**
   * What the job's finished steps add up to, kept here as its steps finish: the job's cost and run
   * time on completion without summing its steps again. While the lease holds, nothing else
   * changes its steps (a processing job cannot be retried or reset).
   */
  spent: JobTotals
}

export interface JobTotals {
  costUsd: number
  /** A finished step's price was unknown: costUsd is a lower bound. */
  costUnknown: boolean
  runMs: number
}

/** The totals as the job's stored steps say (mirrors JOB_COST, JOB_COST_UNKNOWN and JOB_RUN_TIME). */
function totalsOf(steps: readonly StepView[]): JobTotals {
  const totals: JobTotals = { costUsd: 0, costUnknown: false, runMs: 0 }
  // Indexed loops on the per-job path: until V8 optimizes it, a for-of makes an iterator and a
  // result object per step.
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!
    totals.costUsd += s.cost ?? 0
    if (s.status !== 'completed') continue
    if (s.cost === null) totals.costUnknown = true
    totals.runMs += s.durationMs ?? 0
  }
  return totals
}

/**
 * A claimed job's steps, read as their views need them: without the job's id and the work folder
 * (two long strings per step, read on every claim for nothing), and made into StepViews at once
 * (no StepRow in between), in stepView's literal order.
 */
const CLAIMED_STEPS = `SELECT idx, name, title, resource, status, attempts, progress, output, files, error, cost_usd, provider, fallback,
  started_at, completed_at, duration_ms FROM steps WHERE job_seq = ? ORDER BY idx`

const CLAIMED_STEP = () => (r: unknown[]): StepView => {
  const status = r[4] as StepView['status']
  const cost = r[10] as number | null
  return {
    index: r[0] as number,
    name: r[1] as string,
    title: r[2] as string,
    resource: r[3] as string,
    status,
    attempts: r[5] as number,
    progress: r[6] as number,
    output: parseJson(r[7] as string | null),
    files: parseJson<Record<string, string>>(r[8] as string | null) ?? {},
    error: r[9] as string | null,
    cost,
    // A finished step stores NULL only when its provider had no price for the model.
    costKnown: !(status === 'completed' && cost === null),
    provider: r[11] as string | null,
    fallback: r[12] === 1,
    startedAt: r[13] as number | null,
    completedAt: r[14] as number | null,
    durationMs: r[15] as number | null
  }
}

/** A claimed job as its runner needs it: the job (its payload parsed) and its steps, in order. */
export interface ClaimedJob {
  lease: Lease
  job: JobView
  steps: StepView[]
}

/** The step a worker write is about: its place in the job, its name and the attempts it used. */
export type HeldStep = Pick<StepView, 'index' | 'name' | 'attempts'>

export interface StepSuccess {
  data: JsonValue
  files: Record<string, string>
  workDir: string
  /** Null when the provider had no price for its model: unknown, which is not free. */
  costUsd: number | null
  provider: string | null
  fallback: boolean
  durationMs: number
  /** Fsync the checkpoint (it cost money, a provider's work or files); otherwise crash-safe only. */
  durable: boolean
}

/** Identifies this engine instance: host, pid (so a dead local owner is recognised at once) and a nonce. */
export function makeOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
}

function ownerIsDeadLocalProcess(owner: string | null): boolean {
  if (!owner) return true
  const [host, pidText] = owner.split(':')
  if (host !== hostname()) return false
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** What reclaimAbandoned asks of its caller (the pool). */
export interface ReclaimOptions {
  /**
   * Jobs this engine is running right now (the pool's runners): never taken back as abandoned,
   * even when their renewals could not be written (the database locked by another process).
   */
  held?: (jobId: string) => boolean
  /**
   * Told the work folders of the steps a dead engine on this machine was running when their jobs
   * are taken back: the tools it started may still be running there (see stopOrphanedTools).
   */
  onAbandonedWork?: (workDirs: string[]) => void
}

/**
 * A claimed job's first step, started in the claim's own transaction: what the pool planned for
 * it (see ClaimRequest.plan). A plan may carry more (the pool's resource slot): the store keeps
 * it as it is and hands it back with the claim.
 */
export interface StepStart {
  step: HeldStep
  workDir: string
  maxAttempts: number
  /** The job's finished steps, logged as skipped along with the start. */
  skipped: readonly HeldStep[]
}

/**
 * What a claim asks for (rule 1 of "Claim in commit", store/group-commit.ts): up to `max` jobs,
 * each with its first step started in the same transaction when `plan` says how.
 */
export interface ClaimRequest<P extends StepStart = StepStart> {
  leaseMs: number
  /** At most this many jobs (the free slots). */
  max: number
  /** Before each claim: the resources without a free slot (a plan may have taken the last one). */
  excludeResources?(): readonly string[]
  /**
   * Called synchronously inside the claim's transaction, once per job just claimed: its first
   * step's start, or null (its runner starts a step later, fenced as usual). It must not call
   * the store. If the transaction fails, every plan it made is void (the caller undoes them).
   */
  plan?(claimed: ClaimedJob): P | null
}

/** A claimed job, and its first step's start when the claim wrote it. */
export interface Claim<P extends StepStart = StepStart> extends ClaimedJob {
  /** `attempt`: the attempt the start counted (1 for a step never run). */
  started: { plan: P; attempt: number } | null
}

/**
 * A fenced worker write waiting for its group (see LeaseStore's checkpoint methods, which build
 * them, and GroupCommit, which batches them). Opaque outside its store: only the store that built
 * it can commit it (its `commitGroup`), inside the group's transaction; there it fails with
 * LeaseLostError, having written nothing, when the lease is gone.
 */
export interface GroupedWrite {
  jobId: string
  /** The write ends the job's run here (completed): its slot is free for the companion's claims. */
  completesJob: boolean
  /** Worth an fsync (it cost money, a provider's work or files); otherwise crash-safe only. */
  durable: boolean
  /** Once committed (before the promise resolves): the lease's running totals move on. */
  committed?(): void
}

/** One grouped write's fate: the job as committed, or why it was not (LeaseLostError, or another error when isolated). */
export type WriteOutcome = { job: JobView } | { failure: unknown }

/** A group as committed (see CommitTransactions.commitGroup). */
export interface GroupCommitted<P extends StepStart = StepStart> {
  /** One per write, in order. */
  outcomes: WriteOutcome[]
  /**
   * What `join`'s request claimed in the group's transaction, or why it claimed nothing (a failed
   * claim undoes itself only: the group's writes still commit); null when nothing was asked.
   */
  claims: { claimed: Claim<P>[] } | { failure: unknown } | null
  /** When the group is on disk (already resolved unless `flushed`). */
  onDisk: Promise<void>
}

/** What the group commit (store/group-commit.ts) needs from the storage. */
export interface CommitTransactions {
  /**
   * Commit `writes` (built by this store) in one transaction, each behind its own fence, then the
   * claims that `join` asks for, given the jobs the group completes (rule 2 of "Claim in commit").
   * Answers once committed. `flushed`: the commit must survive a power cut; it may reach the disk
   * later, off the thread, and `onDisk` says when. `isolated`: each write in a savepoint of its
   * own, so that any failure (not only a lost lease) is its alone, and no `join`.
   * SQLite runs all of it synchronously, inside its call; a network backend awaits each statement
   * on the transaction's connection, and COMMIT after the claims. Either never awaits anything
   * but its own statements while the transaction is open.
   */
  commitGroup<P extends StepStart>(
    writes: readonly GroupedWrite[],
    options: { flushed: boolean; isolated: boolean; join: ((finished: ReadonlySet<string>) => ClaimRequest<P> | null) | null }
  ): Awaitable<GroupCommitted<P>>
  /** Another process holds the database beyond the busy timeout: wait and try again, never fail. */
  isLocked(err: unknown): boolean
}

/**
 * The worker's side of the queue (study: liteque's allocationId, BullMQ's lock + stalled checker).
 * A claim hands out a lease with a random token and an expiry; the worker renews it while a step
 * runs; each write checks the token inside its transaction, so a worker whose lease expired, was
 * revoked by a cancel, or was taken over after a crash cannot write a result. The checkpoint
 * methods (completeStep, retryLater, waitForProvider, failJob, release) build fenced writes that
 * a GroupCommit (store/group-commit.ts) commits together; the rest write at once.
 *
 * Every method that reads or writes returns a Promise (`claim` and `commitGroup` an Awaitable),
 * so that a network database (PostgreSQL) implements the same interface; `claim` there is
 * `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING *`. The checkpoint builders
 * stay synchronous (they only describe a write). SQLite does each call's work synchronously,
 * inside the call (its promise is already settled when the call returns; `claim` and
 * `commitGroup`, run for every job, return the value itself): that is where its speed comes from,
 * and nothing it does ever awaits inside an open transaction. The transaction rules are in
 * store/group-commit.ts ("Claim in commit"); `claim` and `commitGroup` keep them whatever the
 * backend.
 */
export interface LeaseStore extends CommitTransactions {
  readonly owner: string
  /**
   * Atomically take up to `request.max` ready jobs (priority, then manual order, then FIFO), in one
   * transaction not fsynced, each with the first step's start `request.plan` gives (written with
   * its claim). Fewer than `max`: the queue ran out of ready jobs.
   */
  claim<P extends StepStart>(request: ClaimRequest<P>): Awaitable<Claim<P>[]>
  /** Extend the lease; false means it is gone and the worker must stop. */
  renew(lease: Lease, leaseMs: number): Promise<boolean>
  /** Extend several leases in one commit; returns those gone. */
  renewAll(leases: readonly Lease[], leaseMs: number): Promise<Lease[]>
  logSkipped(lease: Lease, steps: readonly HeldStep[]): Promise<void>
  /** Mark a step running (attempt counted, work folder recorded, logged), fenced; the attempt it counts. */
  startStep(lease: Lease, step: HeldStep, workDir: string, maxAttempts: number): Promise<number>
  saveProgress(lease: Lease, stepIdx: number, stepProgress: number, jobProgress: number): Promise<void>
  completeStep(
    lease: Lease,
    step: HeldStep,
    success: StepSuccess,
    next: { resource: string | null; step?: string | null; jobProgress: number; jobResult?: JsonValue }
  ): GroupedWrite
  retryLater(lease: Lease, step: HeldStep, error: string, runAfter: number, durationMs: number, provider: string | null): GroupedWrite
  waitForProvider(
    lease: Lease,
    step: HeldStep,
    provider: string,
    reason: string,
    runAfter: number,
    call: { durationMs: number } | null
  ): GroupedWrite
  failJob(lease: Lease, step: HeldStep, error: string, durationMs: number, provider: string | null): GroupedWrite
  release(lease: Lease, to: 'pending' | 'paused', reason: LogMessage): GroupedWrite
  log(jobId: string, level: 'debug' | 'info' | 'warn' | 'error', message: LogMessage, step: string | null): Promise<void>
  /** The step the job is at, as stored (null when it is at none, or gone). */
  currentStep(jobId: string): Promise<string | null>
  reclaimAbandoned(options?: ReclaimOptions): Promise<string[]>
  releaseWaiting(provider: string): Promise<number>
  nextRunAfter(): Promise<number | null>
  hasWork(): Promise<boolean>
}

/** One ready job claimed, or null: the claim request for a single job without a planned start (tests, tools). */
export async function claimOne(leases: LeaseStore, leaseMs: number, excludeResources: readonly string[] = []): Promise<ClaimedJob | null> {
  const [claimed] = await leases.claim({ leaseMs, max: 1, excludeResources: () => excludeResources })
  return claimed ?? null
}

/** The lease store on the engine's SQLite file. */
export class SqliteLeaseStore implements LeaseStore {
  /** Each held job's payload text, read at its claim: a worker write returns the view's other columns only. */
  private readonly payloads = new WeakMap<Lease, string>()
  /**
   * Each held job's view as last stored by this store (its claim's, then each checkpoint's): a
   * step's checkpoint returns only the columns another actor may change while the lease holds,
   * and builds the rest of the view from this one and what it wrote (see checkpointView).
   */
  private readonly views = new WeakMap<Lease, JobView>()
  /** The fenced UPDATE of each kind of worker write, by its SET clause (see fencedWrite). */
  private readonly writes = new Map<string, string>()
  /**
   * Lease tokens: this store's random prefix, then a count of its claims. A token must never be
   * handed out twice (a stale worker would pass the fence), not be unguessable: a random prefix
   * per store and a counter guarantee that, without a random UUID (and its compiled serializer)
   * for every job claimed.
   */
  private readonly tokenPrefix = `${randomUUID()}.`
  private claimsMade = 0

  constructor(
    private readonly queue: Queue,
    readonly owner: string = makeOwnerId(),
    private readonly now: () => number = Date.now
  ) {}

  private get db() {
    return this.queue.db
  }

  claim<P extends StepStart>(request: ClaimRequest<P>): Claim<P>[] {
    // Not fsynced: a claim lost to a power cut only means the job is claimed again.
    return inTransaction(this.db, () => this.claimNow(request), { durable: false })
  }

  /**
   * The claims of a request, in the caller's transaction: one undoes all of them should one fail
   * (a savepoint per claim would add two statements to every job for nothing). Inside a group
   * commit the caller's transaction is a savepoint of the group's.
   */
  private claimNow<P extends StepStart>(request: ClaimRequest<P>): Claim<P>[] {
    const claims: Claim<P>[] = []
    while (claims.length < request.max) {
      const claim = this.claimNext<P>(request.leaseMs, request.excludeResources?.() ?? [])
      if (!claim) break
      const plan = request.plan?.(claim) ?? null
      if (plan) claim.started = { plan, attempt: this.startClaimed(claim.lease, plan) }
      claims.push(claim)
    }
    return claims
  }

  /** Take the next ready job: priority, then manual order, then FIFO. In the caller's transaction. */
  private claimNext<P extends StepStart>(leaseMs: number, exclude: readonly string[]): Claim<P> | null {
    const now = this.now()
    const token = this.tokenPrefix + (this.claimsMade++).toString(36)
    const params: Record<string, unknown> = { token, owner: this.owner, expires: now + leaseMs, now }
    if (exclude.length) params.exclude = JSON.stringify(exclude)
    const claimed = readRows<[Record<string, unknown>], { row: number; seq: number; payload: string; view: JobView }>(
      this.db,
      exclude.length ? CLAIM_EXCLUDING : CLAIM,
      CLAIMED_VIEW
    ).get(params)
    if (!claimed) return null
    const { row, seq, view } = claimed
    const steps = readRows<[number], StepView>(this.db, CLAIMED_STEPS, CLAIMED_STEP).all(seq)
    const lease: Lease = { jobId: view.id, token, owner: this.owner, row, seq, spent: totalsOf(steps) }
    this.payloads.set(lease, claimed.payload)
    this.views.set(lease, view)
    return { lease, job: this.queue.emitView(view), steps, started: null }
  }

  /**
   * A group's writes and the claims `join` asks for, in one transaction (see "Claim in commit",
   * store/group-commit.ts), all of it synchronous: committed (or thrown) when this returns.
   */
  commitGroup<P extends StepStart>(
    writes: readonly GroupedWrite[],
    options: { flushed: boolean; isolated: boolean; join: ((finished: ReadonlySet<string>) => ClaimRequest<P> | null) | null }
  ): GroupCommitted<P> {
    const checkpoints = writes.map((w) => {
      if (!(w instanceof SqliteCheckpoint)) throw new Error(`job ${w.jobId}: a checkpoint built by another store`)
      return w
    })
    const outcomes: WriteOutcome[] = []
    let claims: GroupCommitted<P>['claims'] = null
    const group = () => {
      const finished = new Set<string>()
      for (let i = 0; i < checkpoints.length; i++) {
        const item = checkpoints[i]!
        try {
          outcomes.push({ job: options.isolated ? inTransaction(this.db, item.write) : item.write() })
          if (item.completesJob) finished.add(item.jobId)
        } catch (failure) {
          if (!options.isolated && !(failure instanceof LeaseLostError)) throw failure
          outcomes.push({ failure })
        }
      }
      const request = options.isolated ? null : (options.join?.(finished) ?? null)
      if (!request) return
      // A savepoint: a failed claim undoes its own part only, and the group's writes still commit.
      try {
        claims = { claimed: inTransaction(this.db, () => this.claimNow(request)) }
      } catch (failure) {
        claims = { failure }
      }
    }
    // The group runs first: `outcomes` and `claims` are filled by it.
    const onDisk = options.flushed ? inTransactionFlushedAfter(this.db, group).onDisk : (inTransaction(this.db, group, { durable: false }), Promise.resolve())
    return { outcomes, claims, onDisk }
  }

  isLocked(err: unknown): boolean {
    return isDatabaseLocked(err)
  }

  async renew(lease: Lease, leaseMs: number): Promise<boolean> {
    return this.renewNow(lease, leaseMs)
  }

  private renewNow(lease: Lease, leaseMs: number): boolean {
    const info = prep(this.db, "UPDATE jobs SET lease_expires_at = ? WHERE rowid = ? AND lease_token = ? AND status = 'processing'")
      .run(this.now() + leaseMs, lease.row, lease.token)
    return info.changes === 1
  }

  /**
   * Extend several leases in one commit, not fsynced: a renewal lost to a power cut changes
   * nothing, since the engine that restarts reclaims its dead jobs at once. Returns those gone.
   */
  async renewAll(leases: readonly Lease[], leaseMs: number): Promise<Lease[]> {
    if (leases.length === 0) return []
    return inTransaction(this.db, () => leases.filter((lease) => !this.renewNow(lease, leaseMs)), { durable: false })
  }

  /**
   * One worker write: the job's own update, fenced by the lease token in its WHERE clause, then
   * `change` (steps, logs, provider calls). A revoked or expired lease matches no row:
   * LeaseLostError before anything is written. The job row comes back through RETURNING, not a
   * re-read; `change` touches other tables only, so that row is the job as committed.
   */
  private fenced(
    lease: Lease,
    jobSet: string,
    params: Record<string, unknown>,
    change: () => void,
    options: { durable?: boolean } = {}
  ): void {
    inTransaction(this.db, () => this.fencedWrite(lease, jobSet, params, change), options)
  }

  /**
   * A fenced write for the group commit: the job's update, then `change`. The writes that end a
   * run of the job here (retry later, wait for a provider, fail, give back) are fsynced like a
   * checkpoint, and like one wait for a database locked by another process: thrown away, they
   * would leave the job in processing until its lease ran out, and its step would run (and be
   * paid for) again.
   */
  private checkpoint(
    lease: Lease,
    jobSet: string,
    params: Record<string, unknown>,
    change: () => void,
    durable: boolean,
    completesJob: boolean,
    committed?: () => void
  ): GroupedWrite {
    return new SqliteCheckpoint(lease.jobId, completesJob, durable, () => this.fencedWrite(lease, jobSet, params, change), committed)
  }

  private endRun(lease: Lease, jobSet: string, params: Record<string, unknown>, change: () => void): GroupedWrite {
    return this.checkpoint(lease, jobSet, params, change, true, false)
  }

  /** The body of a fenced write; the caller provides the transaction. */
  private fencedWrite(lease: Lease, jobSet: string, params: Record<string, unknown>, change: () => void): JobView {
    // One statement per kind of write, its text made once: the SET clauses are constants, so
    // the lookup hashes a string whose hash V8 keeps, not a new 600-character one each time.
    let sql = this.writes.get(jobSet)
    if (sql === undefined) {
      sql = `UPDATE jobs SET ${jobSet}, updated_at = @now
       WHERE rowid = @row AND lease_token = @token AND status = 'processing' RETURNING ${VIEW_COLUMNS}`
      this.writes.set(jobSet, sql)
    }
    // The caller's own object (made for this write): completed here, not copied by a spread.
    params.now = this.now()
    params.row = lease.row
    params.token = lease.token
    const view = readRows<[Record<string, unknown>], (payload: string) => JobView>(this.db, sql, JOB_VIEW).get(params)
    if (!view) throw new LeaseLostError(lease.jobId)
    change()
    const job = view(this.payloadOf(lease))
    this.views.set(lease, job)
    return this.queue.emitView(job)
  }

  /** The job's payload as its claim read it (it never changes); read again for a lease made elsewhere. */
  private payloadOf(lease: Lease): string {
    const known = this.payloads.get(lease)
    if (known !== undefined) return known
    return prep<[number], { payload: string }>(this.db, 'SELECT payload FROM jobs WHERE rowid = ?').get(lease.row)!.payload
  }

  /** A line in the log of a job this worker holds (its lease checked in the same transaction). */
  private logHeld(lease: Lease, level: 'info' | 'warn' | 'error', message: LogMessage, step: string | null): void {
    this.queue.logFiled(lease.seq, lease.jobId, level, message, step)
  }

  async currentStep(jobId: string): Promise<string | null> {
    return this.queue.getRow(jobId)?.current_step ?? null
  }

  async log(jobId: string, level: 'debug' | 'info' | 'warn' | 'error', message: LogMessage, step: string | null): Promise<void> {
    this.queue.log(jobId, level, message, step)
  }

  async logSkipped(lease: Lease, steps: readonly HeldStep[]): Promise<void> {
    if (steps.length === 0) return
    this.fenced(lease, 'lease_owner = lease_owner', {}, () => {
      for (const s of steps) this.logHeld(lease, 'info', logEntry('skipping', { step: s.name }), s.name)
    })
  }

  /** Mark a step running, fenced: the job's row names the step (and is announced). */
  async startStep(lease: Lease, step: HeldStep, workDir: string, maxAttempts: number): Promise<number> {
    const attempt = step.attempts + 1
    this.fenced(lease, 'current_step = @step', { step: step.name }, () => this.writeStart(lease, step, attempt, workDir, maxAttempts), { durable: false })
    return attempt
  }

  /**
   * A claimed job's first step starts in the claim's own transaction, whose row already names it:
   * the job's row is not written again and the lease needs no check (rule 1 of "Claim in commit",
   * store/group-commit.ts); the claim's announcement, sent after that commit, covers the start.
   */
  private startClaimed(lease: Lease, start: StepStart): number {
    if (start.skipped.length) {
      for (const s of start.skipped) this.logHeld(lease, 'info', logEntry('skipping', { step: s.name }), s.name)
    }
    const attempt = start.step.attempts + 1
    this.writeStart(lease, start.step, attempt, start.workDir, start.maxAttempts)
    return attempt
  }

  /** The step's own part of its start: attempt counted, work folder recorded, logged. */
  private writeStart(lease: Lease, step: HeldStep, attempt: number, workDir: string, maxAttempts: number): void {
    prep(
      this.db,
      `UPDATE steps SET status = 'running', attempts = ?, progress = 0, error = NULL, work_dir = ?, started_at = ?
       WHERE job_seq = ? AND idx = ?`
    ).run(attempt, workDir, this.now(), lease.seq, step.index)
    this.logHeld(lease, 'info', logEntry('started', { step: step.name, attempt, max: maxAttempts }), step.name)
  }

  /** Persist progress; a lost lease shows up here too and stops the worker. */
  async saveProgress(lease: Lease, stepIdx: number, stepProgress: number, jobProgress: number): Promise<void> {
    const ok = inTransaction(
      this.db,
      () => {
        const info = prep(this.db, "UPDATE jobs SET progress = ?, updated_at = ? WHERE rowid = ? AND lease_token = ? AND status = 'processing'")
          .run(jobProgress, this.now(), lease.row, lease.token)
        if (info.changes !== 1) return false
        prep(this.db, 'UPDATE steps SET progress = ? WHERE job_seq = ? AND idx = ?').run(stepProgress, lease.seq, stepIdx)
        return true
      },
      { durable: false }
    )
    if (!ok) throw new LeaseLostError(lease.jobId)
  }

  /**
   * Checkpoint: the step's output and artifacts are stored in the same transaction that marks it
   * done. When it is the last step, the job completes in that same transaction.
   */
  completeStep(
    lease: Lease,
    step: HeldStep,
    success: StepSuccess,
    next: { resource: string | null; step?: string | null; jobProgress: number; jobResult?: JsonValue }
  ): GroupedWrite {
    const last = next.jobResult !== undefined
    // The job's cost and run time with this step counted: what its steps add up to once stored.
    const spent: JobTotals = {
      costUsd: lease.spent.costUsd + (success.costUsd ?? 0),
      costUnknown: lease.spent.costUnknown || success.costUsd === null,
      runMs: lease.spent.runMs + success.durationMs
    }
    const params = {
      result: last ? JSON.stringify(next.jobResult) : null,
      progress: next.jobProgress,
      resource: next.resource,
      nextStep: next.step ?? null,
      cost: spent.costUsd,
      costUnknown: spent.costUnknown ? 1 : 0,
      runMs: spent.runMs
    }
    const change = () => {
      prep(
        this.db,
        `UPDATE steps SET status = 'completed', progress = 100, output = ?, files = ?, work_dir = ?, error = NULL,
           cost_usd = ?, provider = ?, fallback = ?, completed_at = ?, duration_ms = ?
         WHERE job_seq = ? AND idx = ?`
      ).run(
        JSON.stringify(success.data),
        JSON.stringify(success.files),
        success.workDir,
        success.costUsd,
        success.provider,
        success.fallback ? 1 : 0,
        this.now(),
        success.durationMs,
        lease.seq,
        step.index
      )
      if (success.provider) this.recordCall(success.provider, true, success.durationMs, null)
      const code = last ? (success.fallback ? 'finishedJobFallback' : 'finishedJob') : success.fallback ? 'finishedFallback' : 'finished'
      this.logHeld(lease, 'info', logEntry(code, { step: step.name, duration: formatMs(success.durationMs) }), step.name)
    }
    return new SqliteCheckpoint(lease.jobId, last, success.durable, () => this.movedOn(lease, last, params, change), () => {
      lease.spent = spent
    })
  }

  /**
   * A step's checkpoint, fenced like every worker write. Its UPDATE returns only the columns that
   * another actor may change while the lease holds (priority, order, a pause asked for, the step
   * it is at); the rest of the view is the held job's last stored view and what this write set:
   * a claim and its checkpoint copied the job's 25 view columns out of SQLite each (bench/queue:
   * ~5 µs a job at 2 at once), and the payload was parsed again each time. A lease this store did
   * not claim (its view unknown) returns them all.
   */
  private movedOn(lease: Lease, last: boolean, params: CheckpointParams, change: () => void): JobView {
    const prev = this.views.get(lease)
    if (!prev) return this.fencedWrite(lease, last ? COMPLETE_JOB : COMPLETE_STEP, params, change)
    const now = this.now()
    params.now = now
    params.row = lease.row
    params.token = lease.token
    const moved = readRows<[CheckpointParams], unknown[]>(this.db, last ? COMPLETE_JOB_MOVED : COMPLETE_STEP_MOVED, AS_RETURNED).get(params)
    if (!moved) throw new LeaseLostError(lease.jobId)
    change()
    const view = checkpointView(prev, moved, params, last, now)
    this.views.set(lease, view)
    return this.queue.emitView(view)
  }

  /** A retryable failure with attempts left: back to the queue, not before `runAfter`. */
  retryLater(lease: Lease, step: HeldStep, error: string, runAfter: number, durationMs: number, provider: string | null): GroupedWrite {
    return this.endRun(lease, RELEASE, { to: 'pending', runAfter, reason: `retrying ${step.name} after an error`, provider: null, retries: 1 }, () => {
      prep(this.db, "UPDATE steps SET status = 'pending', error = ? WHERE job_seq = ? AND idx = ?").run(error, lease.seq, step.index)
      if (provider) this.recordCall(provider, false, durationMs, error)
      this.logHeld(lease, 'warn', logEntry('willRetry', { step: step.name, delay: formatMs(runAfter - this.now()), error }), step.name)
    })
  }

  /** The provider is down: the job waits (not a failure, the attempt is given back). */
  waitForProvider(
    lease: Lease,
    step: HeldStep,
    provider: string,
    reason: string,
    runAfter: number,
    call: { durationMs: number } | null
  ): GroupedWrite {
    return this.endRun(lease, RELEASE, { to: 'pending', runAfter, reason: `waiting for ${provider}: ${reason}`, provider, retries: 0 }, () => {
      prep(this.db, `UPDATE steps SET status = 'pending', attempts = MAX(attempts - ?, 0), error = ? WHERE job_seq = ? AND idx = ?`).run(
        call ? 1 : 0,
        reason,
        lease.seq,
        step.index
      )
      if (call) this.recordCall(provider, false, call.durationMs, reason)
      this.logHeld(lease, 'warn', logEntry('providerDown', { provider, step: step.name, reason }), step.name)
    })
  }

  failJob(lease: Lease, step: HeldStep, error: string, durationMs: number, provider: string | null): GroupedWrite {
    return this.endRun(
      lease,
      FAIL,
      { error: `${step.name}: ${error}`, failedMs: Math.round(durationMs) },
      () => {
        prep(this.db, "UPDATE steps SET status = 'failed', error = ? WHERE job_seq = ? AND idx = ?").run(error, lease.seq, step.index)
        if (provider) this.recordCall(provider, false, durationMs, error)
        this.logHeld(lease, 'error', logEntry('failed', { step: step.name, error }), step.name)
      }
    )
  }

  /**
   * Give the job back without blaming it: graceful stop, queue pause, job pause. A step that was
   * running goes back to pending and its attempt is returned.
   */
  release(lease: Lease, to: 'pending' | 'paused', reason: LogMessage): GroupedWrite {
    return this.endRun(lease, RELEASE, { to, runAfter: 0, reason: null, provider: null, retries: 0 }, () => {
      prep(this.db, "UPDATE steps SET status = 'pending', attempts = MAX(attempts - 1, 0), progress = 0 WHERE job_seq = ? AND status = 'running'").run(
        lease.seq
      )
      this.logHeld(lease, 'info', reason, null)
    })
  }

  /**
   * Jobs whose worker is gone go back to the queue and resume at their first unfinished step:
   * leases that expired, and — at once, without waiting for expiry — leases held by a process
   * on this machine that no longer exists (the app or CLI was killed).
   */
  async reclaimAbandoned(options: ReclaimOptions = {}): Promise<string[]> {
    const now = this.now()
    const candidates = prep<[], Pick<JobRow, 'id' | 'seq' | 'lease_owner' | 'lease_expires_at' | 'current_step'>>(this.db, 
        "SELECT id, seq, lease_owner, lease_expires_at, current_step FROM jobs WHERE status = 'processing'"
      )
      .all()
      .map((r) => ({ ...r, ownerDead: ownerIsDeadLocalProcess(r.lease_owner) }))
      .filter((r) => (r.lease_expires_at ?? 0) < now || r.ownerDead)
      .filter((r) => !(r.lease_owner === this.owner && options.held?.(r.id)))
    if (candidates.length === 0) return []
    const reclaimed: string[] = []
    const abandonedWork: string[] = []
    inTransaction(this.db, () => {
        for (const r of candidates) {
          const info = prep(this.db, 
              `UPDATE jobs SET status = 'pending', current_step = NULL, run_after = 0, lease_token = NULL,
                 lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
               WHERE id = ? AND status = 'processing' AND lease_owner IS ?`
            )
            .run(now, r.id, r.lease_owner)
          if (info.changes !== 1) continue
          if (r.ownerDead) {
            for (const s of prep<[number], { work_dir: string | null }>(this.db, "SELECT work_dir FROM steps WHERE job_seq = ? AND status = 'running'").all(r.seq)) {
              if (s.work_dir) abandonedWork.push(s.work_dir)
            }
          }
          prep(this.db, "UPDATE steps SET status = 'pending', progress = 0 WHERE job_seq = ? AND status = 'running'").run(r.seq)
          this.queue.log(r.id, 'warn', logEntry('workerLost', { worker: r.lease_owner ?? '?', step: r.current_step ?? 'a step' }), r.current_step)
          reclaimed.push(r.id)
        }
      })
    for (const id of reclaimed) this.queue.emitChanged(id)
    if (abandonedWork.length) options.onAbandonedWork?.(abandonedWork)
    return reclaimed
  }

  /** A provider came back: its waiting jobs may start now instead of at their scheduled probe time. */
  async releaseWaiting(provider: string): Promise<number> {
    const ids = prep<[string], { id: string }>(this.db, "SELECT id FROM jobs WHERE status = 'pending' AND waiting_provider = ?")
      .all(provider)
      .map((r) => r.id)
    if (ids.length === 0) return 0
    prep(this.db, "UPDATE jobs SET run_after = 0, waiting_reason = NULL, waiting_provider = NULL WHERE status = 'pending' AND waiting_provider = ?")
      .run(provider)
    for (const id of ids) this.queue.emitChanged(id)
    return ids.length
  }

  /** Earliest moment a held-back pending job becomes claimable, or null when none is held back. */
  async nextRunAfter(): Promise<number | null> {
    const row = prep<[number], { t: number | null }>(this.db, "SELECT MIN(run_after) AS t FROM jobs WHERE status = 'pending' AND run_after > ?")
      .get(this.now())
    return row?.t ?? null
  }

  /** Is anything queued or running? (EXISTS: stops at the first row, whatever the queue's size.) */
  async hasWork(): Promise<boolean> {
    return (
      prep<[], { w: number }>(this.db, "SELECT EXISTS (SELECT 1 FROM jobs WHERE status IN ('pending','processing')) AS w").get()!.w === 1
    )
  }

  /** In the caller's transaction: a step's call is stored with its checkpoint. */
  private recordCall(provider: string, ok: boolean, durationMs: number, error: string | null): void {
    recordProviderCall(this.db, { provider, ts: this.now(), ok, durationMs, error })
  }
}

/**
 * The claim: the most urgent ready job becomes this worker's. current_step names the step the job
 * is at from the claim on (its first unfinished one), so starting that step needs no second write
 * to the job's row. The job is found by rowid, which the queue-order index holds: by id, the
 * update searched the index of random ids once more. Two statements, not one with an empty list:
 * json_each costs a third of the claim and the usual case excludes nothing.
 */
function claimSql(excluding: boolean): string {
  return `UPDATE jobs SET status = 'processing', lease_token = @token, lease_owner = @owner, lease_expires_at = @expires,
         started_at = COALESCE(started_at, @now), waiting_reason = NULL, waiting_provider = NULL, updated_at = @now,
         current_step = (SELECT name FROM steps WHERE job_seq = jobs.seq AND status != 'completed' ORDER BY idx LIMIT 1)
       WHERE rowid = (
         SELECT rowid FROM jobs
         WHERE status = 'pending' AND run_after <= @now
           ${excluding ? 'AND (next_resource IS NULL OR next_resource NOT IN (SELECT value FROM json_each(@exclude)))' : ''}
         ORDER BY priority, position LIMIT 1)
       RETURNING rowid AS row_id, seq, payload, ${VIEW_COLUMNS}`
}
const CLAIM = claimSql(false)
const CLAIM_EXCLUDING = claimSql(true)

/** A step's checkpoint: the job moves on to its next step, its cost and run time so far stored. */
const COMPLETE_STEP = `progress = @progress, next_resource = @resource, current_step = COALESCE(@nextStep, current_step),
  cost_usd = @cost, cost_unknown = @costUnknown`

/** The last step's checkpoint: the job completes, lease dropped. */
const COMPLETE_JOB = `status = 'completed', progress = 100, current_step = NULL, result = @result, error = NULL, next_resource = NULL,
  completed_at = @now, actual_duration_ms = @runMs, cost_usd = @cost, cost_unknown = @costUnknown,
  lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL`

/** The job fails at a step, lease dropped; its run time is what its finished steps took plus this attempt. */
const FAIL = `status = 'failed', error = @error, completed_at = @now, actual_duration_ms = ${JOB_RUN_TIME} + @failedMs,
  lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL`

/** The job goes back to the queue (or pauses), lease dropped. */
const RELEASE = `status = @to, current_step = NULL, run_after = @runAfter, waiting_reason = @reason, waiting_provider = @provider,
  retry_count = retry_count + @retries, pause_requested = 0, lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL`

/**
 * What a step's checkpoint returns (see movedOn): the columns of its view that another actor may
 * change while the lease holds, in this order. Every other column of the view is fixed once the
 * job is claimed (id, project, type, title, payload, batch, estimate, created and started times) or
 * written by the checkpoint itself.
 */
const MOVED_COLUMNS = 'priority, position, retry_count, waiting_reason, run_after, pause_requested, current_step, error, result'
const COMPLETE_STEP_MOVED = movedSql(COMPLETE_STEP)
const COMPLETE_JOB_MOVED = movedSql(COMPLETE_JOB)

function movedSql(jobSet: string): string {
  return `UPDATE jobs SET ${jobSet}, updated_at = @now
    WHERE rowid = @row AND lease_token = @token AND status = 'processing' RETURNING ${MOVED_COLUMNS}`
}

/** The returned values as SQLite gives them (MOVED_COLUMNS' order). */
const AS_RETURNED = () => (values: unknown[]) => values

interface CheckpointParams extends Record<string, unknown> {
  result: string | null
  progress: number
  cost: number
  costUnknown: number
  runMs: number
}

/** The job as a step's checkpoint stored it: one literal, in JOB_VIEW's order (one shape for every view). */
function checkpointView(prev: JobView, r: unknown[], p: CheckpointParams, last: boolean, now: number): JobView {
  return {
    id: prev.id,
    projectId: prev.projectId,
    type: prev.type,
    title: prev.title,
    payload: prev.payload,
    status: last ? 'completed' : prev.status,
    progress: last ? 100 : p.progress,
    currentStep: r[6] as string | null,
    result: last ? parseJson(p.result) : parseJson(r[8] as string | null),
    error: r[7] as string | null,
    priority: r[0] as number,
    position: r[1] as number,
    retryCount: r[2] as number,
    maxRetries: prev.maxRetries,
    waitingReason: r[3] as string | null,
    runAfter: r[4] as number,
    pauseRequested: r[5] === 1,
    batchId: prev.batchId,
    estimatedDurationMs: prev.estimatedDurationMs,
    actualDurationMs: last ? p.runMs : prev.actualDurationMs,
    costUsd: p.cost,
    costKnown: p.costUnknown !== 1,
    createdAt: prev.createdAt,
    startedAt: prev.startedAt,
    completedAt: last ? now : prev.completedAt,
    updatedAt: now
  }
}

/** A fenced write of this store, committed by its commitGroup. */
class SqliteCheckpoint implements GroupedWrite {
  constructor(
    readonly jobId: string,
    readonly completesJob: boolean,
    readonly durable: boolean,
    /** The job's fenced update and its change, in the group's transaction: the job as committed. */
    readonly write: () => JobView,
    readonly committed?: () => void
  ) {}
}
