import type { MoveDirection } from '../../../shared/types'

export interface QueueSlot {
  id: string
  priority: number
  position: number
}

export interface SlotUpdate {
  id: string
  priority: number
  position: number
}

export type MoveOutcome = { ok: true; updates: SlotUpdate[] } | { ok: false; reason: 'first' | 'last' | 'missing' }

/**
 * Where a job lands when the user moves it one place up or down, or to the top or bottom.
 *
 * The queue is ordered by (priority, position). Moving past a neighbour that has another
 * priority means adopting the neighbour's priority — that is what "one place up" looks like
 * to the user. Inside the target priority group, positions are re-dealt from the positions the
 * group already holds, so every other job keeps its relative place and a job enqueued later
 * (which gets max(position)+1) still lands after all of them.
 *
 * `queued` must be the reorderable jobs (pending and paused) in queue order.
 */
export function planMove(queued: readonly QueueSlot[], id: string, direction: MoveDirection): MoveOutcome {
  const index = queued.findIndex((s) => s.id === id)
  if (index < 0) return { ok: false, reason: 'missing' }
  const job = queued[index]!
  const last = queued.length - 1

  let anchor: QueueSlot
  let before: boolean
  switch (direction) {
    case 'up':
      if (index === 0) return { ok: false, reason: 'first' }
      anchor = queued[index - 1]!
      before = true
      break
    case 'top':
      if (index === 0) return { ok: false, reason: 'first' }
      anchor = queued[0]!
      before = true
      break
    case 'down':
      if (index === last) return { ok: false, reason: 'last' }
      anchor = queued[index + 1]!
      before = false
      break
    case 'bottom':
      if (index === last) return { ok: false, reason: 'last' }
      anchor = queued[last]!
      before = false
      break
  }

  return placeNextTo(queued, job, anchor, before)
}

/**
 * Put a job right before or after another queued job (a drop at the end of a drag): the job
 * takes the anchor's priority, like any move past a job of another priority.
 */
export function planPlacement(queued: readonly QueueSlot[], id: string, anchorId: string, before: boolean): MoveOutcome {
  const job = queued.find((s) => s.id === id)
  const anchor = queued.find((s) => s.id === anchorId)
  if (!job || !anchor) return { ok: false, reason: 'missing' }
  if (job.id === anchor.id) return { ok: true, updates: [] }
  return placeNextTo(queued, job, anchor, before)
}

function placeNextTo(queued: readonly QueueSlot[], job: QueueSlot, anchor: QueueSlot, before: boolean): MoveOutcome {
  const priority = anchor.priority
  const group = queued.filter((s) => s.priority === priority && s.id !== job.id)
  const positions = [...group.map((s) => s.position), job.position].sort((a, b) => a - b)
  const at = group.findIndex((s) => s.id === anchor.id) + (before ? 0 : 1)
  const ordered = [...group.slice(0, at), job, ...group.slice(at)]

  const updates: SlotUpdate[] = []
  ordered.forEach((slot, i) => {
    const position = positions[i]!
    if (slot.position !== position || slot.priority !== priority) updates.push({ id: slot.id, priority, position })
  })
  return { ok: true, updates }
}
