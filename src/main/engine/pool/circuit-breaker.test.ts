import { describe, expect, it } from 'vitest'
import { CircuitBreaker } from './circuit-breaker'

function breaker() {
  let t = 1000
  const b = new CircuitBreaker('p', { failureThreshold: 3, cooldownMs: 100, maxCooldownMs: 350 }, () => t)
  return { b, advance: (ms: number) => (t += ms) }
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures and refuses calls until the cooldown', () => {
    const { b, advance } = breaker()
    b.recordFailure('500', false)
    b.recordFailure('500', false)
    expect(b.state).toBe('closed')
    expect(b.recordFailure('500', false)).toBe(true)
    expect(b.state).toBe('open')
    expect(b.tryAcquire()).toBe(false)
    advance(100)
    expect(b.tryAcquire()).toBe(true)
    expect(b.state).toBe('half-open')
    expect(b.tryAcquire()).toBe(false) // one trial at a time
  })

  it('opens at once when the provider says it is unavailable', () => {
    const { b } = breaker()
    b.recordFailure('503', true)
    expect(b.state).toBe('open')
  })

  it('closes on a successful trial and escalates the cooldown on a failed one', () => {
    const { b, advance } = breaker()
    b.recordFailure('503', true)
    advance(100)
    expect(b.tryAcquire()).toBe(true)
    b.recordFailure('503', true)
    expect(b.state).toBe('open')
    expect(b.snapshot().retryAt).toBe(1000 + 100 + 200)
    advance(200)
    expect(b.tryAcquire()).toBe(true)
    b.recordFailure('503', true)
    advance(350)
    expect(b.tryAcquire()).toBe(true)
    expect(b.recordSuccess(12)).toBe(true)
    expect(b.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0, retryAt: null, lastResponseMs: 12 })
  })

  it('a success resets the failure count', () => {
    const { b } = breaker()
    b.recordFailure('x', false)
    b.recordFailure('x', false)
    b.recordSuccess(1)
    b.recordFailure('x', false)
    b.recordFailure('x', false)
    expect(b.state).toBe('closed')
  })
})
