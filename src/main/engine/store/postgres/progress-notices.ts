/**
 * A worker's announcements of its jobs' progress, for the windows open on the farm. The database
 * announces a job's status changes itself (migration 6); progress and step changes are far more
 * frequent (every progress save, ten a second per job), so the worker, which knows when it last
 * spoke, announces them instead: the jobs whose progress or step it wrote since its last notice,
 * named together, at most once every PROGRESS_NOTICE_MS — whatever the number of jobs it runs, so
 * at most one notice per job per second — and only while a window is open (windows.ts), tested by
 * the statement that sends them. A window reads the named jobs' rows (job-relay.ts), so a notice
 * carries no values and the window always shows the job as it is now.
 *
 * Nothing here runs for a job that reports no progress (a no-op, the claim path): the first note
 * starts a timer, and the timer's one statement is the whole cost.
 */
import type pg from 'pg'
import { FARM_JOBS_CHANNEL, FARM_PROGRESS_ORIGIN } from './job-events'
import { notifyWhileWindowOpen } from './windows'

/** At most one progress notice from a worker this often: a window's bar moves about once a second. */
export const PROGRESS_NOTICE_MS = 1_000

/** A payload stays well under PostgreSQL's 8000 bytes: more jobs go in further notices of the same statement. */
const MAX_PAYLOAD = 7_000

export class ProgressNotices {
  private readonly pending = new Set<string>()
  private timer: NodeJS.Timeout | null = null
  private lastSent = Number.NEGATIVE_INFINITY

  constructor(
    private readonly pool: pg.Pool,
    private readonly everyMs = PROGRESS_NOTICE_MS,
    private readonly now: () => number = Date.now
  ) {}

  /** The job's progress or step changed: it is named in the next notice (at once if none went out within everyMs). */
  note(jobId: string): void {
    this.pending.add(jobId)
    if (this.timer) return
    this.timer = setTimeout(() => void this.send(), Math.max(0, this.lastSent + this.everyMs - this.now()))
    this.timer.unref?.()
  }

  private async send(): Promise<void> {
    this.timer = null
    const ids = [...this.pending]
    this.pending.clear()
    this.lastSent = this.now()
    // A store whose connections are closing (its worker stopped) has nothing more to say.
    if (ids.length === 0 || (this.pool as { ending?: boolean }).ending) return
    try {
      await notifyWhileWindowOpen(this.pool, FARM_JOBS_CHANNEL, progressPayloads(ids))
    } catch {
      // A lost notice only delays the bar: the job's next progress, or its end, is announced.
    }
  }
}

/** The notices naming these jobs, each payload within MAX_PAYLOAD. */
export function progressPayloads(ids: readonly string[]): string[] {
  const payloads: string[] = []
  let chunk: string[] = []
  let size = 0
  const flush = () => {
    if (chunk.length) payloads.push(JSON.stringify({ origin: FARM_PROGRESS_ORIGIN, changed: chunk }))
    chunk = []
    size = 0
  }
  for (const id of ids) {
    const bytes = Buffer.byteLength(JSON.stringify(id)) + 1
    if (size + bytes > MAX_PAYLOAD - 64) flush()
    chunk.push(id)
    size += bytes
  }
  flush()
  return payloads
}
