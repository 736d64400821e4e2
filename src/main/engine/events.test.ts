import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Coalescer, EventBus } from './events'

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

describe('EventBus.wants', () => {
  it('is true for a type only while some listener takes every type or that one', () => {
    const bus = new EventBus()
    expect(bus.wants('job.log')).toBe(false)
    const offTyped = bus.subscribe(() => {}, ['job.changed', 'job.changed'])
    expect(bus.wants('job.changed')).toBe(true)
    expect(bus.wants('job.log')).toBe(false)
    const offAll = bus.subscribe(() => {})
    expect(bus.wants('job.log')).toBe(true)
    offAll()
    offAll()
    expect(bus.wants('job.log')).toBe(false)
    expect(bus.wants('job.changed')).toBe(true)
    offTyped()
    expect(bus.wants('job.changed')).toBe(false)
    const offOn = bus.on('job.log', () => {})
    expect(bus.wants('job.log')).toBe(true)
    offOn()
    expect(bus.wants('job.log')).toBe(false)
  })

  it('keeps one subscription per listener, as before: subscribed twice, it is called once and one unsubscribe ends it', () => {
    const bus = new EventBus()
    let calls = 0
    const listener = () => calls++
    bus.subscribe(listener, ['job.changed'])
    const off = bus.subscribe(listener)
    bus.emit({ type: 'job.removed', jobId: 'j' })
    expect(calls).toBe(1)
    expect(bus.wants('job.log')).toBe(true)
    off()
    expect(bus.wants('job.changed')).toBe(false)
    bus.emit({ type: 'job.removed', jobId: 'j' })
    expect(calls).toBe(1)
  })
})
