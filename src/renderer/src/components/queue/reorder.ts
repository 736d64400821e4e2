/**
 * The `jobs/place` request that takes a job to index `to` of the queued list (pending and paused
 * jobs in run order): before the job that will follow it, or after the last one. One call, so a
 * long drag is one reorder in the engine, not a series that could stop half-way.
 */
export function placementFor(queuedIds: readonly string[], id: string, to: number): { before: string } | { after: string } | null {
  const from = queuedIds.indexOf(id)
  if (from < 0 || to < 0 || to >= queuedIds.length || from === to) return null
  const rest = queuedIds.filter((x) => x !== id)
  return to >= rest.length ? { after: rest[rest.length - 1]! } : { before: rest[to]! }
}

/** Where a dragged job lands when dropped before or after the row at queued index `over`. */
export function dropIndex(from: number, over: number, after: boolean): number {
  const insertAt = over + (after ? 1 : 0)
  return insertAt > from ? insertAt - 1 : insertAt
}
