import { open } from 'node:fs/promises'

/**
 * Flushes a WAL database's journal to the disk off the engine's thread.
 *
 * With synchronous=FULL SQLite fsyncs the WAL inside COMMIT, and the thread that commits (the
 * desktop app's main process, or `studio serve`'s only one) waits for the disk: a few hundred
 * microseconds on an SSD, tens of milliseconds on a spinning or network drive, for every paid
 * step. A commit made at synchronous=NORMAL is already written to the WAL (crash-safe, kill -9
 * safe); flushing that file afterwards, in libuv's thread pool, makes it power-cut safe exactly
 * as FULL would, while the thread goes on with other jobs. What must not go on before the commit
 * is on disk awaits `flush()`.
 *
 * Flushes coalesce: commits made while one flush runs share the next, so many checkpoints that
 * finish close together cost one fsync, not one each (a group commit across transactions).
 *
 * Why flushing the WAL file suffices: a commit is its frames plus the commit frame, all in that
 * file (the header written at a WAL restart too, before them). fdatasync covers everything written
 * to the file before it was called, from any descriptor. A checkpoint that moves those frames into
 * the database file first syncs the WAL and then the database (synchronous=NORMAL does both), and
 * the WAL is only overwritten after such a checkpoint; a WAL deleted at close was checkpointed
 * that way too, so a missing file means there is nothing left to flush.
 */
export class WalFlusher {
  private running: Promise<boolean> | null = null
  private next: Promise<boolean> | null = null
  /** Flushes asked of the disk so far: fewer than the commits that waited for them (bench, tests). */
  fsyncs = 0

  constructor(
    readonly walPath: string,
    private readonly onError: (err: Error) => void = (err) =>
      console.error(`could not flush the database journal to the disk (${walPath}): ${err.message}`)
  ) {}

  /**
   * Resolves once everything committed before this call is on disk: true, or false when the disk
   * failed (reported to onError). Never rejects.
   */
  flush(): Promise<boolean> {
    if (!this.running) {
      this.running = this.flushOnce().finally(() => {
        this.running = null
      })
      return this.running
    }
    // The flush under way may have started before this commit was written: the next one covers
    // it, and every commit made until that one starts.
    if (!this.next) {
      const again = () => {
        this.next = null
        return this.flush()
      }
      this.next = this.running.then(again, again)
    }
    return this.next
  }

  /** The flush under way and the one queued after it, if any: what close() must let end first. */
  idle(): Promise<void> {
    return Promise.all([this.running, this.next]).then(() => undefined)
  }

  private async flushOnce(): Promise<boolean> {
    let handle
    try {
      handle = await open(this.walPath, 'r+')
      this.fsyncs++
      await handle.datasync()
      return true
    } catch (err) {
      // A missing journal was checkpointed into the database and synced (see above). Any other
      // failure is the disk's: the commit stands in the database, whether it reached the platter
      // is not known. Say so; failing the step would only run it (and pay for it) again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true
      this.onError(err as Error)
      return false
    } finally {
      await handle?.close().catch(() => {})
    }
  }
}
