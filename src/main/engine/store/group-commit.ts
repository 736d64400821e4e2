import type { JobView } from '../../../shared/types'
import { LeaseLostError } from '../errors'

/**
 * # Claim in commit
 *
 * The one place this rule is written down; the pool, the runner and the lease store point here.
 *
 * 1. **A claim and its first step's start commit together.** The pool claims jobs inside a
 *    transaction (LeaseStore.claimTogether) and launches each job's runner at once; the runner
 *    runs *synchronously* from its claim up to `LeaseStore.startStep` (it takes a free resource
 *    slot with `tryAcquire`, never an await, on the way). So the step's start is written in the
 *    claim's own transaction, whose row already names that step: no second write, and no lease
 *    check, since nothing else can run before that transaction ends. Anything the runner does
 *    after its first `await` runs in a continuation, which is never inside a transaction — which
 *    is why the step's own work waits for `await null` after `startStep`: the claim's transaction
 *    may still roll back, and then the job was never this runner's.
 * 2. **A checkpoint's commit may claim the next job.** A group commit (below) ends with its
 *    `companion.join(finished)`: the pool hands the slots the group's finished jobs free to the
 *    next jobs, claimed — and started, by rule 1 — inside that very transaction. One commit where
 *    there were two, and no wait for a tick in between. Should the group roll back, `rolledBack`
 *    stops the runners launched in it before their steps run.
 *
 * A backend whose calls are async (PostgreSQL over the network) keeps both rules by passing its
 * transaction handle along instead of relying on "synchronous from here": the claim returns the
 * open transaction, `startStep` writes through it, and the group commit awaits `join` before
 * COMMIT. SQLite needs none of that, and its speed comes from not needing it.
 */
export interface CommitCompanion {
  /** Inside the group's transaction, after its checkpoints; `finished`: the jobs it completes. */
  join(finished: ReadonlySet<string>): void
  /** The group's transaction failed: whatever `join` started was never stored. */
  rolledBack(): void
}

/** What the group commit needs from the storage: transactions, and how a locked database looks. */
export interface CommitTransactions {
  /**
   * Run `group` as one transaction, committed when this returns. `flushed`: the commit must
   * survive a power cut; it may reach the disk after this returns, off the thread, and `onDisk`
   * says when (otherwise `onDisk` is already resolved). A network backend returns once COMMIT is
   * acknowledged (async: `group` and the commit become awaited).
   */
  commitGroup(group: () => void, flushed: boolean): { onDisk: Promise<void> }
  /** Run `write` in a savepoint of its own, inside the group: a failure undoes it alone. */
  alone<T>(write: () => T): T
  /** Another process holds the database beyond the busy timeout: wait and try again, never fail. */
  isLocked(err: unknown): boolean
}

/**
 * A fenced worker write waiting for its group (see LeaseStore's checkpoint methods, which build
 * them). `write` runs inside the group's transaction and returns the job as committed; it throws
 * LeaseLostError before writing anything when the lease is gone.
 */
export interface GroupedWrite {
  jobId: string
  /** The write ends the job's run here (completed): its slot is free for the companion's claims. */
  completesJob: boolean
  /** Worth an fsync (it cost money, a provider's work or files); otherwise crash-safe only. */
  durable: boolean
  write(): JobView
  /** Once committed (before the promise resolves): the lease's running totals move on. */
  committed?(): void
}

export interface GroupCommitOptions {
  transactions: CommitTransactions
  companion: CommitCompanion
}

interface Pending {
  item: GroupedWrite
  resolve: (job: JobView) => void
  reject: (err: unknown) => void
}

type Outcome = { job: JobView } | { failure: unknown }

/**
 * Group commit: the checkpoints requested in the same turn of the event loop share one
 * transaction. Each has its own fence, so a lost lease fails that job's checkpoint only. The group
 * is fsynced when any of its checkpoints asks to be, after its commit and off the thread, sharing
 * the flush with the groups that commit meanwhile. The companion then claims, in the same
 * transaction, the slots its finished jobs free (see "Claim in commit" above). `submit` resolves
 * with the job once committed, and for a checkpoint worth an fsync once it is on disk.
 *
 * While the database is locked by another process, the group waits in memory and is tried again,
 * more and more slowly: its steps are done, maybe paid for, and failing them would run them again.
 */
export class GroupCommit {
  private pending: Pending[] = []
  /** Set while the database is locked by another process and checkpoints wait for it. */
  private lockedWait: { timer: NodeJS.Timeout; delayMs: number } | null = null
  /** Set once the engine stops waiting for a locked database (see abandonWaiting). */
  private abandoned: Error | null = null

  constructor(private readonly o: GroupCommitOptions) {}

  submit(item: GroupedWrite): Promise<JobView> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject })
      if (this.pending.length === 1) setImmediate(() => this.flush())
    })
  }

  /**
   * The engine stops while checkpoints still wait for a locked database (its grace period is
   * over): they fail with `reason`, so that their runners end, and so do the writes those runners
   * still try while the lock lasts (giving their jobs back). Their jobs resume at those steps when
   * an engine next starts. `resume` undoes it when the pool starts again.
   */
  abandonWaiting(reason: Error): void {
    this.abandoned = reason
    if (!this.lockedWait) return
    clearTimeout(this.lockedWait.timer)
    this.lockedWait = null
    const waiting = this.pending
    this.pending = []
    for (const p of waiting) p.reject(reason)
  }

  resume(): void {
    this.abandoned = null
  }

  private flush(): void {
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    let outcomes: Outcome[]
    let onDisk: Promise<void>
    try {
      ;({ outcomes, onDisk } = this.commit(batch, false))
    } catch (err) {
      if (this.o.transactions.isLocked(err)) return this.waitForDatabase(batch)
      // A write failed for another reason than a lost lease (a constraint, the disk) and took the
      // group's transaction with it. Again, each checkpoint in a savepoint of its own, so that it
      // fails alone; without the companion, whose claims the pool's next tick makes instead.
      try {
        ;({ outcomes, onDisk } = this.commit(batch, true))
      } catch (again) {
        if (this.o.transactions.isLocked(again)) return this.waitForDatabase(batch)
        for (const p of batch) p.reject(again)
        return
      }
    }
    if (this.lockedWait) console.warn('the database is free again; waiting job updates stored')
    this.lockedWait = null
    batch.forEach((p, i) => {
      const outcome = outcomes[i]!
      if ('failure' in outcome) return p.reject(outcome.failure)
      p.item.committed?.()
      if (p.item.durable) void onDisk.then(() => p.resolve(outcome.job))
      else p.resolve(outcome.job)
    })
  }

  /**
   * Another process holds the write lock beyond the busy timeout (an import, a cleanup, a backup
   * tool): the checkpoints wait in memory and are tried again; later checkpoints join them.
   */
  private waitForDatabase(batch: Pending[]): void {
    if (this.abandoned) {
      for (const p of batch) p.reject(this.abandoned)
      return
    }
    this.pending = [...batch, ...this.pending]
    const delayMs = this.lockedWait ? Math.min(1_000, this.lockedWait.delayMs * 2) : 25
    if (!this.lockedWait) console.warn(`the database is locked by another process; ${batch.length} job update(s) wait for it`)
    this.lockedWait = {
      delayMs,
      timer: setTimeout(() => this.flush(), delayMs)
    }
  }

  /**
   * One transaction for the group's checkpoints and the companion's claims. A lost lease fails
   * its checkpoint alone and writes nothing (the fence comes first), so no savepoint is needed for
   * it; any other failure ends the transaction unless `isolated`.
   */
  private commit(batch: Pending[], isolated: boolean): { outcomes: Outcome[]; onDisk: Promise<void> } {
    const { transactions, companion } = this.o
    const outcomes: Outcome[] = []
    let joined = false
    const group = () => {
      const finished = new Set<string>()
      for (const { item } of batch) {
        try {
          outcomes.push({ job: isolated ? transactions.alone(() => item.write()) : item.write() })
          if (item.completesJob) finished.add(item.jobId)
        } catch (error) {
          if (!isolated && !(error instanceof LeaseLostError)) throw error
          outcomes.push({ failure: error })
        }
      }
      if (isolated) return
      joined = true
      companion.join(finished)
    }
    try {
      return { outcomes, onDisk: transactions.commitGroup(group, batch.some((p) => p.item.durable)).onDisk }
    } catch (err) {
      if (joined) companion.rolledBack()
      throw err
    }
  }
}
