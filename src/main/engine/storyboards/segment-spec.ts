import type { Motion, Scene } from '../../../shared/storyboard'
import type { SubtitleStyle } from '../render/subtitles'
import { contentKey } from './keys'
import { sceneMotion, sceneTransition, scenesToRender, type RenderInput } from './render-input'
import { crossfadeFrames, sceneFrames, sceneSeconds } from './timing'
import { DEFAULT_X264_PRESET } from '../render/video'
import { zoomInterval } from './segment-graph'
import { frameOf } from './steps/common'

export const ENCODING = { full: { x264Preset: DEFAULT_X264_PRESET, crf: 20 }, draft: { x264Preset: 'ultrafast', crf: 28 } } as const

/** What is known of a scene before its segment: its picture's key and kind, its voice's key and length. */
export interface SceneFacts {
  visualKey: string
  media: string
  voiceKey: string | null
  voiceSec: number | null
}

export interface SceneSpan {
  scene: Scene
  facts: SceneFacts
  motion: Motion
  frames: number
}

export interface SegmentSpec {
  key: string
  own: SceneSpan
  /** The previous scene, when it crossfades into this one, and the frames the crossfade takes. */
  prev: SceneSpan | null
  overlap: number
  fps: number
  captionText: string
  captioned: boolean
  encoding: (typeof ENCODING)['full' | 'draft']
}

/**
 * Everything that decides a scene's segment, and its key. The segment step and the render plan
 * both use it, so what the plan says will be reused is what the render reuses.
 */
export function segmentSpec(input: RenderInput, scene: Scene, factsOf: (scene: Scene) => SceneFacts, style: SubtitleStyle): SegmentSpec {
  const fps = input.draft ? 24 : 30
  const spanOf = (s: Scene): SceneSpan => {
    const facts = factsOf(s)
    return {
      scene: s,
      facts,
      motion: facts.media === 'video' ? 'none' : sceneMotion(s, input.settings),
      frames: sceneFrames(sceneSeconds(s, facts.voiceSec), fps)
    }
  }
  const own = spanOf(scene)
  const rendered = scenesToRender(input)
  const at = rendered.findIndex((s) => s.id === scene.id)
  const before = at > 0 ? rendered[at - 1]! : null
  const fading = before && sceneTransition(before, input.settings) === 'crossfade' ? spanOf(before) : null
  const overlap = fading ? crossfadeFrames(fading.frames, own.frames, fps) : 0
  const prev = overlap > 0 ? fading : null
  const captionText = (scene.caption ?? scene.narration).trim()
  const captioned = input.settings.captions.mode !== 'none' && captionText.length > 0
  const encoding = input.draft ? ENCODING.draft : ENCODING.full
  const frame = input.settings.format
  // How often a zoom is drawn decides its frames (segment-graph's zoomInterval).
  const height = frameOf(input).height
  const drawnEvery = (span: SceneSpan) => (span.motion === 'zoom-in' || span.motion === 'zoom-out' ? zoomInterval(height, span.frames) : 1)
  const key = contentKey('segment', {
    visual: own.facts.visualKey,
    clip: scene.visual.kind === 'asset' && own.facts.media === 'video' ? { in: scene.visual.inSec ?? 0, out: scene.visual.outSec ?? null } : null,
    motion: own.motion,
    drawnEvery: drawnEvery(own),
    frames: own.frames,
    fps,
    format: frame,
    draft: input.draft,
    encoding,
    captions: captioned ? { text: captionText, mode: input.settings.captions.mode, style, timing: scene.caption === null ? own.facts.voiceKey : null } : null,
    crossfade: prev ? { visual: prev.facts.visualKey, motion: prev.motion, drawnEvery: drawnEvery(prev), frames: prev.frames, overlap } : null
  })
  return { key, own, prev, overlap, fps, captionText, captioned, encoding }
}
