/**
 * A farm worker's safety sweep, in the place the pool gives to what other processes change
 * (SQLite's ExternalChanges): every `everyMs` it re-reads the queue's pause, in case the notice
 * was lost with a dropped connection (a change is announced as the notice would have: a resume
 * makes the pool claim). Looking for work on the same beat is the pool's own fallback poll (its
 * pollMs is this sweep's period). LISTEN/NOTIFY does the real work; this only bounds how long a
 * lost notification can be missed.
 */
import type { ExternalWatch } from '../pool/pool'
import type { FarmQueueFlag } from './worker-queue'

export interface FarmSweepOptions {
  everyMs: number
  flag: FarmQueueFlag
  log: (line: string) => void
}

export class FarmSweep implements ExternalWatch {
  private timer: NodeJS.Timeout | null = null
  private failing = false
  private readonly listeners = new Set<(since: number) => void>()

  constructor(private readonly o: FarmSweepOptions) {}

  /** Told after each sweep, with the time from which things may have changed. */
  onChange(listener: (since: number) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  start(): void {
    if (this.timer) return
    let last = Date.now()
    this.timer = setInterval(() => {
      const since = last
      last = Date.now()
      this.o.flag.refresh().then(
        () => {
          if (this.failing) this.o.log("the farm's database answers again")
          this.failing = false
          for (const listener of this.listeners) listener(since)
        },
        (err: Error) => {
          // Said once while the database stays out of reach, not at every sweep.
          if (!this.failing) this.o.log(`the farm's database does not answer (${err.message}); trying again every ${Math.round(this.o.everyMs / 1000)} s`)
          this.failing = true
        }
      )
    }, this.o.everyMs)
    this.timer.unref?.()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }
}
