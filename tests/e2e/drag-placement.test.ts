import { describe, expect, it } from 'vitest'
import { planPlacement } from '../../src/main/engine/queue/ordering'
import { placementFor } from '../../src/renderer/src/components/queue/reorder'

/** The renderer's drop and the engine's placement agree: what the user sees is what runs. */
describe('a drop in the queue panel, as the engine applies it', () => {
  it('always lands the job where it was dropped, as the engine places it (every from/to on a small queue)', () => {
    const n = 7
    const slots = Array.from({ length: n }, (_, i) => ({ id: `j${i}`, priority: i < 3 ? 2 : 10, position: i + 1 }))
    const ids = slots.map((s) => s.id)
    for (let from = 0; from < n; from++) {
      for (let to = 0; to < n; to++) {
        const target = placementFor(ids, ids[from]!, to)
        if (!target) continue
        const outcome = planPlacement(slots, ids[from]!, 'before' in target ? target.before : target.after, 'before' in target)
        if (!outcome.ok) throw new Error(outcome.reason)
        const after = slots.map((s) => ({ ...s, ...outcome.updates.find((u) => u.id === s.id) }))
        const order = after.sort((x, y) => x.priority - y.priority || x.position - y.position).map((s) => s.id)
        expect(order.indexOf(ids[from]!)).toBe(to)
        expect(order.filter((id) => id !== ids[from])).toEqual(ids.filter((id) => id !== ids[from]))
      }
    }
  })

})
