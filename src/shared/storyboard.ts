/**
 * Storyboards: a project's video as an ordered list of scenes plus its settings. Plain data and
 * zod schemas shared by the engine, the contract and the renderer. No Node, no DOM.
 *
 * A scene's render is content-addressed (see engine/storyboards/keys.ts): an edit re-renders only
 * the steps whose inputs it changed.
 */
import { z } from 'zod'

export const STORYBOARD_FORMATS = ['9:16', '16:9', '1:1'] as const
export type StoryboardFormat = (typeof STORYBOARD_FORMATS)[number]

/** Frame size of each format, full quality (a draft renders at half this size). */
export const FORMAT_SIZES: Record<StoryboardFormat, { width: number; height: number }> = {
  '9:16': { width: 1080, height: 1920 },
  '16:9': { width: 1920, height: 1080 },
  '1:1': { width: 1080, height: 1080 }
}

export const MOTIONS = ['none', 'zoom-in', 'zoom-out', 'pan-left', 'pan-right'] as const
export type Motion = (typeof MOTIONS)[number]
export const TRANSITIONS = ['cut', 'crossfade'] as const
export type Transition = (typeof TRANSITIONS)[number]
export const CAPTION_MODES = ['sentence', 'word', 'none'] as const
export type CaptionMode = (typeof CAPTION_MODES)[number]

/** Longest narration a scene takes (a scene is a few sentences; the whole video is many scenes). */
export const MAX_NARRATION = 2_000
export const MAX_SCENES = 200
/** Seconds: bounds of a scene's fixed duration and of its padding after the narration. */
export const MIN_SCENE_SEC = 0.5
export const MAX_SCENE_SEC = 120

const Seconds = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number of seconds` })
    .refine(Number.isFinite, `${field} must be a number of seconds`)
    .min(min, `${field} must be at least ${min} s`)
    .max(max, `${field} must be at most ${max} s`)

export const SceneVisual = z.discriminatedUnion(
  'kind',
  [
    /** An image or video clip of the storyboard's project; a clip may be trimmed (seconds into the file). */
    z.strictObject({
      kind: z.literal('asset'),
      assetId: z.string().min(1, 'assetId is empty').max(100),
      inSec: Seconds('inSec', 0, 24 * 3600).optional(),
      outSec: Seconds('outSec', 0, 24 * 3600).optional()
    }),
    /** A picture the image provider makes from a prompt; the seed makes it reproducible ("regenerate" changes it). */
    z.strictObject({
      kind: z.literal('generated'),
      prompt: z.string().trim().min(1, 'prompt is empty').max(1_000, 'prompt is too long (1000 characters at most)'),
      seed: z.number().int().min(0).max(2 ** 31 - 1).default(1)
    }),
    /** A card with a line of text on a gradient. */
    z.strictObject({
      kind: z.literal('title'),
      text: z.string().trim().max(200, 'text is too long (200 characters at most)')
    })
  ],
  { error: 'visual.kind must be asset, generated or title' }
)
export type SceneVisual = z.output<typeof SceneVisual>

export const SceneDuration = z.discriminatedUnion(
  'mode',
  [
    /** As long as the narration, plus padding (a scene without narration lasts `paddingSec`, at least 2 s). */
    z.strictObject({ mode: z.literal('auto'), paddingSec: Seconds('paddingSec', 0, 10).default(0.4) }),
    z.strictObject({ mode: z.literal('fixed'), seconds: Seconds('seconds', MIN_SCENE_SEC, MAX_SCENE_SEC) })
  ],
  { error: 'duration.mode must be auto or fixed' }
)
export type SceneDuration = z.output<typeof SceneDuration>

export const Scene = z.strictObject({
  id: z.string().min(1).max(40),
  narration: z.string().max(MAX_NARRATION, `narration is too long (${MAX_NARRATION} characters at most)`).default(''),
  visual: SceneVisual,
  duration: SceneDuration.default({ mode: 'auto', paddingSec: 0.4 }),
  /** Caption text shown instead of the narration; null shows the narration. */
  caption: z.string().max(MAX_NARRATION).nullable().default(null),
  /** 'default' takes the storyboard's setting. */
  motion: z.enum([...MOTIONS, 'default'], { error: `motion must be one of ${MOTIONS.join(', ')} or default` }).default('default'),
  /** Transition into the next scene; 'default' takes the storyboard's setting. */
  transition: z.enum([...TRANSITIONS, 'default'], { error: 'transition must be cut, crossfade or default' }).default('default')
})
export type Scene = z.output<typeof Scene>

export const MusicSetting = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('none') }),
    z.strictObject({
      kind: z.literal('generated'),
      mood: z.string().trim().min(1, 'mood is empty').max(200),
      volume: z.number().min(0).max(1).default(0.18),
      duck: z.boolean().default(true)
    }),
    z.strictObject({
      kind: z.literal('asset'),
      assetId: z.string().min(1).max(100),
      volume: z.number().min(0).max(1).default(0.18),
      duck: z.boolean().default(true)
    })
  ],
  { error: 'music.kind must be none, generated or asset' }
)
export type MusicSetting = z.output<typeof MusicSetting>

export const StoryboardSettings = z.strictObject({
  format: z.enum(STORYBOARD_FORMATS, { error: 'format must be 9:16, 16:9 or 1:1' }).default('9:16'),
  language: z.enum(['en', 'fr'], { error: 'language must be en or fr' }).default('en'),
  voice: z
    .strictObject({
      /** A voice name the speech provider knows; absent uses its default for the language. */
      voice: z.string().max(100).optional(),
      speed: z.number().min(0.5, 'speed must be between 0.5 and 2').max(2, 'speed must be between 0.5 and 2').default(1)
    })
    .default({ speed: 1 }),
  music: MusicSetting.default({ kind: 'none' }),
  captions: z
    .strictObject({ mode: z.enum(CAPTION_MODES, { error: 'captions.mode must be sentence, word or none' }).default('sentence') })
    .default({ mode: 'sentence' }),
  motion: z.enum(MOTIONS, { error: `motion must be one of ${MOTIONS.join(', ')}` }).default('zoom-in'),
  transition: z.enum(TRANSITIONS, { error: 'transition must be cut or crossfade' }).default('cut')
})
export type StoryboardSettings = z.output<typeof StoryboardSettings>
export type StoryboardSettingsInput = z.input<typeof StoryboardSettings>

/** What a scene's fields may be set to in one edit (every field optional). */
export const ScenePatch = z.strictObject({
  narration: Scene.shape.narration.unwrap().optional(),
  visual: SceneVisual.optional(),
  duration: SceneDuration.optional(),
  caption: z.string().max(MAX_NARRATION).nullable().optional(),
  motion: Scene.shape.motion.unwrap().optional(),
  transition: Scene.shape.transition.unwrap().optional()
})
export type ScenePatch = z.input<typeof ScenePatch>

const SceneRef = z.string().min(1, 'sceneId is empty').max(40)

/** One edit of a storyboard: each is one transaction and one step of undo. */
export const StoryboardEdit = z.discriminatedUnion(
  'op',
  [
    /** Insert a scene at `index` (0 = first; absent = at the end). */
    z.strictObject({ op: z.literal('addScene'), index: z.number().int().min(0).optional(), scene: ScenePatch.optional() }),
    z.strictObject({ op: z.literal('removeScene'), sceneId: SceneRef }),
    z.strictObject({ op: z.literal('duplicateScene'), sceneId: SceneRef }),
    /** Move a scene to `index` (0-based, in the list as it is after the move). */
    z.strictObject({ op: z.literal('moveScene'), sceneId: SceneRef, index: z.number().int().min(0) }),
    z.strictObject({ op: z.literal('updateScene'), sceneId: SceneRef, patch: ScenePatch }),
    z.strictObject({ op: z.literal('updateSettings'), patch: StoryboardSettings.partial() }),
    z.strictObject({ op: z.literal('rename'), title: z.string().trim().min(1, 'title is empty').max(200) })
  ],
  { error: 'op must be addScene, removeScene, duplicateScene, moveScene, updateScene, updateSettings or rename' }
)
export type StoryboardEdit = z.input<typeof StoryboardEdit>

export const StoryboardSource = z.discriminatedUnion(
  'kind',
  [
    /** The text provider writes the narration; it is split into scenes by sentence. */
    z.strictObject({
      kind: z.literal('idea'),
      idea: z.string().trim().min(3, 'idea is too short (3 characters at least)').max(2_000, 'idea is too long (2000 characters at most)'),
      /** Wanted length in seconds (the script is written for it). */
      lengthSec: z.number().int().min(10).max(600).default(45)
    }),
    /** One scene per asset, in the order given, narration empty. */
    z.strictObject({ kind: z.literal('assets'), assetIds: z.array(z.string().min(1).max(100)).min(1, 'choose at least one asset').max(MAX_SCENES) }),
    z.strictObject({ kind: z.literal('blank') })
  ],
  { error: 'from.kind must be idea, assets or blank' }
)
export type StoryboardSource = z.input<typeof StoryboardSource>

/** Which render: the whole storyboard, or a draft (half size, fastest) of it or of one scene. */
export const RenderRequest = z.strictObject({
  id: z.string().min(1).max(100),
  draft: z.boolean().default(false),
  /** Draft preview of one scene (implies draft). */
  sceneId: SceneRef.optional(),
  priority: z.number().int().min(1).max(10).optional()
})

// ------------------------------------------------------------------ views (engine → UI)

export interface SceneView extends Scene {
  /** 0-based place in the storyboard. */
  index: number
  words: number
  /** Spoken length estimated from the word count (the real one is known after the voice step). */
  estimatedSec: number
  /** Seconds of the last full render (narration + padding, or fixed), when known. */
  renderedSec: number | null
  /** The scene's segment would be rendered again (it changed since the last full render, or never was). */
  changed: boolean
  /** A thumbnail of the visual (an image path in the data folder), when one exists. */
  thumbnail: string | null
}

export interface StoryboardRenderView {
  jobId: string
  revision: number
  draft: boolean
  /** The one scene a preview rendered. */
  sceneId: string | null
  status: 'pending' | 'processing' | 'paused' | 'completed' | 'failed' | 'cancelled'
  progress: number
  createdAt: number
  completedAt: number | null
  /** Data-folder paths of the result, once completed. */
  video: string | null
  subtitles: string | null
  poster: string | null
  durationSec: number | null
  /** Steps that ran, and steps whose artifact was reused unchanged. */
  stepsRun: number
  stepsReused: number
  error: string | null
}

export interface StoryboardView {
  id: string
  projectId: string
  title: string
  settings: StoryboardSettings
  scenes: SceneView[]
  /** The edit the storyboard is at; each edit adds one. */
  revision: number
  canUndo: boolean
  canRedo: boolean
  createdAt: number
  updatedAt: number
  /** Newest render first (full renders and previews). */
  renders: StoryboardRenderView[]
}

export interface StoryboardSummary {
  id: string
  projectId: string
  title: string
  format: StoryboardFormat
  sceneCount: number
  revision: number
  updatedAt: number
  /** The newest completed full render's poster frame. */
  poster: string | null
}

/** What a render would do, before it starts. */
export interface RenderPlanView {
  scenes: number
  /** Scenes whose segment would be rendered again. */
  scenesChanged: number
  stepsToRun: number
  stepsReused: number
  /** Expected wall time, from recent step durations. */
  estimatedMs: number
  /** Expected spend in USD; null when a step's price is unknown. */
  estimatedCostUsd: number | null
}

/** Spoken words per second used for estimates before the voice exists. */
export const WORDS_PER_SECOND = 2.6

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length
}
