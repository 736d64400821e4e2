import { z } from 'zod'
import { MAX_SCENES, Scene, StoryboardSettings, type Motion, type Transition } from '../../../shared/storyboard'

/**
 * A render job's payload: the storyboard as it was at the revision it renders, so the job is
 * self-contained (a later edit never changes a render under way). Assets are named by id and
 * resolved inside the job's project when a step runs: a payload cannot point at a file.
 */
export const RenderInput = z.strictObject({
  storyboardId: z.string().min(1).max(100),
  revision: z.number().int().min(1),
  title: z.string().max(200).default(''),
  draft: z.boolean().default(false),
  /** A one-scene preview renders this scene alone. */
  sceneId: z.string().min(1).max(40).nullable().default(null),
  settings: StoryboardSettings,
  scenes: z.array(Scene).min(1, 'the storyboard has no scene to render').max(MAX_SCENES)
})
export type RenderInput = z.output<typeof RenderInput>

export interface PlannedStep {
  /** `<kind>:<scene id>` for a scene's steps, the kind alone for music and assemble. */
  name: string
  title: string
  resource: string
}

/** The steps of a render: each scene's voice and visual, each scene's segment, then music and assembly. */
export function planRenderSteps(input: RenderInput): PlannedStep[] {
  const scenes = scenesToRender(input)
  const steps: PlannedStep[] = []
  scenes.forEach((scene, i) => {
    const n = sceneNumber(input, scene.id, i)
    if (scene.narration.trim()) steps.push({ name: `voice:${scene.id}`, title: `Scene ${n} · voice`, resource: 'tts' })
    steps.push({ name: `visual:${scene.id}`, title: `Scene ${n} · picture`, resource: scene.visual.kind === 'generated' ? 'image' : 'cpu' })
  })
  scenes.forEach((scene, i) => {
    steps.push({ name: `segment:${scene.id}`, title: `Scene ${sceneNumber(input, scene.id, i)} · segment`, resource: 'ffmpeg' })
  })
  if (input.settings.music.kind !== 'none') steps.push({ name: 'music', title: 'Music', resource: input.settings.music.kind === 'generated' ? 'music' : 'cpu' })
  steps.push({ name: 'assemble', title: 'Assemble the video', resource: 'ffmpeg' })
  return steps
}

export function scenesToRender(input: RenderInput): Scene[] {
  return input.sceneId ? input.scenes.filter((s) => s.id === input.sceneId) : input.scenes
}

/** The scene's number as the user sees it (1-based, in the whole storyboard). */
function sceneNumber(input: RenderInput, sceneId: string, fallback: number): number {
  const at = input.scenes.findIndex((s) => s.id === sceneId)
  return (at >= 0 ? at : fallback) + 1
}

/** A step name's kind (`segment:ab12` → `segment`) and scene id. */
export function parseStepName(name: string): { kind: string; sceneId: string | null } {
  const colon = name.indexOf(':')
  return colon < 0 ? { kind: name, sceneId: null } : { kind: name.slice(0, colon), sceneId: name.slice(colon + 1) }
}

export function sceneMotion(scene: Scene, settings: StoryboardSettings): Motion {
  return scene.motion === 'default' ? settings.motion : scene.motion
}

/** How a scene ends: the transition into the next scene (none after the last). */
export function sceneTransition(scene: Scene, settings: StoryboardSettings): Transition {
  return scene.transition === 'default' ? settings.transition : scene.transition
}

