import { describe, expect, it } from 'vitest'
import { endEstimate } from './view'

/** Rows finished `gapMs` apart, newest first, the newest at `last`. */
const finishedEvery = (gapMs: number, n: number, last: number) => Array.from({ length: n }, (_, i) => ({ completedAt: last - i * gapMs }))

describe('a batch end estimate', () => {
  it('follows the pace of the latest finished rows, not their run time over the slots', () => {
    // Ten rows finished 500 ms apart (they waited for a shared slot), each ran 40 ms on 4 slots.
    expect(endEstimate(finishedEvery(500, 10, 9_000), 20, 40, 4, 10_000)).toBe(10_000 + 20 * 500)
  })

  it('uses the run time over the slots until enough rows have finished to tell a pace', () => {
    expect(endEstimate(finishedEvery(500, 4, 9_000), 10, 40, 4, 10_000)).toBe(10_000 + 3 * 40)
  })

  it('falls back to run time when the recent rows finished at the same instant', () => {
    expect(endEstimate(finishedEvery(0, 8, 9_000), 10, 40, 2, 10_000)).toBe(10_000 + 5 * 40)
  })

  it('has no end before any row has a run time', () => {
    expect(endEstimate([], 10, null, 2, 10_000)).toBeNull()
  })
})
