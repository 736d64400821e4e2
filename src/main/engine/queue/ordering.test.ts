import { describe, expect, it } from 'vitest'
import { planMove, type QueueSlot } from './ordering'

function apply(queue: QueueSlot[], id: string, dir: 'up' | 'down' | 'top' | 'bottom'): string[] {
  const outcome = planMove(queue, id, dir)
  if (!outcome.ok) throw new Error(outcome.reason)
  const byId = new Map(queue.map((s) => [s.id, { ...s }]))
  for (const u of outcome.updates) Object.assign(byId.get(u.id)!, u)
  return [...byId.values()].sort((a, b) => a.priority - b.priority || a.position - b.position).map((s) => s.id)
}

const q = (): QueueSlot[] => [
  { id: 'a', priority: 1, position: 4 },
  { id: 'b', priority: 5, position: 1 },
  { id: 'c', priority: 5, position: 7 },
  { id: 'd', priority: 5, position: 9 },
  { id: 'e', priority: 10, position: 2 }
]

describe('planMove', () => {
  it('swaps with the neighbour inside a priority', () => {
    expect(apply(q(), 'c', 'up')).toEqual(['a', 'c', 'b', 'd', 'e'])
    expect(apply(q(), 'c', 'down')).toEqual(['a', 'b', 'd', 'c', 'e'])
  })

  it('adopts the neighbour priority when moving past a group boundary', () => {
    const outcome = planMove(q(), 'b', 'up')
    expect(outcome.ok && outcome.updates.find((u) => u.id === 'b')?.priority).toBe(1)
    expect(apply(q(), 'b', 'up')).toEqual(['b', 'a', 'c', 'd', 'e'])
    expect(apply(q(), 'd', 'down')).toEqual(['a', 'b', 'c', 'e', 'd'])
  })

  it('moves to the very top and bottom', () => {
    expect(apply(q(), 'e', 'top')).toEqual(['e', 'a', 'b', 'c', 'd'])
    expect(apply(q(), 'a', 'bottom')).toEqual(['b', 'c', 'd', 'e', 'a'])
  })

  it('refuses to move the first job up and the last one down', () => {
    expect(planMove(q(), 'a', 'up')).toEqual({ ok: false, reason: 'first' })
    expect(planMove(q(), 'a', 'top')).toEqual({ ok: false, reason: 'first' })
    expect(planMove(q(), 'e', 'down')).toEqual({ ok: false, reason: 'last' })
    expect(planMove(q(), 'zz', 'down')).toEqual({ ok: false, reason: 'missing' })
  })

  it('only touches the target priority group', () => {
    const outcome = planMove(q(), 'd', 'up')
    expect(outcome.ok).toBe(true)
    if (outcome.ok) expect(outcome.updates.map((u) => u.id).sort()).toEqual(['c', 'd'])
  })
})
