/**
 * A throttled view of the queue for the OS surfaces (taskbar progress, tray, dock badge):
 * recomputed at most every `throttleMs` after an engine event, and every `tickMs` while work is
 * under way (the ETA moves with time even when no event arrives).
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

export interface MonitoredEngine {
  queue: { stats(): QueueStats }
  eta(): QueueEta
  events: EventSource
}

export class QueueMonitor {
  private readonly listeners = new Set<(snapshot: QueueSnapshot) => void>()
  private busySince: number | null = null
  private last: QueueSnapshot | null = null
  private timer: NodeJS.Timeout | null = null
  private ticker: NodeJS.Timeout | null = null
  private unsubscribe: (() => void) | null = null

  constructor(
    private readonly engine: MonitoredEngine,
    private readonly options: { throttleMs?: number; tickMs?: number; now?: () => number; log?: (message: string) => void } = {}
  ) {}

  start(): void {
    if (this.unsubscribe) return
    this.unsubscribe = this.engine.events.subscribe((event) => {
      if (event.type !== 'job.log') this.schedule()
    })
    this.refresh()
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
    if (this.timer) clearTimeout(this.timer)
    if (this.ticker) clearInterval(this.ticker)
    this.timer = this.ticker = null
  }

  onSnapshot(listener: (snapshot: QueueSnapshot) => void): () => void {
    this.listeners.add(listener)
    if (this.last) listener(this.last)
    return () => this.listeners.delete(listener)
  }

  current(): QueueSnapshot | null {
    return this.last
  }

  /** Recompute now and tell every listener. */
  refresh(): QueueSnapshot | null {
    let stats: QueueStats
    let eta: QueueEta
    try {
      stats = this.engine.queue.stats()
      eta = this.engine.eta()
    } catch (err) {
      // The database is closing (quit): keep the last snapshot.
      this.options.log?.(`queue monitor: ${err instanceof Error ? err.message : String(err)}`)
      return this.last
    }
    const now = (this.options.now ?? Date.now)()
    const active = stats.byStatus.pending + stats.byStatus.processing
    if (active === 0) this.busySince = null
    else this.busySince ??= now
    this.last = { stats, eta, active, busySince: this.busySince, at: now }
    this.setTicking(active > 0)
    for (const listener of this.listeners) listener(this.last)
    return this.last
  }

  private schedule(): void {
    if (this.timer || !this.unsubscribe) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.refresh()
    }, this.options.throttleMs ?? 500)
    this.timer.unref?.()
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
