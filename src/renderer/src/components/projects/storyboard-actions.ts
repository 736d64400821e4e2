/**
 * The storyboard commands as the editor uses them: every answer (a whole StoryboardView) goes to
 * the store, and the edits of one storyboard are sent one after another, in the order they were
 * made — a narration saved on blur must not overtake the move the user made just before it.
 */
import type { StoryboardEdit } from '../../../../shared/storyboard'
import type { Call } from '../../api/context'
import { getStudio } from '../../store'
import { reusedScenes } from '../../store/storyboards'

const chains = new Map<string, Promise<unknown>>()

/** Run `task` after every earlier task of the same storyboard has settled. */
function serial<T>(id: string, task: () => Promise<T>): Promise<T> {
  const before = chains.get(id) ?? Promise.resolve()
  const next = before.then(task, task)
  chains.set(
    id,
    next.catch(() => undefined)
  )
  return next
}

/** Wait for the edits already sent (tests, a render asked right after typing). */
export function settled(id: string): Promise<unknown> {
  return chains.get(id) ?? Promise.resolve()
}

export function editStoryboard(call: Call, id: string, edit: StoryboardEdit): Promise<boolean> {
  return serial(id, async () => {
    const r = await call('storyboards/edit', { id, edit })
    if (r.ok) getStudio().setStoryboard(r.value)
    return r.ok
  })
}

export function undoStoryboard(call: Call, id: string, redo = false): Promise<boolean> {
  return serial(id, async () => {
    const r = await call(redo ? 'storyboards/redo' : 'storyboards/undo', { id })
    if (r.ok) getStudio().setStoryboard(r.value)
    return r.ok
  })
}

export function rewriteNarration(call: Call, id: string, sceneId: string): Promise<boolean> {
  return serial(id, async () => {
    const r = await call('storyboards/rewriteNarration', { id, sceneId })
    if (r.ok) getStudio().setStoryboard(r.value)
    return r.ok
  })
}

/** A full render, or a draft preview of the whole storyboard or one scene; answers the job's id. */
export function renderStoryboard(call: Call, id: string, options: { draft?: boolean; sceneId?: string } = {}): Promise<string | null> {
  return serial(id, async () => {
    const r = options.draft || options.sceneId
      ? await call('storyboards/preview', { id, ...(options.sceneId ? { sceneId: options.sceneId } : {}) })
      : await call('storyboards/render', { id })
    if (!r.ok) return null
    getStudio().noteRender(r.value.job.id, id)
    getStudio().setStoryboard(r.value.storyboard)
    getStudio().applyEvents([{ type: 'job.changed', job: r.value.job }])
    return r.value.job.id
  })
}

export async function loadStoryboard(call: Call, id: string): Promise<boolean> {
  const r = await call('storyboards/get', { id }, { quiet: true })
  if (r.ok) getStudio().setStoryboard(r.value)
  else if (r.error.code === 'not_found') getStudio().removeStoryboard(id)
  return r.ok
}

/** Which scenes a finished render reused, read once from its steps (the job's detail). */
export async function loadRenderReuse(call: Call, jobId: string): Promise<boolean> {
  const r = await call('jobs/get', { id: jobId }, { quiet: true })
  if (r.ok && r.value.status === 'completed') getStudio().setRenderReused(jobId, reusedScenes(r.value))
  return r.ok
}

export async function loadStoryboardList(call: Call, projectId: string): Promise<boolean> {
  const r = await call('storyboards/list', { projectId }, { quiet: true })
  if (r.ok) getStudio().setStoryboardList(projectId, r.value)
  return r.ok
}

/** A new seed for "regenerate picture": any other picture from the same prompt. */
export function newSeed(current: number, random: () => number = Math.random): number {
  let seed = current
  while (seed === current) seed = Math.floor(random() * 2_147_483_647)
  return seed
}
