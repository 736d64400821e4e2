/**
 * The first-step starts a claim planned, waiting for the lease store's next round trip (see
 * "One round trip per job" in leases.ts). What it holds is the store's business; this only keeps
 * the order of things:
 *  - a start waits here at most `delayMs`, then goes in a round trip of its own (`sendAlone`): a
 *    step that takes longer than that shows as running, its attempt counted, while it runs;
 *  - a round trip takes every start waiting (`take`), and gives them back if it failed;
 *  - a round trip carrying starts is tracked until it settles, and every later write waits for it
 *    (`settled`), so that nothing of a job's run — its checkpoint, its progress, its log lines —
 *    can land before its start, whatever connection each goes by.
 */
export class StartQueue<T> {
  private waiting: T[] = []
  private timer: NodeJS.Timeout | null = null
  private readonly inFlight = new Set<Promise<unknown>>()

  constructor(
    private readonly delayMs: number,
    private readonly sendAlone: () => void
  ) {}

  get size(): number {
    return this.waiting.length
  }

  add(item: T): void {
    this.waiting.push(item)
    this.arm()
  }

  /** Every start waiting, to go in the round trip about to be sent. */
  take(): T[] {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const taken = this.waiting
    this.waiting = []
    return taken
  }

  /** The starts of a round trip that failed (rolled back): they go with the next one. */
  giveBack(items: readonly T[]): void {
    if (items.length === 0) return
    this.waiting.unshift(...items)
  }

  /** Drop the starts `drop` names (their claim was undone). */
  discard(drop: (item: T) => boolean): void {
    this.waiting = this.waiting.filter((item) => !drop(item))
  }

  /** A round trip carrying starts: later writes wait for it (see settled). */
  track<R>(trip: Promise<R>): Promise<R> {
    const settled = trip.then(
      () => undefined,
      () => undefined
    )
    this.inFlight.add(settled)
    void settled.then(() => this.inFlight.delete(settled))
    return trip
  }

  /** Resolves once every round trip carrying starts, sent so far, has settled; null when none is in flight. */
  settled(): Promise<unknown> | null {
    return this.inFlight.size ? Promise.all(this.inFlight) : null
  }

  private arm(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.sendAlone()
    }, this.delayMs)
    this.timer.unref?.()
  }
}
