/**
 * The worker's side of the farm's queue: what store/leases.ts (SqliteLeaseStore) does, on
 * PostgreSQL, async. Claims take the next job in queue order that this worker can run (its
 * capabilities against the job's next_needs, and the resources the pool has no free slot for
 * left aside) with FOR UPDATE SKIP LOCKED; each claim raises the job's fence, and every later
 * write of the worker names that fence (fenced.ts): a worker whose lease expired and was taken
 * over writes nothing, whatever it believes.
 *
 * Round trips: `commitGroup` sends the group's checkpoints and the claim its companion asks for in
 * one message, one transaction (see "One round trip per job" below, for how the "claim in commit"
 * rules of store/group-commit.ts hold there); `claim` likewise. Every other write is one
 * statement, which commits by itself. Transactions are handles passed along (transaction.ts),
 * never a state of the connection.
 *
 * Paths: a step's files and work folder are stored relative to the shared data folder and read
 * back as paths on this machine (farm/shared-media.ts), since every machine mounts it elsewhere;
 * so are the paths inside a step's output and a job's result (farm/shared-json.ts): the next step,
 * on whichever worker, reads them under its own mount.
 */
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { formatMs } from '../../../../shared/format-ms'
import { logEntry } from '../../../../shared/log-lines'
import type { JobView, JsonValue, LogLine, StepView } from '../../../../shared/types'
import { LeaseLostError } from '../../errors'
import type { EventBus } from '../../events'
import { toStoredJson } from '../../farm/shared-json'
import { fromDataRelative, toDataRelative } from '../../farm/shared-media'
import type { LogMessage } from '../jobs'
import type {
  Claim,
  ClaimedJob,
  ClaimRequest,
  GroupCommitted,
  GroupedWrite,
  HeldStep,
  JobTotals,
  Lease,
  LeaseStore,
  ReclaimOptions,
  StepStart,
  StepSuccess,
  WriteOutcome
} from '../leases'
import type { JobRow, StepRow } from '../rows'
import { storedLogMessage } from '../job-requests'
import { announcedLine, fencedResult, fencedStatement, Params, runFenced, type FencedResult, type FencedWrite, type LogInput } from './fenced'
import { jobRow, localJobView, localStepView, stepRow } from './job-rows'
import { ProgressNotices } from './progress-notices'
import { reclaimAbandoned } from './reclaim'
import { StartQueue } from './start-queue'
import { inOneTrip, inPgSavepoint, inPgTransaction, isRetryablePgError, onePgStatement, type PgTx, type TripStatement } from './transaction'
import { FARM_WAKE_CHANNEL } from './wake'

/**
 * A lease on the farm: the SQLite lease's fields, and the fence every write names. Writes check
 * the random token too: should a claim's commit ever be lost (a server crash with asynchronous
 * commit, a failover), the next claim would raise the fence to the same number again, but would
 * never draw the same token.
 */
export interface PgLease extends Lease {
  /** The job's lease_fence as this claim raised it. */
  fence: number
}

export interface PgClaimedJob extends ClaimedJob {
  lease: PgLease
}

export type PgClaim<P extends StepStart = StepStart> = Claim<P> & { lease: PgLease }

/**
 * A fenced checkpoint waiting for its group commit: only this store's commitGroup writes it (the
 * write `fenced` describes, built at the commit), inside the group's transaction, where it fails
 * with LeaseLostError, having written nothing, when the lease is gone. A step's checkpoint names
 * the step (`lease`, `stepIndex`): should its start still wait to be written (a step shorter than
 * START_WAIT_MS), `fenced` is given that start and writes both in one statement.
 */
export class PgCheckpoint implements GroupedWrite {
  constructor(
    readonly jobId: string,
    readonly completesJob: boolean,
    readonly durable: boolean,
    readonly fenced: (start: PendingStart | null) => FencedWrite,
    readonly committed?: () => void,
    readonly lease?: Lease,
    readonly stepIndex?: number
  ) {}
}

/** A claimed job's first step, planned at its claim and written with the store's next round trip. */
interface PendingStart {
  lease: PgLease
  start: StepStart
  attempt: number
  /** When it was planned: the step's started_at and its log lines' time. */
  now: number
}

/** What the claim at the end of a round trip answered: a job, its failure, or nothing ready. */
type ClaimAnswer = { job: Record<string, unknown>; steps: Array<Record<string, unknown>>; token: string; now: number } | { failure: unknown } | null

/**
 * How long a claimed job's first-step start may wait for the next round trip before it goes in
 * one of its own: a step shorter than this (a no-op, a cached result) has its start written with
 * its checkpoint; a longer one shows as running soon after it begins.
 */
const START_WAIT_MS = 5

/** The fence a lease of this store carries; a lease from another store has none and writes nothing here. */
function fenceOf(lease: Lease): number {
  const fence = (lease as Partial<PgLease>).fence
  if (typeof fence !== 'number') throw new Error(`job ${lease.jobId}: a lease from another store (no fence)`)
  return fence
}

export interface PgLeaseStoreOptions {
  /**
   * The worker's connections. Its owner listens for the pool's 'error' events: an idle connection
   * the server or the network drops is reported there, and an unheard 'error' ends the process.
   */
  pool: pg.Pool
  /** This worker's id (its workers row); stored as lease_owner. */
  owner: string
  /** The shared data folder as this machine mounts it: paths are stored relative to it. */
  dataDir: string
  /** What this worker can run (capabilities.has): it claims only jobs whose next step needs a subset. */
  has: readonly string[]
  /** What a step occupying a resource needs of a machine (farm/capabilities.ts's stepNeeds). */
  stepNeeds: (resource: string) => readonly string[]
  events?: EventBus
  now?: () => number
  /** A worker whose heartbeat is older than this is gone: its jobs are reclaimed (workers.ts's default). */
  staleAfterMs?: number
  /** How long a planned start waits for the next round trip (START_WAIT_MS; tests lengthen it). */
  startWaitMs?: number
  /** How often, at most, the jobs' progress is announced to open windows (progress-notices.ts; tests shorten it). */
  progressNoticeMs?: number
}

/** The totals as a job's stored steps say (the same sums as SQLite's JOB_COST and JOB_RUN_TIME). */
export function totalsOf(steps: readonly StepRow[]): JobTotals {
  const totals: JobTotals = { costUsd: 0, costUnknown: false, runMs: 0 }
  for (const s of steps) {
    totals.costUsd += s.cost_usd ?? 0
    if (s.status !== 'completed') continue
    if (s.cost_usd === null) totals.costUnknown = true
    totals.runMs += s.duration_ms ?? 0
  }
  return totals
}

type Level = LogLine['level']

/** A fenced write as one of a round trip's statements. */
function tripStatement(w: FencedWrite): TripStatement {
  const q = new Params()
  return { text: fencedStatement(w, q), values: q.values }
}

/** The job goes back to the queue (or pauses), lease dropped; its fence stays for the next claim to raise. */
const giveBack = (q: Params, o: { to: 'pending' | 'paused'; runAfter: number; reason: string | null; provider: string | null; retries: number }) =>
  `status = ${q.$(o.to, 'text')}, current_step = NULL, run_after = ${q.$(o.runAfter, 'bigint')}, waiting_reason = ${q.$(o.reason, 'text')},
   waiting_provider = ${q.$(o.provider, 'text')}, retry_count = retry_count + ${q.$(o.retries, 'int')}, pause_requested = FALSE,
   lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL`

/**
 * # One round trip per job
 *
 * A worker's writes go to the server in as few round trips as their order allows, each one
 * transaction (transaction.ts's inOneTrip: BEGIN, the statements and COMMIT in one message):
 *  - a group commit is one round trip: the starts waiting (below), the group's fenced checkpoints,
 *    then the claim its companion asks for (farm_claim_next, schema migration 4, whose exception
 *    block undoes a failed claim alone, so the checkpoints still commit). The companion is asked
 *    (`join`) before the round trip, with the jobs the group's writes complete: a write refused
 *    for a lost lease ends its run all the same, so its slot is free either way.
 *  - the claim carries its first step's start (rule 1 of "Claim in commit", group-commit.ts), but
 *    the plan — the pool's synchronous callback, which takes a resource slot and names the work
 *    folder — can only be made from the job the claim returns. So the claim returns the job, the
 *    pool plans at once (nothing else runs in between), and the start is written, fenced, by this
 *    store's next round trip: with the step's checkpoint when the step is that short (a no-op: one
 *    round trip per job, where there were seven), or on its own after START_WAIT_MS (start-queue.ts).
 *    Every later write of the job waits for its start, so nothing of its run lands before it. A
 *    crash before the start is written loses only the start: the job is claimed, its lease runs out
 *    and it is taken back with its steps as they were.
 *  - a claim for several jobs claims them one round trip each, the resources without a free slot
 *    asked again before each (a plan may take the last slot); should a plan fail, every job the
 *    claim took is given back, as a rolled-back transaction would have left them.
 */
export class PgLeaseStore implements LeaseStore {
  readonly owner: string
  private readonly pool: pg.Pool
  private readonly now: () => number
  private readonly starts: StartQueue<PendingStart>
  /** The jobs whose progress or step this worker changed, announced to open windows about once a second. */
  private readonly progressNotices: ProgressNotices

  constructor(private readonly o: PgLeaseStoreOptions) {
    this.owner = o.owner
    this.pool = o.pool
    this.now = o.now ?? Date.now
    this.progressNotices = new ProgressNotices(o.pool, o.progressNoticeMs)
    this.starts = new StartQueue<PendingStart>(o.startWaitMs ?? START_WAIT_MS, () => {
      // A store whose connections are closing (its worker stopped) has no next write to wait for.
      if ((this.pool as { ending?: boolean }).ending) return
      this.writeStarts().catch((err: Error) => console.warn(`step starts not stored yet (${err.message}); they go with the next write`))
    })
  }

  // ---------------------------------------------------------------- transactions

  /**
   * A group's writes, then the claims `join` asks for (see "One round trip per job" above, and
   * "Claim in commit", store/group-commit.ts). A lost lease fails its write alone (its fenced
   * statement matched nothing); any other failure ends the transaction unless `isolated`, where
   * each write has a savepoint of its own. A failed claim undoes its own part only.
   */
  async commitGroup<P extends StepStart>(
    writes: readonly GroupedWrite[],
    options: { flushed: boolean; isolated: boolean; join: ((finished: ReadonlySet<string>) => ClaimRequest<P> | null) | null }
  ): Promise<GroupCommitted<P>> {
    const checkpoints = writes.map((w) => {
      if (!(w instanceof PgCheckpoint)) throw new Error(`job ${w.jobId}: a checkpoint built by another store`)
      return w
    })
    // Every group waits for the disk, even one not `flushed`: unlike SQLite, where losing commits
    // means the process died with them, a PostgreSQL server may crash and come back while its
    // workers live on, and a worker whose checkpoint was lost would go on to the next step. (A
    // lost claim is harmless: its token is refused.) COMMIT returned with it on disk: nothing to wait for.
    const onDisk = Promise.resolve()
    if (options.isolated) return { outcomes: await this.commitIsolated(checkpoints), claims: null, onDisk }
    const request = options.join?.(new Set(checkpoints.filter((c) => c.completesJob).map((c) => c.jobId))) ?? null
    const earlier = this.starts.settled()
    if (earlier) await earlier
    // A start still waiting whose step this group completes is written by the checkpoint's own
    // statement (a no-op step: one statement for its start and its end); the others go before.
    const taken = this.starts.take()
    const alone = new Set(taken)
    const fenced = checkpoints.map((c) => {
      const start = taken.find((p) => p.lease === c.lease && p.start.step.index === c.stepIndex) ?? null
      if (start) alone.delete(start)
      return c.fenced(start)
    })
    const tx = this.autoTx()
    const { results, claimed } = await this.trip(
      tx,
      fenced.map((w) => tripStatement(w)),
      request && request.max > 0 ? request : null,
      true,
      { taken, alone: [...alone] }
    )
    const outcomes = fenced.map((w, i): WriteOutcome => {
      const done = fencedResult(results[i]!.rows)
      return done ? { job: this.announceWrite(tx, w, done) } : { failure: new LeaseLostError(w.jobId) }
    })
    const claims = request ? await this.claimAll(tx, request, claimed) : null
    this.flush(tx)
    return { outcomes, claims, onDisk }
  }

  /** The group again, each write in a savepoint of its own: any failure is its alone. */
  private async commitIsolated(checkpoints: readonly PgCheckpoint[]): Promise<WriteOutcome[]> {
    await this.writeStarts()
    const outcomes: WriteOutcome[] = []
    await inPgTransaction(this.pool, async (tx) => {
      for (const item of checkpoints) {
        try {
          outcomes.push({ job: await inPgSavepoint(tx, () => this.fencedWrite(tx, item.fenced(null))) })
        } catch (failure) {
          outcomes.push({ failure })
        }
      }
    })
    return outcomes
  }

  /** The group's transaction was rolled back by the server in a way worth trying again. */
  isLocked(err: unknown): boolean {
    return isRetryablePgError(err)
  }

  /**
   * One round trip (see above): the starts waiting, `statements`, and the claim of one job when
   * `claim` asks, in one transaction. Starts whose fence no longer holds write nothing: their
   * run learns that its lease is gone from its next write or renewal.
   */
  private async trip(
    tx: PgTx,
    statements: readonly TripStatement[],
    claim: Pick<ClaimRequest, 'leaseMs' | 'excludeResources'> | null,
    durable: boolean,
    /** The starts the caller took from the queue already, and those of them to write apart. */
    startsTaken?: { taken: PendingStart[]; alone: PendingStart[] }
  ): Promise<{ results: pg.QueryResult[]; claimed: ClaimAnswer }> {
    if (!startsTaken) {
      const earlier = this.starts.settled()
      if (earlier) await earlier
    }
    const taken = startsTaken ? startsTaken.taken : this.starts.take()
    const starts = startsTaken ? startsTaken.alone : taken
    const startWrites = starts.map((p) => this.startWrite(p))
    const sent = [...startWrites.map((w) => tripStatement(w)), ...statements]
    const token = randomUUID()
    const claimedAt = this.now()
    if (claim) {
      const q = new Params()
      const text = `SELECT * FROM farm_claim_next(${q.$(claimedAt, 'bigint')}, ${q.$([...this.o.has], 'text[]')}, ${q.$([...(claim.excludeResources?.() ?? [])], 'text[]')},
           ${q.$(this.owner, 'text')}, ${q.$(token, 'text')}, ${q.$(claim.leaseMs, 'bigint')})`
      sent.push({ text, values: q.values })
    }
    let results: pg.QueryResult[]
    try {
      const trip = inOneTrip(this.pool, sent, { durable })
      results = await (taken.length ? this.starts.track(trip) : trip)
    } catch (err) {
      this.starts.giveBack(taken)
      throw err
    }
    startWrites.forEach((w, i) => {
      const done = fencedResult(results[i]!.rows)
      if (done) this.announceLines(tx, w.jobId, w.now, w.logs ?? [], done.logIds)
    })
    const own = results.slice(starts.length, starts.length + statements.length)
    if (!claim) return { results: own, claimed: null }
    const answer = results[results.length - 1]!.rows[0] as
      | { claimed_job: Record<string, unknown> | null; claimed_steps: Array<Record<string, unknown>> | null; failure: string | null; failure_code: string | null }
      | undefined
    if (!answer) return { results: own, claimed: null }
    if (answer.failure !== null) return { results: own, claimed: { failure: Object.assign(new Error(answer.failure), { code: answer.failure_code }) } }
    return { results: own, claimed: { job: answer.claimed_job!, steps: answer.claimed_steps ?? [], token, now: claimedAt } }
  }

  // ---------------------------------------------------------------- claims and leases

  /**
   * Atomically take up to `request.max` ready jobs this worker can run (priority, then manual
   * order, then FIFO), each with the first step's start `request.plan` gives (see "One round trip
   * per job" above).
   */
  async claim<P extends StepStart>(request: ClaimRequest<P>): Promise<PgClaim<P>[]> {
    if (request.max <= 0) return []
    const tx = this.autoTx()
    // Not waiting for the disk, as on SQLite: a claim lost to a crash only means the job is
    // claimed again (its worker's writes are refused: see PgLease).
    const { claimed } = await this.trip(tx, [], request, false)
    const outcome = await this.claimAll(tx, request, claimed)
    this.flush(tx)
    if ('failure' in outcome) throw outcome.failure
    return outcome.claimed
  }

  /**
   * The jobs of a request, from the first one a round trip claimed: each planned as it comes, then
   * the next claimed, up to `request.max`. A later claim's failure ends the request with what it
   * has; a plan's failure gives back every job it took. The planned starts wait for the next round
   * trip, and the claims are announced, once every plan is made.
   */
  private async claimAll<P extends StepStart>(tx: PgTx, request: ClaimRequest<P>, first: ClaimAnswer): Promise<{ claimed: PgClaim<P>[] } | { failure: unknown }> {
    const claims: PgClaim<P>[] = []
    const taken: Array<{ lease: PgLease; at: number }> = []
    const planned: PendingStart[] = []
    let answer = first
    try {
      while (answer !== null) {
        if ('failure' in answer) {
          if (claims.length === 0) return { failure: answer.failure }
          break
        }
        const claimed = this.claimedJob(answer)
        taken.push({ lease: claimed.lease, at: answer.now })
        const plan = request.plan?.(claimed) ?? null
        const attempt = plan ? plan.step.attempts + 1 : 0
        claims.push({ ...claimed, started: plan ? { plan, attempt } : null })
        if (plan) planned.push({ lease: claimed.lease, start: plan, attempt, now: answer.now })
        if (claims.length >= request.max) break
        try {
          answer = (await this.trip(tx, [], request, false)).claimed
        } catch (failure) {
          answer = { failure }
        }
      }
    } catch (failure) {
      await this.giveBackClaims(taken)
      return { failure }
    }
    for (const p of planned) this.starts.add(p)
    for (const c of claims) this.announceJob(tx, c.job)
    return { claimed: claims }
  }

  /** A job as the claim function returned it (row_to_json of the row and its steps). */
  private claimedJob(answer: { job: Record<string, unknown>; steps: Array<Record<string, unknown>>; token: string }): PgClaimedJob {
    const row = jobRow(answer.job)
    const steps = answer.steps.map((s) => stepRow(s, row.seq))
    const lease: PgLease = {
      jobId: row.id,
      token: answer.token,
      owner: this.owner,
      row: row.seq,
      seq: row.seq,
      fence: Number(answer.job.lease_fence),
      spent: totalsOf(steps)
    }
    return { lease, job: localJobView(row, this.o.dataDir), steps: steps.map((s) => this.localStep(s)) }
  }

  /**
   * Undo the claims of a request whose plan failed: the jobs go back to the queue as they were
   * (their start time too, unless an earlier run set it), their fence raised. Should this fail,
   * their leases run out and they are taken back.
   */
  private async giveBackClaims(taken: ReadonlyArray<{ lease: PgLease; at: number }>): Promise<void> {
    if (taken.length === 0) return
    await this.pool
      .query(
        `UPDATE jobs j SET status = 'pending', current_step = NULL, lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL,
                started_at = CASE WHEN j.started_at = c.at THEN NULL ELSE j.started_at END
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS c(id, fence, token, at)
          WHERE j.id = c.id AND j.lease_fence = c.fence AND j.lease_token = c.token AND j.status = 'processing'`,
        [taken.map((t) => t.lease.jobId), taken.map((t) => t.lease.fence), taken.map((t) => t.lease.token), taken.map((t) => t.at)]
      )
      .catch((err: Error) => console.warn(`claimed jobs not given back (${err.message}); their leases will run out`))
  }

  /** A claimed job's first step, as its start is written: the job's row already names it, so only the step and the log. */
  private startWrite(p: PendingStart): FencedWrite {
    const { lease, start, attempt, now } = p
    return {
      jobId: lease.jobId,
      fence: lease.fence,
      token: lease.token,
      now,
      jobSet: null,
      steps: [this.setRunning(start.step, attempt, start.workDir, now)],
      logs: this.startLines(p)
    }
  }

  private startLines(p: PendingStart): LogInput[] {
    const { start, attempt } = p
    return [
      ...start.skipped.map((s): LogInput => ({ level: 'info', message: logEntry('skipping', { step: s.name }), step: s.name })),
      this.startLine(start.step, attempt, start.maxAttempts)
    ]
  }

  /**
   * The starts planned at claims, written now rather than with the next round trip (a step that
   * outlasts START_WAIT_MS, a write of the job's own, tests); resolves once every start planned so
   * far is committed.
   */
  async writeStarts(): Promise<void> {
    if (this.starts.size === 0) {
      await this.starts.settled()
      return
    }
    const tx = this.autoTx()
    await this.trip(tx, [], null, false)
    this.flush(tx)
  }

  /** Extend the lease; false means it is gone and the worker must stop. */
  async renew(lease: Lease, leaseMs: number): Promise<boolean> {
    return (await this.renewAll([lease], leaseMs)).length === 0
  }

  /**
   * Extend several leases in one statement, and this worker's heartbeat with them (a worker that
   * renews is alive). Returns the leases gone.
   */
  async renewAll(leases: readonly Lease[], leaseMs: number): Promise<Lease[]> {
    const now = this.now()
    const { rows } = await this.pool.query<{ id: string }>(
      `WITH h AS (UPDATE workers SET heartbeat_at = GREATEST(heartbeat_at, $1) WHERE id = $2)
       UPDATE jobs SET lease_expires_at = $1 + $3::bigint
         FROM unnest($4::text[], $5::bigint[], $6::text[]) AS l(id, fence, token)
        WHERE jobs.id = l.id AND jobs.lease_fence = l.fence AND jobs.lease_token = l.token AND jobs.status = 'processing'
       RETURNING jobs.id`,
      [now, this.owner, leaseMs, leases.map((l) => l.jobId), leases.map(fenceOf), leases.map((l) => l.token)]
    )
    const kept = new Set(rows.map((r) => r.id))
    return leases.filter((l) => !kept.has(l.jobId))
  }

  // ---------------------------------------------------------------- steps

  /** Mark a step running (attempt counted, work folder and worker recorded, logged), fenced; the attempt it counts. */
  async startStep(lease: Lease, step: HeldStep, workDir: string, maxAttempts: number): Promise<number> {
    await this.writeStarts()
    const attempt = step.attempts + 1
    const now = this.now()
    await this.fencedOrLost(lease, {
      jobId: lease.jobId,
      fence: fenceOf(lease),
      token: lease.token,
      now,
      jobSet: (q) => `current_step = ${q.$(step.name, 'text')}`,
      steps: [this.setRunning(step, attempt, workDir, now)],
      logs: [this.startLine(step, attempt, maxAttempts)]
    })
    this.progressNotices.note(lease.jobId)
    return attempt
  }

  private setRunning(step: HeldStep, attempt: number, workDir: string, now: number): (q: Params, jobId: string) => string {
    return (q, jobId) =>
      `UPDATE steps SET status = 'running', attempts = ${q.$(attempt, 'int')}, progress = 0, error = NULL,
         work_dir = ${q.$(toDataRelative(this.o.dataDir, workDir), 'text')}, started_at = ${q.$(now, 'bigint')},
         worker_id = ${q.$(this.owner, 'text')}
       WHERE job_id = ${jobId} AND idx = ${q.$(step.index, 'int')}`
  }

  private startLine(step: HeldStep, attempt: number, maxAttempts: number): LogInput {
    return { level: 'info', message: logEntry('started', { step: step.name, attempt, max: maxAttempts }), step: step.name }
  }

  /** Persist progress; a lost lease shows up here too (LeaseLostError) and stops the worker. */
  async saveProgress(lease: Lease, stepIdx: number, stepProgress: number, jobProgress: number): Promise<void> {
    await this.writeStarts()
    const done = await runFenced(this.autoTx(), {
      jobId: lease.jobId,
      fence: fenceOf(lease),
      token: lease.token,
      now: this.now(),
      jobSet: (q) => `progress = ${q.$(jobProgress, 'double precision')}`,
      steps: [(q, jobId) => `UPDATE steps SET progress = ${q.$(stepProgress, 'double precision')} WHERE job_id = ${jobId} AND idx = ${q.$(stepIdx, 'int')}`]
    })
    if (!done) throw new LeaseLostError(lease.jobId)
    this.progressNotices.note(lease.jobId)
  }

  async logSkipped(lease: Lease, steps: readonly HeldStep[]): Promise<void> {
    if (steps.length === 0) return
    await this.writeStarts()
    const logs = steps.map((s): LogInput => ({ level: 'info', message: logEntry('skipping', { step: s.name }), step: s.name }))
    await this.fencedOrLost(lease, { jobId: lease.jobId, fence: fenceOf(lease), token: lease.token, now: this.now(), jobSet: null, logs })
  }

  /**
   * A line in the log of a job this worker holds, fenced: false (and nothing written) when the
   * lease is gone, so a stalled worker's late lines never land in the new holder's log.
   */
  async logHeld(lease: Lease, level: Level, message: LogMessage, step: string | null): Promise<boolean> {
    await this.writeStarts()
    const now = this.now()
    const line: LogInput = { level, message, step }
    const tx = this.autoTx()
    const done = await runFenced(tx, { jobId: lease.jobId, fence: fenceOf(lease), token: lease.token, now, jobSet: null, logs: [line] })
    if (!done) return false
    this.announceLines(tx, lease.jobId, now, [line], done.logIds)
    this.flush(tx)
    return true
  }

  /** A line in a job's log, whoever holds it (nothing when the job is gone). */
  async log(jobId: string, level: Level, message: LogMessage, step: string | null): Promise<void> {
    await this.writeStarts()
    const now = this.now()
    const line: LogInput = { level, message, step }
    const stored = storedLogMessage(message)
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params)
       SELECT seq, id, $2, $3, $4, $5, $6, $7 FROM jobs WHERE id = $1 RETURNING id`,
      [jobId, now, level, step, stored.text, stored.code, stored.params]
    )
    if (rows[0] && this.o.events?.wants('job.log')) this.o.events.emit({ type: 'job.log', line: announcedLine(Number(rows[0].id), jobId, now, line) })
  }

  /** The step the job is at, as stored (null when it is at none, or gone). */
  async currentStep(jobId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ current_step: string | null }>('SELECT current_step FROM jobs WHERE id = $1', [jobId])
    return rows[0]?.current_step ?? null
  }

  // ---------------------------------------------------------------- checkpoints

  /**
   * Checkpoint: the step's output, its files (relative to the data folder), cost, provider and
   * duration are stored in the statement that moves the job on, fenced; the provider call with
   * them. The last step completes the job in that same statement, with its totals: the cost and
   * run time its steps add up to.
   */
  completeStep(
    lease: Lease,
    step: HeldStep,
    success: StepSuccess,
    next: { resource: string | null; step?: string | null; jobProgress: number; jobResult?: JsonValue }
  ): GroupedWrite {
    const last = next.jobResult !== undefined
    const spent: JobTotals = {
      costUsd: lease.spent.costUsd + (success.costUsd ?? 0),
      costUnknown: lease.spent.costUnknown || success.costUsd === null,
      runMs: lease.spent.runMs + success.durationMs
    }
    const files: Record<string, string> = {}
    for (const [name, path] of Object.entries(success.files)) files[name] = toDataRelative(this.o.dataDir, path)
    const workDir = toDataRelative(this.o.dataDir, success.workDir)
    const output = JSON.stringify(toStoredJson(this.o.dataDir, success.data))
    const result = last ? JSON.stringify(toStoredJson(this.o.dataDir, next.jobResult)) : null
    const needs = last || next.resource === null ? [] : [...this.o.stepNeeds(next.resource)]
    const code = last ? (success.fallback ? 'finishedJobFallback' : 'finishedJob') : success.fallback ? 'finishedFallback' : 'finished'
    // With its start (see PgCheckpoint): the step's attempt, start time and worker, and the start's
    // lines before the checkpoint's (stamped with the checkpoint's time, a few ms after the start).
    const fenced = (start: PendingStart | null): FencedWrite => {
        const now = this.now()
        return {
          jobId: lease.jobId,
          fence: fenceOf(lease),
          token: lease.token,
          now,
          jobSet: (q) => {
            const cost = `cost_usd = ${q.$(spent.costUsd, 'double precision')}, cost_unknown = ${q.$(spent.costUnknown, 'boolean')}`
            return last
              ? `status = 'completed', progress = 100, current_step = NULL, result = ${q.$(result, 'text')},
                 error = NULL, next_resource = NULL, next_needs = '{}', completed_at = ${q.$(now, 'bigint')},
                 actual_duration_ms = ${q.$(Math.round(spent.runMs), 'bigint')}, ${cost},
                 lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL`
              : `progress = ${q.$(next.jobProgress, 'double precision')}, next_resource = ${q.$(next.resource, 'text')},
                 next_needs = ${q.$(needs, 'text[]')}, current_step = COALESCE(${q.$(next.step ?? null, 'text')}, current_step), ${cost}`
          },
          steps: [
            (q, jobId) =>
              `UPDATE steps SET status = 'completed', progress = 100, output = ${q.$(output, 'text')},${
                 start ? ` attempts = ${q.$(start.attempt, 'int')}, started_at = ${q.$(start.now, 'bigint')}, worker_id = ${q.$(this.owner, 'text')},` : ''
               }
                 files = ${q.$(JSON.stringify(files), 'text')}, work_dir = ${q.$(workDir, 'text')}, error = NULL,
                 cost_usd = ${q.$(success.costUsd, 'double precision')}, provider = ${q.$(success.provider, 'text')},
                 fallback = ${q.$(success.fallback, 'boolean')}, completed_at = ${q.$(now, 'bigint')},
                 duration_ms = ${q.$(Math.round(success.durationMs), 'bigint')}
               WHERE job_id = ${jobId} AND idx = ${q.$(step.index, 'int')}`
          ],
          logs: [...(start ? this.startLines(start) : []), { level: 'info', message: logEntry(code, { step: step.name, duration: formatMs(success.durationMs) }), step: step.name }],
          ...(success.provider ? { call: { provider: success.provider, ok: true, durationMs: success.durationMs, error: null, worker: this.owner } } : {})
        }
      }
    return new PgCheckpoint(
      lease.jobId,
      last,
      success.durable,
      fenced,
      () => {
        lease.spent = spent
      },
      lease,
      step.index
    )
  }

  /** A retryable failure with attempts left: back to the queue, not before `runAfter`. */
  retryLater(lease: Lease, step: HeldStep, error: string, runAfter: number, durationMs: number, provider: string | null): GroupedWrite {
    return this.endRun(lease, (now) => ({
      jobSet: (q) => giveBack(q, { to: 'pending', runAfter, reason: `retrying ${step.name} after an error`, provider: null, retries: 1 }),
      steps: [(q, jobId) => `UPDATE steps SET status = 'pending', error = ${q.$(error, 'text')} WHERE job_id = ${jobId} AND idx = ${q.$(step.index, 'int')}`],
      logs: [{ level: 'warn', message: logEntry('willRetry', { step: step.name, delay: formatMs(runAfter - now), error }), step: step.name }],
      ...(provider ? { call: { provider, ok: false, durationMs, error, worker: this.owner } } : {})
    }))
  }

  /** The provider is down: the job waits (not a failure, the attempt is given back). */
  waitForProvider(lease: Lease, step: HeldStep, provider: string, reason: string, runAfter: number, call: { durationMs: number } | null): GroupedWrite {
    return this.endRun(lease, () => ({
      jobSet: (q) => giveBack(q, { to: 'pending', runAfter, reason: `waiting for ${provider}: ${reason}`, provider, retries: 0 }),
      steps: [
        (q, jobId) =>
          `UPDATE steps SET status = 'pending', attempts = GREATEST(attempts - ${q.$(call ? 1 : 0, 'int')}, 0), error = ${q.$(reason, 'text')}
           WHERE job_id = ${jobId} AND idx = ${q.$(step.index, 'int')}`
      ],
      logs: [{ level: 'warn', message: logEntry('providerDown', { provider, step: step.name, reason }), step: step.name }],
      ...(call ? { call: { provider, ok: false, durationMs: call.durationMs, error: reason, worker: this.owner } } : {})
    }))
  }

  /** The job fails at this step; its run time is its finished steps' and this attempt's. */
  failJob(lease: Lease, step: HeldStep, error: string, durationMs: number, provider: string | null): GroupedWrite {
    return this.endRun(lease, (now) => ({
      jobSet: (q) =>
        `status = 'failed', error = ${q.$(`${step.name}: ${error}`, 'text')}, completed_at = ${q.$(now, 'bigint')},
         actual_duration_ms = (SELECT COALESCE(SUM(duration_ms), 0) FROM steps WHERE job_id = jobs.id AND status = 'completed') + ${q.$(Math.round(durationMs), 'bigint')},
         lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL`,
      steps: [(q, jobId) => `UPDATE steps SET status = 'failed', error = ${q.$(error, 'text')} WHERE job_id = ${jobId} AND idx = ${q.$(step.index, 'int')}`],
      logs: [{ level: 'error', message: logEntry('failed', { step: step.name, error }), step: step.name }],
      ...(provider ? { call: { provider, ok: false, durationMs, error, worker: this.owner } } : {})
    }))
  }

  /**
   * Give the job back without blaming it: graceful stop, queue pause, job pause. A step that was
   * running goes back to pending and its attempt is returned.
   */
  release(lease: Lease, to: 'pending' | 'paused', reason: LogMessage): GroupedWrite {
    return this.endRun(lease, () => ({
      jobSet: (q) => giveBack(q, { to, runAfter: 0, reason: null, provider: null, retries: 0 }),
      steps: [(_q, jobId) => `UPDATE steps SET status = 'pending', attempts = GREATEST(attempts - 1, 0), progress = 0 WHERE job_id = ${jobId} AND status = 'running'`],
      logs: [{ level: 'info', message: reason, step: null }]
    }))
  }

  // ---------------------------------------------------------------- the queue as a whole

  /**
   * Jobs whose worker is gone go back to the queue and resume at their first unfinished step:
   * leases that expired, leases of workers whose heartbeat stopped, and — at once — leases of a
   * worker process on this machine that no longer exists.
   */
  reclaimAbandoned(options: ReclaimOptions = {}): Promise<string[]> {
    return reclaimAbandoned(this.pool, {
      ...options,
      now: this.now(),
      owner: this.owner,
      dataDir: this.o.dataDir,
      staleAfterMs: this.o.staleAfterMs,
      announce: (tx, row) => this.announce(tx, row),
      announceLines: (tx, jobId, ts, lines, ids) => this.announceLines(tx, jobId, ts, lines, ids)
    })
  }

  /** A provider came back: its waiting jobs may start now instead of at their scheduled probe time. */
  async releaseWaiting(provider: string): Promise<number> {
    const tx = this.autoTx()
    const { rows } = await tx.query(
      `WITH r AS (UPDATE jobs SET run_after = 0, waiting_reason = NULL, waiting_provider = NULL, updated_at = $2
                   WHERE status = 'pending' AND waiting_provider = $1 RETURNING *)
       SELECT r.*, pg_notify('${FARM_WAKE_CHANNEL}', 'jobs') AS woke FROM r`,
      [provider, this.now()]
    )
    for (const r of rows as Array<Record<string, unknown>>) {
      delete r.woke
      this.announce(tx, jobRow(r))
    }
    this.flush(tx)
    return rows.length
  }

  /** Earliest moment a held-back pending job this worker could run becomes claimable, or null. */
  async nextRunAfter(): Promise<number | null> {
    const { rows } = await this.pool.query<{ t: string | null }>(
      `SELECT MIN(run_after) AS t FROM jobs WHERE status = 'pending' AND run_after > $1 AND next_needs <@ $2::text[]`,
      [this.now(), [...this.o.has]]
    )
    return rows[0]?.t == null ? null : Number(rows[0].t)
  }

  /** Is anything queued or running? */
  async hasWork(): Promise<boolean> {
    const { rows } = await this.pool.query<{ w: boolean }>(`SELECT EXISTS (SELECT 1 FROM jobs WHERE status IN ('pending','processing')) AS w`)
    return rows[0]!.w
  }

  // ---------------------------------------------------------------- helpers

  private endRun(lease: Lease, build: (now: number) => Omit<FencedWrite, 'jobId' | 'fence' | 'token' | 'now'>): GroupedWrite {
    // Ending a run is fsynced like a checkpoint (as in SQLite): lost, the job would stay leased
    // until its lease ran out and its step would run (and be paid for) again.
    return new PgCheckpoint(lease.jobId, false, true, () => {
      const now = this.now()
      return { ...build(now), jobId: lease.jobId, fence: fenceOf(lease), token: lease.token, now, wake: true }
    })
  }

  /** A fenced write in `tx`, announced after its commit; LeaseLostError (nothing written) when the lease is gone. */
  private async fencedWrite(tx: PgTx, w: FencedWrite): Promise<JobView> {
    const done = await runFenced(tx, w)
    if (!done) throw new LeaseLostError(w.jobId)
    return this.announceWrite(tx, w, done)
  }

  private async fencedOrLost(lease: Lease, w: FencedWrite): Promise<void> {
    await onePgStatement(this.pool, undefined, async (t) => {
      const done = await runFenced(t, w)
      if (!done) throw new LeaseLostError(lease.jobId)
      if (w.jobSet) this.announceWrite(t, w, done)
      else this.announceLines(t, w.jobId, w.now, w.logs ?? [], done.logIds)
    })
  }

  private announceWrite(tx: PgTx, w: FencedWrite, done: FencedResult): JobView {
    this.announceLines(tx, w.jobId, w.now, w.logs ?? [], done.logIds)
    return this.announce(tx, jobRow(done.row))
  }

  /** The job as committed, announced once its transaction commits. */
  private announce(tx: PgTx, row: JobRow): JobView {
    return this.announceJob(tx, localJobView(row, this.o.dataDir))
  }

  private announceJob(tx: PgTx, job: JobView): JobView {
    const events = this.o.events
    if (events) tx.afterCommit(() => events.emit({ type: 'job.changed', job }))
    return job
  }

  private announceLines(tx: PgTx, jobId: string, ts: number, lines: readonly LogInput[], ids: readonly number[]): void {
    const events = this.o.events
    if (!events?.wants('job.log')) return
    const built = lines.map((l, i) => announcedLine(ids[i] ?? 0, jobId, ts, l))
    tx.afterCommit(() => {
      for (const line of built) events.emit({ type: 'job.log', line })
    })
  }

  /** A step as this machine sees it: its files, and the paths in its output, where the shared data folder is mounted here. */
  private localStep(row: StepRow): StepView {
    const step = localStepView(row, this.o.dataDir)
    const files: Record<string, string> = {}
    for (const [name, rel] of Object.entries(step.files)) files[name] = fromDataRelative(this.o.dataDir, rel)
    return { ...step, files }
  }

  /** A handle for one statement on the pool; `flush` sends what it announced once it has run. */
  private autoTx(): PgTx {
    const after: Array<() => void> = []
    return { query: this.pool.query.bind(this.pool) as PgTx['query'], afterCommit: (f) => after.push(f), after, open: false }
  }

  private flush(tx: PgTx): void {
    for (const f of tx.after.splice(0)) f()
  }
}
