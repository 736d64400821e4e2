import { describe, expect, it } from 'vitest'
import { dropIndex, planMoves, simulateMoves } from '../../src/renderer/src/components/queue/reorder'

describe('drag to reorder: the jobs/move calls', () => {
  it('uses top / bottom for the ends and single steps nearby', () => {
    expect(planMoves(10, 5, 0)).toEqual(['top'])
    expect(planMoves(10, 5, 9)).toEqual(['bottom'])
    expect(planMoves(10, 5, 4)).toEqual(['up'])
    expect(planMoves(10, 5, 7)).toEqual(['down', 'down'])
    expect(planMoves(10, 5, 5)).toEqual([])
  })

  it('goes through the top or the bottom when that is shorter', () => {
    expect(planMoves(100, 90, 2)).toEqual(['top', 'down', 'down'])
    expect(planMoves(100, 3, 97)).toEqual(['bottom', 'up', 'up'])
  })

  it('always lands the job where it was dropped (every from/to on a small queue)', () => {
    const n = 9
    const ids = Array.from({ length: n }, (_, i) => `j${i}`)
    for (let from = 0; from < n; from++) {
      for (let to = 0; to < n; to++) {
        const moves = planMoves(n, from, to)
        const after = simulateMoves(ids, ids[from]!, moves)
        expect(after.indexOf(ids[from]!)).toBe(to)
        // Everyone else keeps their relative order.
        expect(after.filter((id) => id !== ids[from])).toEqual(ids.filter((id) => id !== ids[from]))
        expect(moves.length).toBeLessThanOrEqual(Math.abs(from - to))
      }
    }
  })

  it('drop before / after a row gives the final index', () => {
    expect(dropIndex(0, 3, false)).toBe(2) // dragged down, before row 3 → lands at 2
    expect(dropIndex(0, 3, true)).toBe(3)
    expect(dropIndex(5, 1, false)).toBe(1) // dragged up, before row 1 → 1
    expect(dropIndex(5, 1, true)).toBe(2)
    expect(dropIndex(2, 2, true)).toBe(2)
  })
})
