/** The pool's clock: leases, polling, reclaiming, progress. Its own module so that the runner needs no import of the pool. */
export interface PoolTimings {
  /** Lease length; renewed every third of it while a step runs. */
  leaseMs: number
  /** Fallback polling (jobs enqueued by another process, timers). */
  pollMs: number
  /** How often expired leases are looked for. */
  reclaimEveryMs: number
  /** Progress events and writes per job at most every this many ms (~10/s). */
  progressIntervalMs: number
}

export const DEFAULT_TIMINGS: PoolTimings = { leaseMs: 30_000, pollMs: 1_000, reclaimEveryMs: 5_000, progressIntervalMs: 100 }
