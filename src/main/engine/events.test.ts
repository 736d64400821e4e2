import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Coalescer } from './events'

describe('Coalescer', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('delivers the first value at once and folds later ones into one trailing delivery of the latest', () => {
    const seen: Array<[string, number]> = []
    const c = new Coalescer<number>(100, (key, value) => seen.push([key, value]))
    c.push('job', 1)
    c.push('job', 2)
    c.push('job', 3)
    expect(seen).toEqual([['job', 1]])
    vi.advanceTimersByTime(100)
    expect(seen).toEqual([
      ['job', 1],
      ['job', 3]
    ])
  })

  it('spaces each key by its own interval: a costly delivery waits longer, a cheap one does not wait for it', () => {
    const seen: string[] = []
    const c = new Coalescer<null>((key) => (key === 'huge batch' ? 1_000 : 100), (key) => seen.push(key))
    c.push('huge batch', null)
    c.push('small batch', null)
    vi.advanceTimersByTime(10)
    c.push('huge batch', null)
    c.push('small batch', null)
    vi.advanceTimersByTime(100)
    expect(seen).toEqual(['huge batch', 'small batch', 'small batch'])
    vi.advanceTimersByTime(900)
    expect(seen).toEqual(['huge batch', 'small batch', 'small batch', 'huge batch'])
  })
})
