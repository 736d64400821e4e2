/**
 * The storyboards slice: the storyboards this window has open (as the engine last answered),
 * each project's list, the scene the player and the strip point at, and the per-scene progress
 * of running renders. Push events reach it through `reduceStoryboardEvents` (called by the
 * router with the other reducers): it only records what changed; the open editor fetches a
 * storyboard again when its announced revision is newer than the one it holds.
 */
import type { StateCreator } from 'zustand'
import type { PushEvent } from '../../../shared/contract'
import type { SceneView, StoryboardRenderView, StoryboardSummary, StoryboardView } from '../../../shared/storyboard'
import type { JobDetail } from '../../../shared/types'
import type { SceneRenderProgress, StoryboardsSlice, StudioState } from './types'

// The slice's shape is in types.ts with the others: types.ts builds StudioState from it.
export type { SceneRenderProgress, StoryboardsSlice } from './types'

type Data<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] }

export const storyboardsData = (): Data<StoryboardsSlice> => ({
  storyboards: {},
  storyboardLists: {},
  openStoryboards: {},
  activeSceneId: null,
  storyboardStale: {},
  renderJobs: {},
  renderSteps: {},
  renderReused: {}
})

/**
 * The new view, keeping the previous scene objects that did not change: a card is memoized on its
 * scene, so an edit of one scene (which answers the whole storyboard) repaints one card, not forty.
 */
export function shareScenes(before: StoryboardView | undefined, next: StoryboardView): StoryboardView {
  if (!before) return next
  const old = new Map(before.scenes.map((s) => [s.id, s]))
  let reused = 0
  const scenes = next.scenes.map((s) => {
    const prev = old.get(s.id)
    if (prev && sameScene(prev, s)) {
      reused++
      return prev
    }
    return s
  })
  return reused ? { ...next, scenes } : next
}

function sameScene(a: SceneView, b: SceneView): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function summaryOf(v: StoryboardView): StoryboardSummary {
  const poster = v.renders.find((r) => !r.draft && r.status === 'completed' && r.poster)?.poster ?? null
  return {
    id: v.id,
    projectId: v.projectId,
    title: v.title,
    format: v.settings.format,
    sceneCount: v.scenes.length,
    revision: v.revision,
    updatedAt: v.updatedAt,
    poster
  }
}

type Slice<T> = StateCreator<StudioState, [['zustand/persist', unknown]], [], T>

export const createStoryboardsSlice: Slice<StoryboardsSlice> = (set) => ({
  ...storyboardsData(),
  setStoryboardList: (projectId, list) => set((s) => ({ storyboardLists: { ...s.storyboardLists, [projectId]: list } })),
  setStoryboard: (view) =>
    set((s) => {
      const before = s.storyboards[view.id]
      // An answer older than what is held (two edits in flight, answered out of order) is dropped.
      if (before && before.revision > view.revision && before.updatedAt >= view.updatedAt) return {}
      const next = shareScenes(before, view)
      const patch: Partial<StudioState> = { storyboards: { ...s.storyboards, [view.id]: next } }
      const stale = s.storyboardStale[view.id]
      if (stale !== undefined && stale <= view.revision) {
        const storyboardStale = { ...s.storyboardStale }
        delete storyboardStale[view.id]
        patch.storyboardStale = storyboardStale
      }
      const unknownJobs = view.renders.filter((r) => s.renderJobs[r.jobId] !== view.id)
      if (unknownJobs.length) patch.renderJobs = { ...s.renderJobs, ...Object.fromEntries(unknownJobs.map((r) => [r.jobId, view.id])) }
      const list = s.storyboardLists[view.projectId]
      const summary = summaryOf(view)
      if (list) {
        const i = list.findIndex((b) => b.id === view.id)
        const nextList = i < 0 ? [summary, ...list] : list.map((b) => (b.id === view.id ? { ...summary, poster: summary.poster ?? b.poster } : b))
        patch.storyboardLists = { ...s.storyboardLists, [view.projectId]: nextList }
      }
      return patch
    }),
  removeStoryboard: (id) =>
    set((s) => {
      const gone = s.storyboards[id]
      const storyboards = { ...s.storyboards }
      delete storyboards[id]
      const storyboardLists = Object.fromEntries(Object.entries(s.storyboardLists).map(([p, list]) => [p, list.filter((b) => b.id !== id)]))
      const openStoryboards = Object.fromEntries(Object.entries(s.openStoryboards).filter(([, sid]) => sid !== id))
      return { storyboards, storyboardLists, openStoryboards, activeSceneId: gone?.scenes.some((sc) => sc.id === s.activeSceneId) ? null : s.activeSceneId }
    }),
  openStoryboard: (projectId, id) =>
    set((s) => {
      const openStoryboards = { ...s.openStoryboards }
      if (id) openStoryboards[projectId] = id
      else delete openStoryboards[projectId]
      return { openStoryboards, activeSceneId: null }
    }),
  setActiveScene: (activeSceneId) => set((s) => (s.activeSceneId === activeSceneId ? {} : { activeSceneId })),
  noteRender: (jobId, storyboardId) => set((s) => (s.renderJobs[jobId] === storyboardId ? {} : { renderJobs: { ...s.renderJobs, [jobId]: storyboardId } })),
  setRenderReused: (jobId, sceneIds) => set((s) => ({ renderReused: { ...s.renderReused, [jobId]: sceneIds } }))
})

/**
 * What a frame's push events change in this slice. Pure, like `reduceEvents`: a storyboard edited
 * elsewhere is marked stale (its editor fetches it); a render's step progress is kept per step,
 * so the strip shows every scene's progress while segments run side by side.
 */
export function reduceStoryboardEvents(state: StudioState, events: readonly PushEvent[]): Partial<StudioState> {
  let stale: Record<string, number> | null = null
  let steps: Record<string, Record<string, number>> | null = null
  for (const e of events) {
    if (e.type === 'storyboard.changed') {
      const held = state.storyboards[e.id]
      if (!held || held.revision === e.revision) continue
      stale ??= { ...state.storyboardStale }
      stale[e.id] = Math.max(stale[e.id] ?? 0, e.revision)
    } else if (e.type === 'job.progress' && e.step && state.renderJobs[e.jobId]) {
      steps ??= { ...state.renderSteps }
      const before = steps[e.jobId] ?? {}
      // The previous step of a job that runs one step at a time is finished when the next begins.
      steps[e.jobId] = { ...before, [e.step]: Math.max(before[e.step] ?? 0, e.stepProgress) }
    } else if (e.type === 'job.changed' && state.renderJobs[e.job.id] && e.job.status !== 'processing' && (steps ?? state.renderSteps)[e.job.id]) {
      steps ??= { ...state.renderSteps }
      delete steps[e.job.id]
    }
  }
  const patch: Partial<StudioState> = {}
  if (stale) patch.storyboardStale = stale
  if (steps) patch.renderSteps = steps
  return patch
}

/** Each scene's render progress for one job, from its step names (`voice:<sceneId>` …). */
export function sceneProgress(steps: Record<string, number> | undefined): Record<string, SceneRenderProgress> {
  const out: Record<string, SceneRenderProgress> = {}
  if (!steps) return out
  for (const [name, progress] of Object.entries(steps)) {
    const m = /^(voice|visual|segment):(.+)$/.exec(name)
    if (!m) continue
    const kind = m[1] as keyof SceneRenderProgress
    ;(out[m[2]!] ??= {})[kind] = progress
  }
  return out
}

/** The newest finished whole render (not a draft, not a one-scene preview): the one whose reuse the strip shows. */
export function latestFullRender(renders: readonly StoryboardRenderView[]): StoryboardRenderView | undefined {
  return renders.find((r) => !r.draft && !r.sceneId && r.status === 'completed')
}

/**
 * The scenes a finished render did not encode again: its `segment:<sceneId>` steps whose output
 * says `reused` (the engine found the segment's artifact under the same key). What the job did,
 * not what was unchanged when it was queued: an edit made while it waited is not counted.
 */
export function reusedScenes(job: Pick<JobDetail, 'steps'>): string[] {
  const out: string[] = []
  for (const step of job.steps) {
    const m = /^segment:(.+)$/.exec(step.name)
    const output = step.output as { reused?: unknown } | null
    if (m && step.status === 'completed' && output && typeof output === 'object' && output.reused === true) out.push(m[1]!)
  }
  return out
}
