/**
 * A window on a farm hears its batches change, as a window on the local queue hears the batch
 * manager's `batch.changed`: whenever a machine feeds, completes, starts, stops or resets a batch
 * (the batches' NOTIFY, store/postgres/batches.ts) and whenever one of a batch's jobs changes
 * (the job notices the window already relays, which carry the job's batch), the batch's view is
 * built again from the farm and announced — at most every 250 ms per batch, and no sooner than
 * five times what the last build took (a large batch's view costs more), as locally.
 *
 * The batches' listening connection is opened again every `retryMs` while it is lost; meanwhile
 * the jobs' notices still bring most changes.
 */
import { Coalescer, type EventBus } from '../events'
import { listenForBatchChanges, type BatchChangeListener } from '../store/postgres/batches'
import type { FarmBatches } from './farm-batches'

const ANNOUNCE_EVERY_MS = 250
const ANNOUNCE_COST_FACTOR = 5

export interface FarmBatchEventsOptions {
  url: string
  events: EventBus
  batches: FarmBatches
  retryMs: number
  log: (line: string) => void
}

export class FarmBatchEvents {
  private readonly changes: Coalescer<null>
  private readonly viewCost = new Map<string, number>()
  /** Each batch's announcement under way: the next waits for it, so views go out in order. */
  private readonly building = new Map<string, Promise<void>>()
  private listener: BatchChangeListener | null = null
  private retry: NodeJS.Timeout | null = null
  private readonly unsubscribe: () => void
  private closed = false

  constructor(private readonly o: FarmBatchEventsOptions) {
    this.changes = new Coalescer(
      (id) => Math.max(ANNOUNCE_EVERY_MS, ANNOUNCE_COST_FACTOR * (this.viewCost.get(id) ?? 0)),
      (id) => this.announce(id)
    )
    this.unsubscribe = o.events.on('job.changed', (e) => {
      if (e.job.batchId) this.changes.push(e.job.batchId, null)
    })
  }

  /** Listen for the batches' notices (and keep listening); resolves after the first attempt. */
  async start(): Promise<void> {
    if (this.closed || this.listener) return
    try {
      const listener = await listenForBatchChanges(
        this.o.url,
        (notice) => {
          if (notice.changed) for (const id of notice.changed) this.changes.push(id, null)
          else if (notice.all) void this.announceAll()
        },
        () => this.lost()
      )
      if (this.closed) return void listener.close()
      this.listener = listener
    } catch {
      this.lost()
    }
  }

  async close(): Promise<void> {
    this.closed = true
    this.unsubscribe()
    this.changes.clear()
    if (this.retry) clearTimeout(this.retry)
    this.retry = null
    const listener = this.listener
    this.listener = null
    await listener?.close()
    await Promise.all([...this.building.values()])
  }

  private lost(): void {
    if (this.closed || this.retry) return
    const old = this.listener
    this.listener = null
    void old?.close()
    this.retry = setTimeout(() => {
      this.retry = null
      void this.start()
    }, this.o.retryMs)
    this.retry.unref?.()
  }

  private async announceAll(): Promise<void> {
    try {
      for (const b of await this.o.batches.list()) this.o.events.emit({ type: 'batch.changed', batch: b })
    } catch {
      // The link dropped: the window reloads what it missed when it is back.
    }
  }

  private announce(id: string): void {
    const previous = this.building.get(id) ?? Promise.resolve()
    const next = previous.then(async () => {
      if (this.closed) return
      const start = performance.now()
      try {
        const batch = await this.o.batches.view(id)
        this.viewCost.set(id, performance.now() - start)
        if (!this.closed) this.o.events.emit({ type: 'batch.changed', batch })
      } catch {
        // Removed meanwhile, or the link dropped: nothing to announce.
      }
    })
    this.building.set(id, next)
    void next.finally(() => {
      if (this.building.get(id) === next) this.building.delete(id)
    })
  }
}
