import type { CircuitState, ProviderHealth } from '../../../shared/types'

export interface BreakerOptions {
  /** Consecutive retryable failures that open the circuit (an explicit "unavailable" opens it at once). */
  failureThreshold: number
  /** First wait before a probe; doubles on each failed probe up to `maxCooldownMs`. */
  cooldownMs: number
  maxCooldownMs: number
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, cooldownMs: 30_000, maxCooldownMs: 5 * 60_000 }

/** The breaker's part of a provider's health (the rest comes from the call history). */
export type BreakerSnapshot = Pick<
  ProviderHealth,
  'provider' | 'state' | 'consecutiveFailures' | 'lastError' | 'lastResponseMs' | 'lastCheckedAt' | 'retryAt'
>

/**
 * closed: calls go through. open: calls are refused (jobs wait) until `retryAt`.
 * half-open: one trial (a health probe, or the first job) decides between closed and open.
 */
export class CircuitBreaker {
  state: CircuitState = 'closed'
  consecutiveFailures = 0
  lastError: string | null = null
  lastResponseMs: number | null = null
  lastCheckedAt: number | null = null
  retryAt: number | null = null
  private cooldown: number
  private trialInFlight = false

  constructor(
    readonly provider: string,
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now
  ) {
    this.cooldown = options.cooldownMs
  }

  /** May a call start now? In half-open state only one trial is let through. */
  tryAcquire(): boolean {
    if (this.state === 'closed') return true
    if (this.state === 'open') {
      if (this.retryAt !== null && this.now() >= this.retryAt) {
        this.state = 'half-open'
      } else {
        return false
      }
    }
    if (this.trialInFlight) return false
    this.trialInFlight = true
    return true
  }

  /** Returns true when the state changed. */
  recordSuccess(durationMs: number): boolean {
    const before = this.state
    this.trialInFlight = false
    this.state = 'closed'
    this.consecutiveFailures = 0
    this.cooldown = this.options.cooldownMs
    this.retryAt = null
    this.lastResponseMs = Math.round(durationMs)
    this.lastCheckedAt = this.now()
    return before !== 'closed'
  }

  /** Returns true when the state changed. */
  recordFailure(error: string, unavailable: boolean, durationMs?: number): boolean {
    const before = this.state
    this.consecutiveFailures++
    this.lastError = error
    this.lastCheckedAt = this.now()
    if (durationMs !== undefined) this.lastResponseMs = Math.round(durationMs)
    const wasTrial = this.trialInFlight
    this.trialInFlight = false
    if (before === 'half-open' || wasTrial) {
      this.open(true)
    } else if (unavailable || this.consecutiveFailures >= this.options.failureThreshold) {
      this.open(false)
    }
    return before !== this.state
  }

  /** A trial that ended without telling anything (cancelled): let the next one through. */
  abandonTrial(): void {
    this.trialInFlight = false
  }

  private open(escalate: boolean): void {
    if (escalate) this.cooldown = Math.min(this.options.maxCooldownMs, this.cooldown * 2)
    this.state = 'open'
    this.retryAt = this.now() + this.cooldown
  }

  snapshot(): BreakerSnapshot {
    return {
      provider: this.provider,
      state: this.state,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastResponseMs: this.lastResponseMs,
      lastCheckedAt: this.lastCheckedAt,
      retryAt: this.state === 'closed' ? null : this.retryAt
    }
  }
}
