/**
 * The settings page's one saving model: every field saves itself shortly after the user stops
 * typing (at once for a choice), the engine validates it, and a refusal stays next to the field in
 * the user's words until it is fixed. What is typed lives in the store as a draft until it is
 * saved, so leaving the page never loses it: pending saves are sent on the way out, and a refused
 * value is still there, with its reason, when the user comes back.
 */
import { useEffect, useSyncExternalStore } from 'react'
import type { IssuePath } from '../../../../shared/api-issues'
import type { RequestOf } from '../../../../shared/contract'
import { useCall, type Call } from '../../api/context'
import { errorText } from '../../api/error-text'
import { issuesFor } from '../../api/issue-text'
import { translator } from '../../i18n'
import { getStudio, useStudio } from '../../store'

export type SettingsPatchInput = RequestOf<'settings/update'>

/** How long a pause in typing is before the field saves. */
export const TYPING_PAUSE_MS = 600

/** Saves waiting for the pause, by field: sent at once when their field leaves the screen. */
const waiting = new Map<string, { timer: ReturnType<typeof setTimeout>; run: () => void }>()
let inFlight = 0

/** When the last save went through (the page's discreet "Saved"), and saves under way. */
const status = (() => {
  let snapshot = { savedAt: null as number | null, saving: 0 }
  const listeners = new Set<() => void>()
  return {
    get: () => snapshot,
    set(next: Partial<typeof snapshot>) {
      snapshot = { ...snapshot, ...next }
      for (const l of [...listeners]) l()
    },
    subscribe(l: () => void) {
      listeners.add(l)
      return () => listeners.delete(l)
    }
  }
})()

export type SaveState = 'idle' | 'saving' | 'saved' | 'invalid'

/** The whole page's state for its one indicator. */
export function useSaveState(): SaveState {
  const { savedAt, saving } = useSyncExternalStore(status.subscribe, status.get, status.get)
  const drafts = useStudio((s) => s.settingsDrafts)
  const list = Object.values(drafts)
  if (list.some((d) => d.error)) return 'invalid'
  if (saving > 0 || list.length > 0) return 'saving'
  return savedAt ? 'saved' : 'idle'
}

async function save(call: Call, field: string, value: unknown, patch: SettingsPatchInput, path: IssuePath): Promise<void> {
  inFlight++
  status.set({ saving: inFlight })
  const r = await call('settings/update', patch, { quiet: true })
  inFlight--
  const s = getStudio()
  const draft = s.settingsDrafts[field]
  // Typed again meanwhile: that newer value has its own save coming.
  const current = draft !== undefined && JSON.stringify(draft.value) === JSON.stringify(value)
  if (r.ok) {
    if (r.value) s.setSettings(r.value)
    if (current) s.setSettingsDraft(field, undefined)
    status.set({ saving: inFlight, savedAt: Date.now() })
  } else {
    const t = translator(s.locale)
    // The sentences about this field; anything else (the engine is away…) as the app words it.
    if (current) s.setSettingsDraft(field, { value, error: issuesFor(r.error.issues, path, t) ?? errorText(r.error, s.locale) })
    status.set({ saving: inFlight })
  }
}

/**
 * One autosaved field: `value` is the draft if there is one, else what is saved; `set` keeps the
 * draft and saves it after the pause; `error` is the refusal of the last save, worded.
 */
export function useAutosave<T>(
  field: string,
  saved: T,
  toPatch: (value: T) => SettingsPatchInput,
  options: { path?: IssuePath; delayMs?: number } = {}
): { value: T; set: (value: T, delayed?: boolean) => void; error: string | null } {
  const call = useCall()
  const draft = useStudio((s) => s.settingsDrafts[field])
  const path = options.path ?? field.split('.')
  const delay = options.delayMs ?? TYPING_PAUSE_MS

  // Leaving the page (or the field going away) sends what waits instead of dropping it.
  useEffect(
    () => () => {
      const w = waiting.get(field)
      if (!w) return
      clearTimeout(w.timer)
      waiting.delete(field)
      w.run()
    },
    [field]
  )

  /** `delayed` false: a choice (select, checkbox) saves at once; typing waits for the pause. */
  const set = (value: T, delayed = true) => {
    getStudio().setSettingsDraft(field, { value, error: null })
    const previous = waiting.get(field)
    if (previous) clearTimeout(previous.timer)
    const run = () => void save(call, field, value, toPatch(value), path)
    const timer = setTimeout(() => {
      waiting.delete(field)
      run()
    }, delayed ? delay : 0)
    waiting.set(field, { timer, run })
  }
  return { value: draft ? (draft.value as T) : saved, set, error: draft?.error ?? null }
}

/** Tests: forget waiting saves and the indicator between cases. */
export function resetAutosave(): void {
  for (const w of waiting.values()) clearTimeout(w.timer)
  waiting.clear()
  inFlight = 0
  status.set({ savedAt: null, saving: 0 })
}
