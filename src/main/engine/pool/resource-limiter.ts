import type { ResourceStatus } from '../../../shared/types'
import type { Lease } from '../store/leases'

export interface ResourceLimit {
  /** Steps of this resource running at once. */
  concurrency: number
  /** Minimum spacing between two starts (seed 4: "2 secondes entre chaque génération"). */
  minIntervalMs: number
}

/** The step a slot is taken for, and the job's lease that holds it (a farm's slots live and die with it). */
export interface SlotFor {
  lease: Lease
  stepIndex: number
}

/**
 * What the pool and the job runner ask of resource limits: this machine's (ResourceLimiter), or a
 * farm's, where some resources are limited across every worker (farm/farm-limiter.ts).
 */
export interface StepLimiter {
  /** Resources that cannot take another step right now (the pool does not claim jobs for them). */
  saturated(): readonly string[]
  /** A slot now, synchronously (so a claim and its step start share one transaction), or null. */
  tryAcquire(resource: string): (() => void) | null
  /** Wait for a slot and the spacing; the release function. */
  acquire(resource: string, signal?: AbortSignal, slotFor?: SlotFor): Promise<() => void>
  /** The user's limits changed (settings). */
  setLimits(limits: Record<string, ResourceLimit>): void
  status(): ResourceStatus[]
}

interface Lane {
  limit: ResourceLimit
  running: number
  lastStart: number
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void }>
}

/**
 * Per-resource concurrency and rate limits, so that a slow or blocked provider only holds the
 * steps that need it. Waiters are served first come, first served.
 */
export class ResourceLimiter implements StepLimiter {
  private readonly lanes = new Map<string, Lane>()

  constructor(
    private limits: Record<string, ResourceLimit>,
    private readonly fallback: ResourceLimit = { concurrency: 2, minIntervalMs: 0 }
  ) {}

  setLimits(limits: Record<string, ResourceLimit>): void {
    this.limits = limits
    for (const [name, lane] of this.lanes) {
      lane.limit = limits[name] ?? this.fallback
      this.dispatch(name, lane)
    }
  }

  private lane(resource: string): Lane {
    let lane = this.lanes.get(resource)
    if (!lane) {
      lane = { limit: this.limits[resource] ?? this.fallback, running: 0, lastStart: 0, waiters: [] }
      this.lanes.set(resource, lane)
    }
    return lane
  }

  hasCapacity(resource: string): boolean {
    const lane = this.lane(resource)
    return lane.running + lane.waiters.length < lane.limit.concurrency
  }

  /** Resources that cannot take another step right now (the pool does not claim jobs for them). */
  saturated(): readonly string[] {
    // Asked before every claim: no array made while every lane has room (the usual case).
    let full: string[] | null = null
    for (const r of this.lanes.keys()) if (!this.hasCapacity(r)) (full ??= []).push(r)
    return full ?? NONE
  }

  /**
   * Take a slot now if one is free and no spacing is owed, without waiting: the release function,
   * or null (then `acquire` waits in line). Synchronous, so a claim and its step start can share
   * one transaction.
   */
  tryAcquire(resource: string): (() => void) | null {
    const lane = this.lane(resource)
    const now = Date.now()
    if (lane.running >= lane.limit.concurrency || lane.waiters.length > 0) return null
    if (lane.lastStart + lane.limit.minIntervalMs > now) return null
    lane.running++
    lane.lastStart = now
    return this.releaser(resource, lane)
  }

  private releaser(resource: string, lane: Lane): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      lane.running--
      this.dispatch(resource, lane)
    }
  }

  /** Wait for a slot and for the rate-limit spacing; returns the release function. */
  async acquire(resource: string, signal?: AbortSignal): Promise<() => void> {
    const lane = this.lane(resource)
    signal?.throwIfAborted()
    if (lane.running < lane.limit.concurrency && lane.waiters.length === 0) {
      lane.running++
    } else {
      await new Promise<void>((resolve, reject) => {
        const waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            lane.waiters.splice(lane.waiters.indexOf(waiter), 1)
            reject(signal!.reason)
          }
        }
        signal?.addEventListener('abort', waiter.onAbort, { once: true })
        lane.waiters.push(waiter)
      })
    }
    const release = this.releaser(resource, lane)
    try {
      // The spacing is between real starts, read when each start happens: a timer that fires late
      // (a busy machine) must not let the next caller in early. Reserving a start time ahead would:
      // two overdue timers then fire back to back and the provider sees two calls at once.
      for (;;) {
        const wait = lane.lastStart + lane.limit.minIntervalMs - Date.now()
        if (wait <= 0) break
        await sleep(wait, signal)
      }
      lane.lastStart = Date.now()
    } catch (err) {
      release()
      throw err
    }
    return release
  }

  private dispatch(_resource: string, lane: Lane): void {
    while (lane.running < lane.limit.concurrency && lane.waiters.length > 0) {
      const next = lane.waiters.shift()!
      next.signal?.removeEventListener('abort', next.onAbort)
      lane.running++
      next.resolve()
    }
  }

  status(): ResourceStatus[] {
    const names = new Set([...Object.keys(this.limits), ...this.lanes.keys()])
    return [...names].sort().map((resource) => {
      const lane = this.lanes.get(resource)
      const limit = this.limits[resource] ?? this.fallback
      return { resource, running: lane?.running ?? 0, concurrency: limit.concurrency, minIntervalMs: limit.minIntervalMs }
    })
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

const NONE: readonly string[] = Object.freeze([])
