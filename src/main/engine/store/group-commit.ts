import type { JobView } from '../../../shared/types'
import { isPromise, type Awaitable } from './awaitable'
import { type Claim, type ClaimRequest, type CommitTransactions, type GroupCommitted, type GroupedWrite, type StepStart, type WriteOutcome } from './leases'

/**
 * # Claim in commit
 *
 * The one place this rule is written down; the pool, the runner and the lease stores point here.
 *
 * 1. **A claim and its first step's start commit together.** The pool claims with a
 *    `ClaimRequest` whose `plan` says, synchronously and for each job as it is claimed, how its
 *    first step starts (the runner's `plan`: the pipeline and step found, a free resource slot
 *    taken with `tryAcquire`, the work folder chosen, the attempts allowed). The lease store
 *    writes the claim and that start in one transaction, in one place (`LeaseStore.claim`):
 *    the job's row already names the step, so the start needs no second write of it and no lease
 *    check. (PostgreSQL, where the plan can only follow the round trip that returns the job,
 *    writes the start fenced with its next round trip: "One round trip per job", postgres/leases.ts.)
 *    A job the plan cannot start at once (its resource is full, its provider's circuit is
 *    not closed, it must yield) is claimed without a start, and its runner starts the step later,
 *    fenced as usual. The runners are launched once the claim is committed, never from inside its
 *    transaction: should it fail, nothing was claimed, and the pool undoes its plans (gives the
 *    resource slots back).
 * 2. **A checkpoint's commit may claim the next jobs.** A group commit (below) asks its
 *    companion (the pool) to `join`, inside the group's transaction and after its writes: given
 *    the jobs the group completes, the pool answers with a `ClaimRequest` for the slots they free,
 *    and the store claims — and starts, by rule 1 — those jobs in that very transaction. One
 *    commit where there were two, and no wait for a tick in between. A failed claim undoes its own
 *    part only; a failed group claimed nothing. Either way the companion is told (`settled`), and
 *    launches the claimed jobs or undoes its plans.
 *
 * Nothing awaits inside an open SQLite transaction: SQLite runs a claim or a group synchronously,
 * inside the store's call, and the callbacks it makes in there (`plan`, `join`) are synchronous
 * and never call the store. A network backend (PostgreSQL) runs the same steps on one connection
 * between BEGIN and COMMIT, awaiting only its own statements, and calls `plan` and `join` at the
 * same points: the rules hold without relying on "synchronous from here".
 */
export interface CommitCompanion<P extends StepStart, R extends ClaimRequest<P> = ClaimRequest<P>> {
  /** Inside the group's transaction, after its writes; `finished`: the jobs it completes. Never calls the store. */
  join(finished: ReadonlySet<string>): R | null
  /** Once the group is committed or has failed: what `request` claimed, or why it claimed nothing. */
  settled(request: R, outcome: { claimed: Claim<P>[] } | { failure: unknown }): void
}

export interface GroupCommitOptions<P extends StepStart, R extends ClaimRequest<P>> {
  transactions: CommitTransactions
  companion: CommitCompanion<P, R>
}

interface Pending {
  item: GroupedWrite
  resolve: (job: JobView) => void
  reject: (err: unknown) => void
}

/**
 * Group commit: the checkpoints requested in the same turn of the event loop share one
 * transaction. Each has its own fence, so a lost lease fails that job's checkpoint only. The group
 * is fsynced when any of its checkpoints asks to be, after its commit and off the thread, sharing
 * the flush with the groups that commit meanwhile. The companion then claims, in the same
 * transaction, the slots its finished jobs free (see "Claim in commit" above). `submit` resolves
 * with the job once committed, and for a checkpoint worth an fsync once it is on disk. One group
 * is in flight at a time; what is submitted meanwhile forms the next.
 *
 * While the database is locked by another process, the group waits in memory and is tried again,
 * more and more slowly: its steps are done, maybe paid for, and failing them would run them again.
 */
export class GroupCommit<P extends StepStart = StepStart, R extends ClaimRequest<P> = ClaimRequest<P>> {
  private pending: Pending[] = []
  /** A flush is scheduled or in flight: later submits join the next group. */
  private busy = false
  /** Set while the database is locked by another process and checkpoints wait for it. */
  private lockedWait: { timer: NodeJS.Timeout; delayMs: number } | null = null
  /** Set once the engine stops waiting for a locked database (see abandonWaiting). */
  private abandoned: Error | null = null

  constructor(private readonly o: GroupCommitOptions<P, R>) {}

  submit(item: GroupedWrite): Promise<JobView> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.busy || this.lockedWait || this.pending.length === 0) return
    this.busy = true
    setImmediate(() => this.flush())
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
    if (batch.length) this.attempt(batch, false)
    else this.done()
  }

  /** This group is over (committed, failed, or waiting for the database): the next may go. */
  private done(): void {
    this.busy = false
    this.schedule()
  }

  /**
   * One transaction for the group's checkpoints and the companion's claims. A lost lease fails
   * its checkpoint alone and writes nothing (the fence comes first), so no savepoint is needed for
   * it; any other failure ends the transaction unless `isolated`. The companion hears how its
   * request ended, whatever happens. SQLite commits inside the call (no await: the group costs
   * no trip through the microtask queue); a network backend's promise is followed.
   */
  private attempt(batch: Pending[], isolated: boolean): void {
    const { transactions, companion } = this.o
    const asked: { request: R | null } = { request: null }
    const join = isolated ? null : (finished: ReadonlySet<string>) => (asked.request = companion.join(finished))
    let result: Awaitable<GroupCommitted<P>>
    try {
      result = transactions.commitGroup(
        batch.map((p) => p.item),
        { flushed: batch.some((p) => p.item.durable), isolated, join }
      )
    } catch (failure) {
      return this.failed(batch, isolated, asked.request, failure)
    }
    if (!isPromise(result)) return this.committed(batch, asked.request, result)
    result.then(
      (committed) => this.committed(batch, asked.request, committed),
      (failure) => this.failed(batch, isolated, asked.request, failure)
    )
  }

  private committed(batch: Pending[], request: R | null, committed: GroupCommitted<P>): void {
    if (request) this.o.companion.settled(request, committed.claims ?? { claimed: [] })
    if (this.lockedWait) console.warn('the database is free again; waiting job updates stored')
    this.lockedWait = null
    const { outcomes, onDisk } = committed
    batch.forEach((p, i) => {
      const outcome: WriteOutcome = outcomes[i]!
      if ('failure' in outcome) return p.reject(outcome.failure)
      p.item.committed?.()
      if (p.item.durable) void onDisk.then(() => p.resolve(outcome.job))
      else p.resolve(outcome.job)
    })
    this.done()
  }

  private failed(batch: Pending[], isolated: boolean, request: R | null, failure: unknown): void {
    if (request) this.o.companion.settled(request, { failure })
    if (this.o.transactions.isLocked(failure)) {
      this.waitForDatabase(batch)
      return this.done()
    }
    // A write failed for another reason than a lost lease (a constraint, the disk) and took the
    // group's transaction with it. Again, each checkpoint in a savepoint of its own, so that it
    // fails alone; without the companion, whose claims the pool's next tick makes instead.
    if (!isolated) return this.attempt(batch, true)
    for (const p of batch) p.reject(failure)
    this.done()
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
      timer: setTimeout(() => {
        this.busy = true
        this.flush()
      }, delayMs)
    }
  }
}
