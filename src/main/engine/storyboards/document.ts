import { randomBytes } from 'node:crypto'
import { describeZodError } from '../../../shared/schemas'
import {
  MAX_SCENES,
  Scene,
  ScenePatch,
  StoryboardEdit,
  StoryboardSettings,
  type StoryboardSettingsInput
} from '../../../shared/storyboard'
import { QueueError } from '../errors'

/** Everything an edit can change, stored whole as each revision (see migration 12). */
export interface StoryboardDoc {
  title: string
  settings: StoryboardSettings
  scenes: Scene[]
}

export function newSceneId(): string {
  return randomBytes(4).toString('hex')
}

/** A scene from a partial description: a title card with no text when no visual is given. */
export function makeScene(patch: unknown = {}, field = 'scene'): Scene {
  const parsed = ScenePatch.safeParse(patch)
  if (!parsed.success) throw new QueueError('bad_request', describeZodError(parsed.error, field, `${field}.`))
  return Scene.parse({ visual: { kind: 'title', text: '' }, ...stripUndefined(parsed.data), id: newSceneId() })
}

export function makeSettings(input: StoryboardSettingsInput | undefined, field = 'settings'): StoryboardSettings {
  const parsed = StoryboardSettings.safeParse(input ?? {})
  if (!parsed.success) throw new QueueError('bad_request', describeZodError(parsed.error, field, `${field}.`))
  return parsed.data
}

/**
 * Apply one edit to a document and return the new one (the old one is left as it was: it is a
 * revision undo goes back to). Errors name the field and say what is wrong.
 */
export function applyEdit(doc: StoryboardDoc, raw: unknown): { doc: StoryboardDoc; op: string } {
  const parsed = StoryboardEdit.safeParse(raw)
  if (!parsed.success) throw new QueueError('bad_request', describeZodError(parsed.error, 'edit', 'edit.'))
  const edit = parsed.data
  const scenes = [...doc.scenes]
  switch (edit.op) {
    case 'addScene': {
      if (scenes.length >= MAX_SCENES) throw new QueueError('bad_request', `a storyboard holds ${MAX_SCENES} scenes at most`)
      const index = edit.index ?? scenes.length
      if (index > scenes.length) throw new QueueError('bad_request', `edit.index: ${index} is past the end (the storyboard has ${scenes.length} scenes)`)
      scenes.splice(index, 0, makeScene(edit.scene ?? {}, 'edit.scene'))
      return { doc: { ...doc, scenes }, op: edit.op }
    }
    case 'removeScene': {
      scenes.splice(sceneIndex(doc, edit.sceneId), 1)
      return { doc: { ...doc, scenes }, op: edit.op }
    }
    case 'duplicateScene': {
      if (scenes.length >= MAX_SCENES) throw new QueueError('bad_request', `a storyboard holds ${MAX_SCENES} scenes at most`)
      const at = sceneIndex(doc, edit.sceneId)
      scenes.splice(at + 1, 0, { ...structuredClone(scenes[at]!), id: newSceneId() })
      return { doc: { ...doc, scenes }, op: edit.op }
    }
    case 'moveScene': {
      const from = sceneIndex(doc, edit.sceneId)
      if (edit.index >= scenes.length) {
        throw new QueueError('bad_request', `edit.index: ${edit.index} is past the end (scenes are numbered 0 to ${scenes.length - 1})`)
      }
      const [scene] = scenes.splice(from, 1)
      scenes.splice(edit.index, 0, scene!)
      return { doc: { ...doc, scenes }, op: edit.op }
    }
    case 'updateScene': {
      const at = sceneIndex(doc, edit.sceneId)
      scenes[at] = Scene.parse({ ...scenes[at]!, ...stripUndefined(edit.patch) })
      return { doc: { ...doc, scenes }, op: edit.op }
    }
    case 'updateSettings':
      return { doc: { ...doc, settings: StoryboardSettings.parse({ ...doc.settings, ...stripUndefined(edit.patch) }) }, op: edit.op }
    case 'rename':
      return { doc: { ...doc, title: edit.title }, op: edit.op }
  }
}

/** The scene's place, or an error naming the id that matched no scene. */
export function sceneIndex(doc: StoryboardDoc, sceneId: string): number {
  const at = doc.scenes.findIndex((s) => s.id === sceneId)
  if (at < 0) throw new QueueError('not_found', `edit.sceneId: no scene ${sceneId} in this storyboard`)
  return at
}

/** Asset ids a document refers to (scene visuals and music), to check they belong to its project. */
export function assetRefs(doc: StoryboardDoc): Array<{ assetId: string; field: string; inSec?: number; outSec?: number }> {
  const refs: Array<{ assetId: string; field: string; inSec?: number; outSec?: number }> = []
  doc.scenes.forEach((s, i) => {
    if (s.visual.kind === 'asset') {
      refs.push({
        assetId: s.visual.assetId,
        field: `scenes[${i}].visual`,
        ...(s.visual.inSec !== undefined ? { inSec: s.visual.inSec } : {}),
        ...(s.visual.outSec !== undefined ? { outSec: s.visual.outSec } : {})
      })
    }
  })
  if (doc.settings.music.kind === 'asset') refs.push({ assetId: doc.settings.music.assetId, field: 'settings.music' })
  return refs
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
