/**
 * A farm worker's resource limits: the resources the farm has a lane for (`studio farm limits`)
 * are limited across every worker, through the farm's database (store/postgres/resource-lanes.ts);
 * every other resource keeps this machine's own limits (its settings), as on one machine.
 *
 * What changes for a laned resource:
 *  - its slot is taken in the database, which a synchronous call cannot do: `tryAcquire` answers
 *    null, so such a step does not start with its claim (rule 1 of "Claim in commit"): the runner
 *    then waits in `acquire`, at the cost of one more commit per step of a provider — whose call
 *    takes seconds anyway;
 *  - `saturated` (the resources the claim leaves aside) is read from what this worker last heard
 *    of the farm: its own takes and releases, every release elsewhere (a wake-up names its lane)
 *    and a refresh every `refreshMs`. Stale, it only lets a claim take a job whose step then
 *    waits for its slot: the limit itself is held by the take, in the database;
 *  - a waiter asks again when a slot of its lane is released anywhere, when the spacing has
 *    passed, or when the soonest lease of a full lane could run out (a killed holder frees its
 *    slot then, with nobody to say so) — at most `refreshMs` apart.
 * Waiters on different machines are not served in arrival order: whoever asks first after a
 * release wins, as with a provider's own rate limit.
 */
import type { ResourceStatus } from '../../../shared/types'
import { sleep, type ResourceLimit, type SlotFor, type StepLimiter } from '../pool/resource-limiter'
import type { FarmLaneUsage, SlotHolder, TakeOutcome } from '../store/postgres/resource-lanes'

/** What the limiter needs of the farm's database (resource-lanes.ts, bound to the worker's connections). */
export interface FarmLanes {
  usage(): Promise<FarmLaneUsage[]>
  take(resource: string, holder: SlotHolder): Promise<TakeOutcome>
  release(resource: string, slotId: number): Promise<void>
}

/** This machine's limits, for the resources the farm has no lane for. */
export type LocalLimiter = StepLimiter

export interface FarmLimiterOptions {
  local: LocalLimiter
  lanes: FarmLanes
  /** This worker's id, stored with its slots. */
  workerId: string
  /** The longest a waiter or the view of the farm goes without asking the database. */
  refreshMs: number
  log: (line: string) => void
}

export class FarmLimiter implements StepLimiter {
  /** The farm's lanes and their live slots, as last read (see refresh). */
  private lanes = new Map<string, FarmLaneUsage>()
  /** Steps of this worker waiting in acquire, by lane. */
  private readonly waiting = new Map<string, number>()
  /** Waiters to wake when a lane's slot is released or the limits change. */
  private readonly wakers = new Set<() => void>()
  private timer: NodeJS.Timeout | null = null
  private refreshing: Promise<void> | null = null
  private refreshAgain = false

  constructor(private readonly o: FarmLimiterOptions) {}

  /** Reads the farm's lanes, then keeps reading them every refreshMs until stop. */
  async start(): Promise<void> {
    await this.refresh()
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.o.refreshMs)
    this.timer.unref?.()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.wakeWaiters()
  }

  /**
   * A wake-up of the farm's channel: a lane's slot released, or the limits changed. Resolves once
   * the view is read again (the pool's claim should wait for it, or it may leave the lane aside).
   */
  async heard(): Promise<void> {
    try {
      await this.refresh()
    } catch {
      // The periodic refresh tries again.
    }
    this.wakeWaiters()
  }

  /**
   * The read under way, if any: a claim woken meanwhile waits for it (a wake-up about new jobs may
   * come right behind the one saying the limits changed, and must not claim with the old ones).
   */
  pending(): Promise<void> | null {
    return this.refreshing
  }

  /** One read at a time; a call during a read gets another read after it. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true
      return this.refreshing
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false
          const usage = await this.o.lanes.usage()
          this.lanes = new Map(usage.map((u) => [u.resource, u]))
        } while (this.refreshAgain)
      } finally {
        this.refreshing = null
      }
    })()
    return this.refreshing
  }

  private wakeWaiters(): void {
    for (const wake of [...this.wakers]) wake()
  }

  /** Laned resources are full farm-wide (or would be with this worker's waiters); others as this machine says. */
  saturated(): string[] {
    const out = this.o.local.saturated().filter((r) => !this.lanes.has(r))
    for (const lane of this.lanes.values()) {
      if (lane.running + (this.waiting.get(lane.resource) ?? 0) >= lane.concurrency) out.push(lane.resource)
    }
    return out
  }

  tryAcquire(resource: string): (() => void) | null {
    return this.lanes.has(resource) ? null : this.o.local.tryAcquire(resource)
  }

  async acquire(resource: string, signal?: AbortSignal, slotFor?: SlotFor): Promise<() => void> {
    const holder = slotFor && this.lanes.has(resource) ? this.holderOf(slotFor) : null
    if (!holder) return this.o.local.acquire(resource, signal, slotFor)
    this.waiting.set(resource, (this.waiting.get(resource) ?? 0) + 1)
    try {
      for (;;) {
        signal?.throwIfAborted()
        let outcome: TakeOutcome
        try {
          outcome = await this.o.lanes.take(resource, holder)
        } catch (err) {
          // The database is unreachable a moment: the step waits (its lease tells if it is lost).
          this.o.log(`could not take a farm slot of ${resource} (${(err as Error).message}); trying again`)
          await this.waitForTurn(this.o.refreshMs, signal)
          continue
        }
        if (outcome.taken) return this.releaser(resource, outcome.slotId)
        if (outcome.why === 'lost') {
          // Its renewal is about to stop the job (LeaseLostError): wait for that, asking now and then.
          await this.waitForTurn(this.o.refreshMs, signal, false)
          continue
        }
        if (outcome.why === 'no-lane') {
          await this.refresh().catch(() => undefined)
          return this.o.local.acquire(resource, signal, slotFor)
        }
        await this.waitForTurn(Math.min(outcome.retryInMs, this.o.refreshMs), signal, outcome.why === 'full')
      }
    } finally {
      this.waiting.set(resource, (this.waiting.get(resource) ?? 1) - 1)
    }
  }

  /** The farm's fields of the job's lease (a farm worker's leases are PgLease, which carry the fence). */
  private holderOf(slotFor: SlotFor): SlotHolder | null {
    const fence = (slotFor.lease as { fence?: unknown }).fence
    if (typeof fence !== 'number') return null
    return { jobId: slotFor.lease.jobId, fence, token: slotFor.lease.token, stepIndex: slotFor.stepIndex, workerId: this.o.workerId }
  }

  /** Sleep `ms`, or less when a release (or a change of limits) is heard and `wakeable`. */
  private async waitForTurn(ms: number, signal: AbortSignal | undefined, wakeable = true): Promise<void> {
    if (!wakeable) return sleep(ms, signal)
    const woken = new AbortController()
    const wake = () => woken.abort()
    this.wakers.add(wake)
    const both = signal ? AbortSignal.any([signal, woken.signal]) : woken.signal
    try {
      await sleep(ms, both)
    } catch (err) {
      if (signal?.aborted) throw err
    } finally {
      this.wakers.delete(wake)
    }
  }

  private releaser(resource: string, slotId: number): () => void {
    const lane = this.lanes.get(resource)
    if (lane) lane.running++
    let released = false
    return () => {
      if (released) return
      released = true
      const now = this.lanes.get(resource)
      if (now) now.running = Math.max(0, now.running - 1)
      // Lost, the slot still stops counting when the step completes or the lease runs out.
      this.o.lanes.release(resource, slotId).catch((err: Error) => this.o.log(`could not free a farm slot of ${resource} (${err.message}); it frees itself with the step`))
    }
  }

  setLimits(limits: Record<string, ResourceLimit>): void {
    this.o.local.setLimits(limits)
  }

  /** This machine's lanes, with the farm's in place of those it has a lane for (running: farm-wide). */
  status(): ResourceStatus[] {
    const local = this.o.local.status().filter((s) => !this.lanes.has(s.resource))
    const farm = [...this.lanes.values()].map((l) => ({ resource: l.resource, running: l.running, concurrency: l.concurrency, minIntervalMs: l.minIntervalMs }))
    return [...local, ...farm].sort((a, b) => a.resource.localeCompare(b.resource))
  }

  /** Whether `resource` is limited farm-wide, as last read. */
  isLaned(resource: string): boolean {
    return this.lanes.has(resource)
  }
}
