import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff'

describe('backoffDelay', () => {
  const o = { baseMs: 1000, maxMs: 60_000 }
  it('doubles per attempt, with jitter between half and the full delay', () => {
    expect(backoffDelay(1, o, undefined, () => 0)).toBe(500)
    expect(backoffDelay(1, o, undefined, () => 1)).toBe(1000)
    expect(backoffDelay(3, o, undefined, () => 1)).toBe(4000)
    expect(backoffDelay(3, o, undefined, () => 0)).toBe(2000)
  })
  it('never exceeds the maximum', () => {
    expect(backoffDelay(30, o, undefined, () => 1)).toBe(60_000)
  })
  it('honours a longer Retry-After', () => {
    expect(backoffDelay(1, o, 7000, () => 0.5)).toBe(7000)
    expect(backoffDelay(3, o, 10, () => 1)).toBe(4000)
  })
})
