import type { MoveDirection } from '../../../../shared/types'

/**
 * The `jobs/move` calls that take a job from index `from` to index `to` of the queued list
 * (pending and paused jobs in run order). The contract moves one place, or to the top or
 * bottom; pick the shortest of: step by step, top then down, bottom then up.
 */
export function planMoves(count: number, from: number, to: number): MoveDirection[] {
  if (from === to || from < 0 || to < 0 || from >= count || to >= count) return []
  const direct = Math.abs(from - to)
  const viaTop = 1 + to
  const viaBottom = 1 + (count - 1 - to)
  if (to === 0) return ['top']
  if (to === count - 1) return ['bottom']
  if (direct <= viaTop && direct <= viaBottom) return Array(direct).fill(from > to ? 'up' : 'down')
  if (viaTop <= viaBottom) return ['top', ...Array<MoveDirection>(to).fill('down')]
  return ['bottom', ...Array<MoveDirection>(count - 1 - to).fill('up')]
}

/** Where a dragged job lands when dropped before or after the row at queued index `over`. */
export function dropIndex(from: number, over: number, after: boolean): number {
  const insertAt = over + (after ? 1 : 0)
  return insertAt > from ? insertAt - 1 : insertAt
}

/** Apply the moves to a list of ids, as the engine will: what the UI expects to see afterwards. */
export function simulateMoves(ids: readonly string[], id: string, moves: readonly MoveDirection[]): string[] {
  const list = ids.slice()
  for (const m of moves) {
    const i = list.indexOf(id)
    list.splice(i, 1)
    const j = m === 'top' ? 0 : m === 'bottom' ? list.length : m === 'up' ? Math.max(0, i - 1) : Math.min(list.length, i + 1)
    list.splice(j, 0, id)
  }
  return list
}
