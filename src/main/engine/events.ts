import type { EngineEvent, EngineEventType } from '../../shared/types'

type Listener = (event: EngineEvent) => void
type ListenerOf<T extends EngineEventType> = (event: Extract<EngineEvent, { type: T }>) => void

/**
 * The engine's one outward channel. Listeners are called synchronously, after the
 * state change has been committed; a throwing listener is isolated from the engine.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>()

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (err) {
        // An observer's bug (UI, CLI printer) must never break a state change that already happened.
        console.error('event listener failed:', err)
      }
    }
  }

  /** Subscribe to every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  on<T extends EngineEventType>(type: T, listener: ListenerOf<T>): () => void {
    return this.subscribe((e) => {
      if (e.type === type) (listener as Listener)(e)
    })
  }
}

/**
 * Keyed throttle with a trailing edge: the first call for a key runs at once, later calls
 * within `intervalMs` are folded into one trailing call carrying the latest value.
 * A step that reports progress 1000 times a second becomes ~10 events per second.
 * The interval may depend on the key (a delivery that costs more can be spaced out more).
 */
export class Coalescer<T> {
  private readonly pending = new Map<string, { value: T; timer: NodeJS.Timeout | null; last: number }>()

  constructor(
    private readonly intervalMs: number | ((key: string) => number),
    private readonly deliver: (key: string, value: T) => void
  ) {}

  private interval(key: string): number {
    return typeof this.intervalMs === 'number' ? this.intervalMs : this.intervalMs(key)
  }

  push(key: string, value: T): void {
    const now = Date.now()
    const entry = this.pending.get(key)
    if (!entry) {
      this.pending.set(key, { value, timer: null, last: now })
      this.deliver(key, value)
      return
    }
    entry.value = value
    if (entry.timer) return
    const wait = Math.max(0, entry.last + this.interval(key) - now)
    if (wait === 0) {
      entry.last = now
      this.deliver(key, value)
      return
    }
    entry.timer = setTimeout(() => {
      entry.timer = null
      entry.last = Date.now()
      this.deliver(key, entry.value)
    }, wait)
    entry.timer.unref?.()
  }

  /** Deliver what is pending for a key now (e.g. before the step's completion is announced). */
  flush(key: string): void {
    const entry = this.pending.get(key)
    if (!entry) return
    if (entry.timer) {
      clearTimeout(entry.timer)
      entry.timer = null
      this.deliver(key, entry.value)
    }
    this.pending.delete(key)
  }

  /** Forget a key without delivering (job removed). */
  drop(key: string): void {
    const entry = this.pending.get(key)
    if (entry?.timer) clearTimeout(entry.timer)
    this.pending.delete(key)
  }

  clear(): void {
    for (const key of [...this.pending.keys()]) this.drop(key)
  }
}
