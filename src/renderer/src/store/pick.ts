/**
 * Picking many jobs in a list, the way file managers and mail clients do: a click picks one,
 * Shift-click the range from the last click, Ctrl/Cmd-click adds or removes one, Ctrl/Cmd-A all.
 * Pure: the store keeps the result, the lists (queue, job tracker) pass their visible ids.
 */
export type Picked = Readonly<Record<string, true>>

export interface PickState {
  picked: Picked
  anchor: string | null
}

export interface PickModifiers {
  /** Shift: the range from the anchor. */
  range?: boolean
  /** Ctrl (Cmd on a Mac): add or remove this one. */
  toggle?: boolean
}

export function pickOnClick(state: PickState, ids: readonly string[], id: string, mods: PickModifiers = {}): PickState {
  if (mods.range && state.anchor !== null) {
    const from = ids.indexOf(state.anchor)
    const to = ids.indexOf(id)
    if (from >= 0 && to >= 0) {
      const [lo, hi] = from < to ? [from, to] : [to, from]
      const picked: Record<string, true> = mods.toggle ? { ...state.picked } : {}
      for (let i = lo; i <= hi; i++) picked[ids[i]!] = true
      // The anchor stays: Shift-clicking again re-draws the range from the same place.
      return { picked, anchor: state.anchor }
    }
  }
  if (mods.toggle) {
    const picked: Record<string, true> = { ...state.picked }
    if (picked[id]) delete picked[id]
    else picked[id] = true
    return { picked, anchor: id }
  }
  return { picked: { [id]: true }, anchor: id }
}

export function pickAll(ids: readonly string[]): PickState {
  return { picked: Object.fromEntries(ids.map((id) => [id, true as const])), anchor: ids[0] ?? null }
}

/** The picked jobs that still exist, in list order when `order` is given. */
export function pickedIds(picked: Picked, exists: (id: string) => boolean, order?: readonly string[]): string[] {
  const ids = order ? order.filter((id) => picked[id]) : Object.keys(picked)
  return ids.filter(exists)
}
