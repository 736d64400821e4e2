/**
 * The farm queue's paused flag as a farm worker sees it. The pool asks for it at every tick and
 * between steps, synchronously; asking PostgreSQL each time would cost a round trip per claim. So
 * it is read once at start, then kept current by the farm's notices (job-relay.ts turns another
 * machine's pause or resume into a queue.changed event), and read again at each safety sweep in
 * case a notice was lost with a dropped connection.
 */
import type pg from 'pg'
import type { EventBus } from '../events'
import type { PausedFlag } from '../pool/pool'
import { queuePaused } from '../store/postgres/job-reads'

export class FarmQueueFlag implements PausedFlag {
  private paused = false
  private unsubscribe: (() => void) | null = null

  constructor(
    private readonly pool: pg.Pool,
    private readonly events: EventBus
  ) {}

  isPaused(): boolean {
    return this.paused
  }

  /** Read the flag, then follow the notices. */
  async start(): Promise<void> {
    this.unsubscribe ??= this.events.on('queue.changed', (e) => {
      this.paused = e.paused
    })
    await this.refresh()
  }

  /**
   * Read the flag from the database; a change a lost notice did not bring is announced as the
   * notice would have (the pool then claims again on a resume).
   */
  async refresh(): Promise<void> {
    const paused = await queuePaused(this.pool)
    if (paused !== this.paused) this.events.emit({ type: 'queue.changed', paused })
    this.paused = paused
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
  }
}
