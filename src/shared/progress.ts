/**
 * What "how far is this job" means, once, for the engine (what it stores and pushes), the
 * renderer (the step bar, the percentage) and the CLI (its table and progress bars).
 *
 * A job's progress counts its steps: every step is one equal share, the step it is at adds the
 * part it reports. The step bar draws one segment per step, so a bar with 4.3 of 5 segments
 * filled reads 86 %, whatever each step is expected to last — time belongs to the ETA, which
 * has its own estimates. (Weighing steps by time made the percentage disagree with the bar and
 * with the figure a retry stored.) Pure: no Node, no DOM.
 */

const clamp = (x: number, lo: number, hi: number) => (Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo)

/** The job's progress (0-100, one decimal) at `stepPercent` of step `stepIndex` (0-based) of `stepCount`. */
export function jobProgress(stepCount: number, stepIndex: number, stepPercent: number): number {
  const n = Math.max(1, Math.floor(stepCount))
  const i = clamp(Math.floor(stepIndex), 0, n)
  const part = i >= n ? 0 : clamp(stepPercent, 0, 100) / 100
  return Math.round(((i + part) / n) * 1000) / 10
}

/** The job's progress once `done` of its `stepCount` steps are finished (a retry keeps them). */
export function progressOfDoneSteps(stepCount: number, done: number): number {
  return jobProgress(stepCount, done, 0)
}

/**
 * The progress of one run of one step, as the engine reports it: never lower than what it already
 * reported in that run (a step whose tool restarts its own count does not make the bar go back),
 * nor than what the job showed before this run of the step (`before`: a step given back half-way
 * and started again keeps its figure until it gets past it), within the step's own share.
 */
export function stepProgressReporter(stepCount: number, stepIndex: number, before = 0): (stepPercent: number) => number {
  let shown = clamp(before, jobProgress(stepCount, stepIndex, 0), jobProgress(stepCount, stepIndex + 1, 0))
  return (stepPercent) => (shown = Math.max(shown, jobProgress(stepCount, stepIndex, stepPercent)))
}

/** How much of each of the `stepCount` segments is filled (0-1) at `progress` percent. */
export function segmentFills(stepCount: number, progress: number): number[] {
  const n = Math.max(1, Math.floor(stepCount))
  const done = (clamp(progress, 0, 100) / 100) * n
  return Array.from({ length: n }, (_, i) => Math.round(clamp(done - i, 0, 1) * 1000) / 1000)
}

/**
 * The percentage as text: rounded down, so "100%" means finished and an unfinished job at 99.6
 * does not claim it.
 */
export function percentText(progress: number): string {
  return `${Math.floor(clamp(progress, 0, 100))}%`
}

/**
 * The figure to show for a job: its stored progress, or the live one a step reports, whichever is
 * further. A step's last live tick can arrive before its checkpoint (which stores the step as
 * whole) or be older than it: the bar never steps back between the two.
 */
export function shownProgress(stored: number, live: number | undefined): number {
  return live === undefined ? stored : Math.max(stored, live)
}
