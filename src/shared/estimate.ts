/** What a batch would take before it is queued (batch/estimate, `studio batch … --estimate`). No Node, no DOM. */
export interface BatchEstimate {
  pipeline: string
  /** Rows that would be queued (the config's row range, refused rows left out). */
  rows: number
  /** Rows the import would refuse (a missing main field, a ragged CSV row…). */
  refused: number
  /** Sum of every step's expected duration. */
  workMs: number
  /** Expected wall-clock time with the pool's concurrency. */
  wallClockMs: number
  costUsd: number
  /** False when a paid step's model has no price: costUsd is then a lower bound. */
  costKnown: boolean
}
