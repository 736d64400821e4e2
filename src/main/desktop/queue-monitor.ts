/**
 * A view of the queue for the OS surfaces (taskbar progress, tray, dock badge), made from the
 * `queue.summary` events the engine's process pushes (it folds them to at most one a second):
 * main never queries the database. While work is under way the snapshot is refreshed every
 * `tickMs` too, since the taskbar's share of the busy period moves with time.
 */
import type { QueueEta, QueueStats } from '../../shared/types'
import type { EventSource } from './push'

export interface QueueSnapshot {
  stats: QueueStats
  eta: QueueEta
  /** Jobs pending or processing. */
  active: number
  /** When the current busy period began (first job queued after idle); null when idle. */
  busySince: number | null
  at: number
}

export class QueueMonitor {
  private readonly listeners = new Set<(snapshot: QueueSnapshot) => void>()
  private busySince: number | null = null
  private last: QueueSnapshot | null = null
  private figures: { stats: QueueStats; eta: QueueEta } | null = null
  private ticker: NodeJS.Timeout | null = null
  private unsubscribe: (() => void) | null = null

  constructor(
    private readonly events: EventSource,
    private readonly options: { tickMs?: number; now?: () => number } = {}
  ) {}

  start(): void {
    if (this.unsubscribe) return
    this.unsubscribe = this.events.subscribe((event) => {
      if (event.type === 'queue.summary') this.seed(event.stats, event.eta)
    })
    this.refresh()
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
    if (this.ticker) clearInterval(this.ticker)
    this.ticker = null
  }

  /** New figures (a summary, or the first answer at start): recompute and tell every listener. */
  seed(stats: QueueStats, eta: QueueEta): QueueSnapshot | null {
    this.figures = { stats, eta }
    return this.refresh()
  }

  onSnapshot(listener: (snapshot: QueueSnapshot) => void): () => void {
    this.listeners.add(listener)
    if (this.last) listener(this.last)
    return () => this.listeners.delete(listener)
  }

  current(): QueueSnapshot | null {
    return this.last
  }

  /** Recompute from the latest figures now and tell every listener. */
  refresh(): QueueSnapshot | null {
    if (!this.figures) return this.last
    const { stats, eta } = this.figures
    const now = (this.options.now ?? Date.now)()
    const active = stats.byStatus.pending + stats.byStatus.processing
    if (active === 0) this.busySince = null
    else this.busySince ??= now
    this.last = { stats, eta, active, busySince: this.busySince, at: now }
    this.setTicking(active > 0)
    for (const listener of this.listeners) listener(this.last)
    return this.last
  }

  private setTicking(on: boolean): void {
    if (on && !this.ticker && this.unsubscribe) {
      this.ticker = setInterval(() => this.refresh(), this.options.tickMs ?? 2000)
      this.ticker.unref?.()
    } else if (!on && this.ticker) {
      clearInterval(this.ticker)
      this.ticker = null
    }
  }
}
