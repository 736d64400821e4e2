import { describe, expect, it } from 'vitest'
import { ResourceLimiter } from './resource-limiter'

describe('ResourceLimiter', () => {
  it('spaces real starts even when the timers fire late (a busy machine)', async () => {
    const limiter = new ResourceLimiter({ music: { concurrency: 3, minIntervalMs: 100 } })
    const starts: number[] = []
    const take = async () => {
      await limiter.acquire('music')
      starts.push(Date.now())
    }
    await take()
    const waiting = [take(), take()]
    // Hold the thread well past both callers' spacing, as a loaded machine does: their timers are
    // overdue together when it frees, and must not let both in at once.
    const busyUntil = Date.now() + 350
    while (Date.now() < busyUntil) {
      /* busy */
    }
    await Promise.all(waiting)
    expect(starts).toHaveLength(3)
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(100)
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(100)
  })

  it('lets the first caller in at once and spaces the next by the interval', async () => {
    const limiter = new ResourceLimiter({ music: { concurrency: 2, minIntervalMs: 80 } })
    const t0 = Date.now()
    await limiter.acquire('music')
    expect(Date.now() - t0).toBeLessThan(80)
    await limiter.acquire('music')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80)
  })
})
