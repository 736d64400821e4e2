import type { EngineEvent, EngineEventType } from '../../shared/types'

type Listener = (event: EngineEvent) => void
type ListenerOf<T extends EngineEventType> = (event: Extract<EngineEvent, { type: T }>) => void

/**
 * The engine's one outward channel. Listeners are called synchronously, after the
 * state change has been committed; a throwing listener is isolated from the engine.
 */
export class EventBus {
  /** Each listener with the types it takes (null: every type). */
  private readonly listeners = new Map<Listener, readonly EngineEventType[] | null>()
  /** How many listeners take each type, those that take every type counted under null. */
  private readonly takers = new Map<EngineEventType | null, number>()

  emit(event: EngineEvent): void {
    for (const listener of this.listeners.keys()) {
      try {
        listener(event)
      } catch (err) {
        // An observer's bug (UI, CLI printer) must never break a state change that already happened.
        console.error('event listener failed:', err)
      }
    }
  }

  /**
   * Whether an event of this type would reach anyone: an event that costs something to build
   * (a log line's text) is built only then. The pool alone, running jobs flat out, takes no log
   * lines: two per job that nobody would read.
   */
  wants(type: EngineEventType): boolean {
    return (this.takers.get(null) ?? 0) > 0 || (this.takers.get(type) ?? 0) > 0
  }

  /**
   * Subscribe to every event, or say which `types` the listener takes: events of other types may
   * then be left unbuilt (see wants), though the listener must still ignore them. Returns the
   * unsubscribe function.
   */
  subscribe(listener: Listener, types?: readonly EngineEventType[]): () => void {
    this.forget(listener)
    const taken = types ? [...new Set(types)] : null
    this.listeners.set(listener, taken)
    this.count(taken, 1)
    return () => this.forget(listener)
  }

  private forget(listener: Listener): boolean {
    if (!this.listeners.has(listener)) return false
    this.count(this.listeners.get(listener)!, -1)
    return this.listeners.delete(listener)
  }

  private count(types: readonly EngineEventType[] | null, by: 1 | -1): void {
    for (const t of types ?? [null]) this.takers.set(t, (this.takers.get(t) ?? 0) + by)
  }

  on<T extends EngineEventType>(type: T, listener: ListenerOf<T>): () => void {
    return this.subscribe((e) => {
      if (e.type === type) (listener as Listener)(e)
    }, [type])
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
