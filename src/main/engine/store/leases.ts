import { formatMs } from '../../../shared/format-ms'
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { JobView, JsonValue, StepView } from '../../../shared/types'
import { LeaseLostError } from '../errors'
import type { LogMessage, SqliteJobStore as Queue } from './jobs'
import { inTransaction, inTransactionFlushedAfter, isDatabaseLocked, prep } from './database'
import type { CommitTransactions, GroupedWrite } from './group-commit'
import { JOB_RUN_TIME, recordProviderCall } from './provider-calls'
import { CLAIMED_VIEW, JOB_VIEW, stepView, VIEW_COLUMNS, type JobRow, type StepRow } from './rows'
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
function totalsOf(steps: readonly StepRow[]): JobTotals {
  const totals: JobTotals = { costUsd: 0, costUnknown: false, runMs: 0 }
  for (const s of steps) {
    totals.costUsd += s.cost_usd ?? 0
    if (s.status !== 'completed') continue
    if (s.cost_usd === null) totals.costUnknown = true
    totals.runMs += s.duration_ms ?? 0
  }
  return totals
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
 * The worker's side of the queue (study: liteque's allocationId, BullMQ's lock + stalled checker).
 * A claim hands out a lease with a random token and an expiry; the worker renews it while a step
 * runs; each write checks the token inside its transaction, so a worker whose lease expired, was
 * revoked by a cancel, or was taken over after a crash cannot write a result. The checkpoint
 * methods (completeStep, retryLater, waitForProvider, failJob, release) build fenced writes that
 * a GroupCommit (store/group-commit.ts) commits together; the rest write at once.
 *
 * A second backend: every method here is synchronous because SQLite answers in microseconds on
 * this thread. A network database (PostgreSQL) makes each call that reads or writes
 * (`claim`, `claimTogether`, `renewAll`, `startStep`, `saveProgress`, `logSkipped`, `log`,
 * `reclaimAbandoned`, `releaseWaiting`, `nextRunAfter`, `hasWork`, `currentStep`) return a
 * Promise; `claim` would use `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING *`.
 * The checkpoint builders stay synchronous (they only describe a write); their `write` becomes
 * async inside the group's transaction. `claimTogether` and `startStep` keep the "claim in commit"
 * rule (store/group-commit.ts) by passing the open transaction along instead of relying on
 * synchronous code.
 */
export interface LeaseStore extends CommitTransactions {
  readonly owner: string
  /** Atomically take the next ready job: priority, then manual order, then FIFO. */
  claim(options: { leaseMs: number; excludeResources?: readonly string[] }): ClaimedJob | null
  /** Run `fill` (claims, and the first step starts they lead to) in one transaction. */
  claimTogether<T>(fill: () => T): T
  /** Extend the lease; false means it is gone and the worker must stop. */
  renew(lease: Lease, leaseMs: number): boolean
  /** Extend several leases in one commit; returns those gone. */
  renewAll(leases: readonly Lease[], leaseMs: number): Lease[]
  logSkipped(lease: Lease, steps: readonly HeldStep[]): void
  startStep(lease: Lease, step: HeldStep, workDir: string, maxAttempts: number, atStep?: boolean): number
  saveProgress(lease: Lease, stepIdx: number, stepProgress: number, jobProgress: number): void
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
  log(jobId: string, level: 'debug' | 'info' | 'warn' | 'error', message: LogMessage, step: string | null): void
  /** The step the job is at, as stored (null when it is at none, or gone). */
  currentStep(jobId: string): string | null
  reclaimAbandoned(options?: ReclaimOptions): string[]
  releaseWaiting(provider: string): number
  nextRunAfter(): number | null
  hasWork(): boolean
}

/** The lease store on the engine's SQLite file. */
export class SqliteLeaseStore implements LeaseStore {
  /** Each held job's payload text, read at its claim: a worker write returns the view's other columns only. */
  private readonly payloads = new WeakMap<Lease, string>()
  /** The fenced UPDATE of each kind of worker write, by its SET clause (see fencedWrite). */
  private readonly writes = new Map<string, string>()

  constructor(
    private readonly queue: Queue,
    readonly owner: string = makeOwnerId(),
    private readonly now: () => number = Date.now
  ) {}

  private get db() {
    return this.queue.db
  }

  /** Atomically take the next ready job: priority, then manual order, then FIFO. */
  claim(options: { leaseMs: number; excludeResources?: readonly string[] }): ClaimedJob | null {
    const now = this.now()
    const token = randomUUID()
    const exclude = options.excludeResources ?? []
    const params: Record<string, unknown> = { token, owner: this.owner, expires: now + options.leaseMs, now }
    if (exclude.length) params.exclude = JSON.stringify(exclude)
    const sql = exclude.length ? CLAIM_EXCLUDING : CLAIM
    // The pool claims inside a transaction of its own, which undoes all of its claims together
    // should one fail: a savepoint per claim would add two statements to every job for nothing.
    return this.db.inTransaction ? this.take(sql, params, token) : inTransaction(this.db, () => this.take(sql, params, token), { durable: false })
  }

  private take(sql: string, params: Record<string, unknown>, token: string): ClaimedJob | null {
    const claimed = readRows<[Record<string, unknown>], { row: number; seq: number; payload: string; view: JobView }>(this.db, sql, CLAIMED_VIEW).get(
      params
    )
    if (!claimed) return null
    const { row, seq, view } = claimed
    const steps = this.queue.stepRows(seq)
    const lease: Lease = { jobId: view.id, token, owner: this.owner, row, seq, spent: totalsOf(steps) }
    this.payloads.set(lease, claimed.payload)
    return { lease, job: this.queue.emitView(view), steps: steps.map(stepView) }
  }

  /**
   * Not fsynced: a claim lost to a power cut only means the job is claimed again. Inside a group
   * commit it is a savepoint: a failed claim undoes its own part only (see "Claim in commit" in
   * store/group-commit.ts).
   */
  claimTogether<T>(fill: () => T): T {
    return inTransaction(this.db, fill, { durable: false })
  }

  commitGroup(group: () => void, flushed: boolean): { onDisk: Promise<void> } {
    if (!flushed) {
      inTransaction(this.db, group, { durable: false })
      return { onDisk: Promise.resolve() }
    }
    return { onDisk: inTransactionFlushedAfter(this.db, group).onDisk }
  }

  alone<T>(write: () => T): T {
    return inTransaction(this.db, write)
  }

  isLocked(err: unknown): boolean {
    return isDatabaseLocked(err)
  }

  /** Extend the lease; false means it is gone and the worker must stop. */
  renew(lease: Lease, leaseMs: number): boolean {
    const info = prep(this.db, "UPDATE jobs SET lease_expires_at = ? WHERE rowid = ? AND lease_token = ? AND status = 'processing'")
      .run(this.now() + leaseMs, lease.row, lease.token)
    return info.changes === 1
  }

  /**
   * Extend several leases in one commit, not fsynced: a renewal lost to a power cut changes
   * nothing, since the engine that restarts reclaims its dead jobs at once. Returns those gone.
   */
  renewAll(leases: readonly Lease[], leaseMs: number): Lease[] {
    if (leases.length === 0) return []
    return inTransaction(this.db, () => leases.filter((lease) => !this.renew(lease, leaseMs)), { durable: false })
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
    const write = () => this.fencedWrite(lease, jobSet, params, change)
    return committed ? { jobId: lease.jobId, completesJob, durable, write, committed } : { jobId: lease.jobId, completesJob, durable, write }
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
    const view = readRows<[Record<string, unknown>], (payload: string) => JobView>(this.db, sql, JOB_VIEW).get({
      ...params,
      now: this.now(),
      row: lease.row,
      token: lease.token
    })
    if (!view) throw new LeaseLostError(lease.jobId)
    change()
    return this.queue.emitView(view(this.payloadOf(lease)))
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

  currentStep(jobId: string): string | null {
    return this.queue.getRow(jobId)?.current_step ?? null
  }

  log(jobId: string, level: 'debug' | 'info' | 'warn' | 'error', message: LogMessage, step: string | null): void {
    this.queue.log(jobId, level, message, step)
  }

  logSkipped(lease: Lease, steps: readonly HeldStep[]): void {
    if (steps.length === 0) return
    this.fenced(lease, 'lease_owner = lease_owner', {}, () => {
      for (const s of steps) this.logHeld(lease, 'info', logEntry('skipping', { step: s.name }), s.name)
    })
  }

  /**
   * Mark a step running (attempt counted, work folder recorded, logged). Started inside the claim's
   * own transaction, whose row already names this step (`atStep`), the job's row is not written
   * again and the lease needs no check (rule 1 of "Claim in commit", store/group-commit.ts); the
   * claim's announcement, sent after that same commit, covers the start. Otherwise the row is
   * updated (and announced), fenced as usual.
   */
  startStep(lease: Lease, step: HeldStep, workDir: string, maxAttempts: number, atStep = false): number {
    const attempt = step.attempts + 1
    const change = () => {
      prep(
        this.db,
        `UPDATE steps SET status = 'running', attempts = ?, progress = 0, error = NULL, work_dir = ?, started_at = ?
         WHERE job_seq = ? AND idx = ?`
      ).run(attempt, workDir, this.now(), lease.seq, step.index)
      this.logHeld(lease, 'info', logEntry('started', { step: step.name, attempt, max: maxAttempts }), step.name)
    }
    if (!atStep || !this.db.inTransaction) {
      this.fenced(lease, 'current_step = @step', { step: step.name }, change, { durable: false })
      return attempt
    }
    change()
    return attempt
  }

  /** Persist progress; a lost lease shows up here too and stops the worker. */
  saveProgress(lease: Lease, stepIdx: number, stepProgress: number, jobProgress: number): void {
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
    return this.checkpoint(
      lease,
      last ? COMPLETE_JOB : COMPLETE_STEP,
      {
        result: last ? JSON.stringify(next.jobResult) : null,
        progress: next.jobProgress,
        resource: next.resource,
        nextStep: next.step ?? null,
        cost: spent.costUsd,
        costUnknown: spent.costUnknown ? 1 : 0,
        runMs: spent.runMs
      },
      () => {
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
      },
      success.durable,
      last,
      () => {
        lease.spent = spent
      }
    )
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
  reclaimAbandoned(options: ReclaimOptions = {}): string[] {
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
  releaseWaiting(provider: string): number {
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
  nextRunAfter(): number | null {
    const row = prep<[number], { t: number | null }>(this.db, "SELECT MIN(run_after) AS t FROM jobs WHERE status = 'pending' AND run_after > ?")
      .get(this.now())
    return row?.t ?? null
  }

  /** Is anything queued or running? (EXISTS: stops at the first row, whatever the queue's size.) */
  hasWork(): boolean {
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
