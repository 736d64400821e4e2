/**
 * Spend caps on a farm: this worker's caps (its own settings, budget.ts) held against what the
 * whole farm spent — every worker's finished steps (PgProviderCalls.spentSince) — since the money
 * is the user's whoever spends it. The pool asks before each paid step and its hook is synchronous,
 * so the answer comes from the farm's spend per (window start, cap's provider) as last read; a
 * read is asked for at start (awaited), after each paid step this worker finishes (the lease
 * store's job.changed shows the job's cost risen), on the worker's safety sweep, and when a window
 * turns (a key not read yet).
 *
 * A paid step this worker finishes counts here at once, from its checkpoint's request (before the
 * group commit that may claim the next job with it, see store/group-commit.ts), until a read made
 * after its commit includes it. Another worker's steps count from this worker's next read. The
 * bound: once the farm reaches a cap, what it may still spend is the steps already running then,
 * plus the steps another worker starts before its next read shows it — a read follows each paid
 * step it finishes (one query) and each sweep, so at most a sweep period after the cap is reached,
 * and in practice its concurrency: those it starts with the claims its own checkpoints make.
 * Each worker counts days and months in its own local time.
 *
 * A read that shows a provider held here back under its caps (a new day, a cap raised by the
 * worker's settings) releases the jobs waiting on it (leases.releaseWaiting), as
 * Studio.applyPoolSettings does; those still over wait again.
 */
import type { JobView } from '../../../shared/types'
import { budgetHold, hasCaps, periodBounds, type BudgetSettings } from '../pool/budget'
import type { Lease, StepSuccess } from '../store/leases'
import { PgLeaseStore, type PgLeaseStoreOptions } from '../store/postgres/leases'

export interface FarmBudgetOptions {
  /** USD the farm's finished steps cost since `since`, only `provider`'s when given. */
  spentSince(since: number, provider?: string): Promise<number>
  /** This worker's caps (its local settings). */
  settings(): BudgetSettings
  /** The configured providers that charge (budget.ts paidProviders). */
  paid(): string[]
  releaseWaiting(provider: string): Promise<number>
  log(line: string): void
  now?: () => number
}

type Hold = { reason: string; until: number } | null

/** A paid step this worker finished, counted until a read made after its commit includes it. */
interface LocalSpend {
  jobId: string
  provider: string
  usd: number
  at: number
  /** When its commit was announced (job.changed); null until then. */
  committedAt: number | null
}

/** A commit never announced (its lease was lost) stops counting after this. */
const UNCOMMITTED_MS = 60_000

const keyOf = (start: number, provider: string | null) => `${start}|${provider ?? ''}`

export class FarmBudget {
  /** Spend as last read, by keyOf(window start, cap's provider or null for overall). */
  private spent = new Map<string, number>()
  private local: LocalSpend[] = []
  /** Providers this worker answered "wait" for: released when a read shows them under their caps. */
  private readonly held = new Set<string>()
  private reading: Promise<void> | null = null
  private again = false
  private failing = false
  private readonly now: () => number

  constructor(private readonly o: FarmBudgetOptions) {
    this.now = o.now ?? Date.now
  }

  /** The pool's budget hook: whether a paid step of `provider` must wait, from the spend last read. */
  hold(provider: string): Hold {
    const budget = this.o.settings()
    if (!hasCaps(budget) || !this.o.paid().includes(provider)) return null
    let missing = false
    const hold = budgetHold(
      provider,
      budget,
      (since, key) => {
        const read = this.readAt(since, key ?? null)
        if (read.missing) missing = true
        return read.usd
      },
      this.now()
    )
    if (missing) void this.refresh()
    if (hold) this.held.add(provider)
    return hold
  }

  /** A step's checkpoint is requested (BudgetedLeaseStore): its cost counts from now. */
  noteStep(jobId: string, success: StepSuccess): void {
    if (!success.costUsd || !success.provider) return
    this.local.push({ jobId, provider: success.provider, usd: success.costUsd, at: this.now(), committedAt: null })
  }

  /** A job this worker runs changed (the lease store's job.changed, after its commit): its steps' spend is on the farm. */
  noteJob(job: JobView): void {
    let committed = false
    for (const l of this.local) {
      if (l.jobId !== job.id || l.committedAt !== null) continue
      l.committedAt = this.now()
      committed = true
    }
    if (committed) void this.refresh()
  }

  /** Read the farm's spend for every cap set; one read at a time, a request during one makes one more. */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true
      return this.reading
    }
    this.reading = (async () => {
      do {
        this.again = false
        await this.read()
      } while (this.again)
    })().finally(() => {
      this.reading = null
    })
    return this.reading
  }

  private async read(): Promise<void> {
    const budget = this.o.settings()
    if (!hasCaps(budget)) {
      this.spent.clear()
      this.local = []
      return
    }
    const startedAt = this.now()
    const keys: Array<{ start: number; provider: string | null }> = []
    for (const period of ['day', 'month'] as const) {
      const { start } = periodBounds(period, startedAt)
      const capOf = (c: { dailyUsd?: number | null | undefined; monthlyUsd?: number | null | undefined }) => (period === 'day' ? c.dailyUsd : c.monthlyUsd)
      if (capOf(budget) != null) keys.push({ start, provider: null })
      for (const [provider, caps] of Object.entries(budget.providers)) if (capOf(caps) != null) keys.push({ start, provider })
    }
    let values: number[]
    try {
      values = await Promise.all(keys.map((k) => this.o.spentSince(k.start, k.provider ?? undefined)))
    } catch (err) {
      // Said once while it lasts; the spend last read keeps answering meanwhile.
      if (!this.failing) this.o.log(`could not read the farm's spend for the spend caps (${(err as Error).message}); using the last one read`)
      this.failing = true
      return
    }
    if (this.failing) this.o.log("the farm's spend is read again for the spend caps")
    this.failing = false
    this.spent = new Map(keys.map((k, i) => [keyOf(k.start, k.provider), values[i]!]))
    // Committed before this read began: the read includes them. Those committed since may or may
    // not be in it: kept (counted twice at worst, which only holds early) and read once more.
    this.local = this.local.filter((l) => (l.committedAt === null ? startedAt - l.at < UNCOMMITTED_MS : l.committedAt >= startedAt))
    if (this.local.some((l) => l.committedAt !== null)) this.again = true
    for (const provider of [...this.held]) {
      if (this.hold(provider) !== null) continue
      this.held.delete(provider)
      await this.o.releaseWaiting(provider).catch((err: Error) => this.o.log(`could not release the jobs waiting on ${provider}'s spend cap (${err.message})`))
    }
  }

  /**
   * Spend since a window's start: as last read, plus this worker's steps since. A window not read
   * yet (the day turned) answers with the latest earlier window of the same cap — at least as
   * much, so it holds rather than overspends — until the read it asks for.
   */
  private readAt(since: number, provider: string | null): { usd: number; missing: boolean } {
    let usd = this.spent.get(keyOf(since, provider))
    const missing = usd === undefined
    if (usd === undefined) {
      let best = -Infinity
      for (const [key, value] of this.spent) {
        const bar = key.indexOf('|')
        if (key.slice(bar + 1) !== (provider ?? '')) continue
        const start = Number(key.slice(0, bar))
        if (start < since && start > best) {
          best = start
          usd = value
        }
      }
    }
    let total = usd ?? 0
    for (const l of this.local) if (l.at >= since && (provider === null || covers(provider, l.provider))) total += l.usd
    return { usd: total, missing }
  }
}

const covers = (key: string, provider: string) => provider === key || provider.startsWith(`${key}:`)

/**
 * The farm's lease store, telling the budget of each paid step as its checkpoint is requested:
 * the claim made in the same commit (store/group-commit.ts) already asks the budget.
 */
export class BudgetedLeaseStore extends PgLeaseStore {
  constructor(
    o: PgLeaseStoreOptions,
    private readonly budget: FarmBudget
  ) {
    super(o)
  }

  override completeStep(lease: Lease, step: Parameters<PgLeaseStore['completeStep']>[1], success: StepSuccess, next: Parameters<PgLeaseStore['completeStep']>[3]): ReturnType<PgLeaseStore['completeStep']> {
    this.budget.noteStep(lease.jobId, success)
    return super.completeStep(lease, step, success, next)
  }
}
