import type { EngineEvent, QueueSummary } from '../../shared/types'
import type { Engine } from './engine'
import type { EventBus } from './events'

export interface SummaryOptions {
  /** At most one summary this often, however many jobs change. */
  minIntervalMs?: number
  /** While jobs run or wait, one summary this often even without changes: their ETAs drift. */
  driftMs?: number
  /** Is anyone listening? Nothing is computed while not (a bridge with no browser connected). */
  listening?: () => boolean
}

/** The events after which stats, ETA, pool or provider figures may have moved. */
const MOVES_FIGURES = new Set<EngineEvent['type']>(['job.changed', 'job.removed', 'queue.changed', 'provider.changed'])

/**
 * Push the queue's derived figures to whoever listens (the window, the browser bridge) as
 * `queue.summary` events, so the UI subscribes instead of polling. Computing them costs a few
 * queries, so changes are folded: one summary per `minIntervalMs` at most. Returns the stop function.
 */
export function publishQueueSummary(engine: Engine<unknown>, options: SummaryOptions = {}): () => void {
  return publishSummaries(engine.events, () => summarize(engine), { ...options, open: () => engine.db.open })
}

/**
 * The same for any queue: `compute` gives the figures, announced on `events` (a window on a
 * farm's queue publishes the farm's figures, made from its events, this way).
 */
export function publishSummaries(events: EventBus, compute: () => Promise<QueueSummary>, options: SummaryOptions & { open?: () => boolean } = {}): () => void {
  const minIntervalMs = options.minIntervalMs ?? 1_000
  let last = 0
  let timer: NodeJS.Timeout | null = null
  let busy = false
  let stopped = false

  const publish = async () => {
    timer = null
    if (stopped || !(options.open?.() ?? true) || !(options.listening?.() ?? true)) return
    last = Date.now()
    const summary = await compute()
    if (stopped) return
    busy = summary.stats.byStatus.processing > 0 || summary.stats.waiting > 0
    events.emit({ type: 'queue.summary', ...summary })
  }
  const soon = () => {
    if (timer || stopped) return
    timer = setTimeout(() => void publish().catch((err) => console.warn('the queue summary could not be computed:', err)), Math.max(0, last + minIntervalMs - Date.now()))
    timer.unref?.()
  }
  const unsubscribe = events.subscribe((e) => {
    if (MOVES_FIGURES.has(e.type)) soon()
  })
  const drift = setInterval(() => {
    // Never computed yet (nobody was listening): the drift cannot be known, so look.
    if (busy || last === 0) soon()
  }, options.driftMs ?? 5_000)
  drift.unref?.()
  soon()

  return () => {
    stopped = true
    unsubscribe()
    clearInterval(drift)
    if (timer) clearTimeout(timer)
  }
}

/** The figures as the queue/stats, queue/eta, pool/status and providers/health commands give them. */
export async function summarize(engine: Engine<unknown>): Promise<QueueSummary> {
  const providers = await engine.health()
  return { stats: engine.queue.stats(), eta: engine.eta(), pool: engine.pool.status(), providers, at: Date.now() }
}
