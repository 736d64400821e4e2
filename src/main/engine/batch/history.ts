import type { BatchView } from '../../../shared/types'
import type { BatchReports } from '../store/batch-reports'

/** Buckets after the start point: plenty for the dashboard's 160 px sparklines, and a small event. */
export const HISTORY_BUCKETS = 60

/** When the batch's first and last finished rows finished (null: none yet). */
export interface FinishedSpan {
  first: number | null
  last: number | null
}

/**
 * The batch's progress over time, rebuilt from its jobs' completion times so the dashboard's
 * charts have a past after a reload or when a batch is opened mid-run (live events only know the
 * present). Cumulative rows done and failed, and cost, at the start (zeros) and at the end of each of
 * at most HISTORY_BUCKETS equal buckets (whole seconds) up to the last finished row. Two aggregate
 * queries over the batch's rows, like the view's other metrics; nothing is stored.
 *
 * Cost counts every finished job (cancelled ones spent too), as the view's costUsd does; rows
 * whose job was deleted have no completion time and are not in it.
 */
export function batchHistory(reports: BatchReports, batchId: string, startedAt: number | null, span: FinishedSpan = reports.finishedSpan(batchId)): BatchView['history'] {
  const frame = historyFrame(startedAt, span)
  if (!frame || span.last === null) return []
  const { origin, width } = frame
  // Bucket i ≥ 1 holds what finished in (origin + (i-1)·width, origin + i·width], bucket 1 the
  // start itself too: point 0 is always "nothing yet", so even a one-bucket history draws a line.
  const buckets = reports.historyBuckets(batchId, origin, width)
  const byBucket = new Map(buckets.map((b) => [b.bucket, b]))
  const count = Math.max(1, Math.ceil((span.last - origin) / width))
  const points: BatchView['history'] = []
  let done = 0
  let failed = 0
  let costUsd = 0
  for (let i = 0; i <= count; i++) {
    const b = byBucket.get(i)
    if (b) {
      done += b.done
      failed += b.failed
      costUsd += b.costUsd
    }
    points.push({ t: Math.min(origin + i * width, span.last), done, failed, costUsd })
  }
  return points
}

/** Where the history starts and how wide its buckets are (null: nothing finished yet). */
export function historyFrame(startedAt: number | null, span: FinishedSpan): { origin: number; width: number } | null {
  if (span.first === null || span.last === null) return null
  // A stopped-then-retried batch restarts later than its first rows finished: start at those.
  const origin = startedAt !== null && startedAt <= span.first ? startedAt : span.first
  const width = Math.max(1, Math.ceil((span.last - origin) / HISTORY_BUCKETS / 1000)) * 1000
  return { origin, width }
}
