/** What a batch would take before it is queued (batch/estimate, `studio batch … --estimate`). No Node, no DOM. */
export interface BatchEstimate {
  pipeline: string
  /** Rows that would be queued (the config's row range, refused rows left out). */
  rows: number
  /** Rows the import would refuse (a missing main field, a ragged CSV row…). */
  refused: number
  /** Sum of every step's expected duration. */
  workMs: number
  /**
   * Expected wall-clock time with the pool's concurrency (on a farm: its live workers' slots);
   * null when it cannot be known, `timeUnknown` saying why.
   */
  wallClockMs: number | null
  /** Why wallClockMs is null: no worker is running on the farm (so nothing would run). Null otherwise. */
  timeUnknown: 'no-live-workers' | null
  costUsd: number
  /** False when a paid step's model has no price: costUsd is then a lower bound. */
  costKnown: boolean
}
