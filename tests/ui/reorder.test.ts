import { describe, expect, it } from 'vitest'
import { dropIndex, placementFor } from '../../src/renderer/src/components/queue/reorder'

describe('drag to reorder: one jobs/place call', () => {
  it('places before the job that will follow, or after the last one', () => {
    const ids = ['a', 'b', 'c', 'd']
    expect(placementFor(ids, 'd', 0)).toEqual({ before: 'a' })
    expect(placementFor(ids, 'a', 3)).toEqual({ after: 'd' })
    expect(placementFor(ids, 'a', 2)).toEqual({ before: 'd' })
    expect(placementFor(ids, 'c', 1)).toEqual({ before: 'b' })
    expect(placementFor(ids, 'c', 2)).toBeNull()
    expect(placementFor(ids, 'zz', 1)).toBeNull()
  })

  it('drop before / after a row gives the final index', () => {
    expect(dropIndex(0, 3, false)).toBe(2) // dragged down, before row 3 → lands at 2
    expect(dropIndex(0, 3, true)).toBe(3)
    expect(dropIndex(5, 1, false)).toBe(1) // dragged up, before row 1 → 1
    expect(dropIndex(5, 1, true)).toBe(2)
    expect(dropIndex(2, 2, true)).toBe(2)
  })
})
