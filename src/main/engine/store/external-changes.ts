import type { EventBus } from '../events'
import { prep } from './database'
import { readRows } from './row-reader'
import type { SqliteJobStore as Queue } from './jobs'
import { JOB_ROW, type JobRow } from './rows'

/** How far back a look reaches before the previous one: a write's updated_at is taken before its commit. */
const OVERLAP_MS = 2_000
/** An outside process running jobs flat out changes thousands a second: the latest are enough. */
const MAX_ROWS = 2_000
/** A cleanup elsewhere deletes jobs by the thousand; each is a small event, the list drops them all. */
const MAX_REMOVED = 20_000

/**
 * Another process commits to the same database — the CLI next to the app, a second `studio run`:
 * its changes reach this engine as the events its own changes make, so an open window, the pool
 * (an outside cancel stops the step at once, an outside job is claimed at once) and running
 * batches follow them live. SQLite's data_version moves only when another connection commits, so
 * a quiet database costs one pragma per look. A job deleted elsewhere is known by the note its
 * deletion leaves (table removed_jobs, schema 11).
 */
export class ExternalChanges {
  private timer: NodeJS.Timeout | null = null
  private version = 0
  private lastLook = 0
  private paused = false
  private readonly listeners = new Set<(since: number) => void>()

  constructor(
    private readonly queue: Queue,
    private readonly events: EventBus,
    private readonly everyMs = 500,
    private readonly now: () => number = Date.now
  ) {}

  private get db() {
    return this.queue.db
  }

  /** Also told, with the time from which rows may have changed (the batch manager's rows). */
  onChange(listener: (since: number) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  start(): void {
    if (this.timer) return
    this.version = this.dataVersion()
    this.lastLook = this.now()
    this.paused = this.queue.isPaused()
    this.timer = setInterval(() => this.look(), this.everyMs)
    this.timer.unref?.()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** One look: nothing to do unless another connection committed since the last one. */
  look(): void {
    if (!this.db.open) return
    const version = this.dataVersion()
    if (version === this.version) return
    this.version = version
    const since = this.lastLook - OVERLAP_MS
    this.lastLook = this.now()
    const rows = readRows<[number, number], JobRow>(this.db, 'SELECT * FROM jobs WHERE updated_at >= ? ORDER BY updated_at DESC LIMIT ?', JOB_ROW).all(
      since,
      MAX_ROWS
    )
    for (const row of rows.reverse()) this.queue.emitRow(row)
    // Deleted since: announced as this engine's own deletions are. One deleted here within the
    // overlap is announced again, which changes nothing for anyone listening.
    const removed = prep<[number, number], { id: string }>(this.db, 'SELECT id FROM removed_jobs WHERE removed_at >= ? ORDER BY removed_at LIMIT ?').all(
      since,
      MAX_REMOVED
    )
    for (const { id } of removed) this.events.emit({ type: 'job.removed', jobId: id })
    const paused = this.queue.isPaused()
    if (paused !== this.paused) {
      this.paused = paused
      this.events.emit({ type: 'queue.changed', paused })
    }
    for (const listener of this.listeners) listener(since)
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number
  }
}
