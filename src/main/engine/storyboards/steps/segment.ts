import { writeFile } from 'node:fs/promises'
import type { Scene } from '../../../../shared/storyboard'
import { permanent } from '../../errors'
import type { StepDefinition } from '../../pipelines/types'
import { adapt } from '../../providers/speech-text'
import { resolveBinaries } from '../../render/binaries'
import { buildCues, timeWrittenBySpoken, type Cue, type WordTiming } from '../../render/cues'
import { runFfmpeg } from '../../render/ffmpeg'
import { emPerFontSize, fontsDir, resolveFont } from '../../render/fonts'
import { cueLayoutFor, toAss } from '../../render/subtitles'
import type { StudioServices } from '../../services'
import type { RenderInput } from '../render-input'
import { buildSegmentJob, type MotionSpan, type SegmentVisual } from '../segment-graph'
import { segmentSpec, type SceneFacts, type SceneSpan } from '../segment-spec'
import { artifactOf, cachedStep, frameOf, renderInput, sceneOf, type Ctx, type StepArtifact } from './common'

function factsFrom(ctx: Ctx) {
  return (scene: Scene): SceneFacts => {
    const visual = artifactOf(ctx, `visual:${scene.id}`)
    if (!visual) throw permanent(`the picture of scene ${scene.id} is missing`)
    const voice = scene.narration.trim() ? artifactOf(ctx, `voice:${scene.id}`) : null
    return { visualKey: visual.key, media: String(visual.media ?? 'image'), voiceKey: voice?.key ?? null, voiceSec: typeof voice?.durationSec === 'number' ? voice.durationSec : null }
  }
}

function segmentVisual(ctx: Ctx, scene: Scene, media: string): SegmentVisual {
  const path = artifactOf(ctx, `visual:${scene.id}`)?.paths.source
  if (!path) throw permanent(`the picture of scene ${scene.id} has no file`)
  if (media === 'video') {
    const v = scene.visual.kind === 'asset' ? scene.visual : null
    return { kind: 'video', path, inSec: v?.inSec ?? 0, outSec: v?.outSec ?? null }
  }
  return { kind: 'image', path }
}

/** One scene's video: its picture or clip, moving, captioned; crossfaded in from the previous scene when it asks for it. */
export const segmentStep: StepDefinition<StudioServices> = {
  name: 'segment',
  title: 'Segment',
  resource: 'ffmpeg',
  estimateMs: 4_000,
  parallel: true,
  async run(ctx: Ctx) {
    const input = renderInput(ctx)
    const { scene, number } = sceneOf(ctx)
    const frame = frameOf(input)
    const settings = ctx.services.settings()
    const spec = segmentSpec(input, scene, factsFrom(ctx), settings.subtitleStyle)
    const { own, prev, overlap, fps, captionText, captioned, encoding, key } = spec
    const captionMode = input.settings.captions.mode
    const span = (p: SceneSpan, fromFrame: number, frames: number): MotionSpan => ({
      visual: segmentVisual(ctx, p.scene, p.facts.media),
      motion: p.motion,
      totalFrames: p.frames,
      fromFrame,
      frames
    })
    return cachedStep(ctx, 'segment', key, number, async () => {
      const binaries = await resolveBinaries(ctx.services.binaries())
      let cues: Cue[] = []
      let captions: { assPath: string; fontsDir: string } | undefined
      if (captioned) {
        if (!binaries.ffmpeg.hasLibass) throw permanent(`ffmpeg ${binaries.ffmpeg.path} has no libass: captions cannot be burned in (set captions to none)`)
        const style = settings.subtitleStyle
        const font = await resolveFont(style.fonts)
        if (!font) throw permanent(`none of the caption fonts is available: ${style.fonts.join(', ')}`)
        const seconds = own.frames / fps
        const spokenSec = own.facts.voiceSec ?? seconds
        const words = captionWords(scene, input, spokenSec, artifactOf(ctx, `voice:${scene.id}`))
        cues = buildCues({ text: captionText, durationSec: Math.min(spokenSec, seconds), ...(words ? { words } : {}) }, cueLayoutFor(style, frame, await emPerFontSize(font.file)))
        const assPath = ctx.artifactPath('captions.ass')
        await writeFile(assPath, toAss(cues, style, { ...frame, karaoke: captionMode === 'word', fontName: font.family }), 'utf8')
        captions = { assPath, fontsDir: fontsDir() }
      }
      const output = ctx.artifactPath('segment.mp4')
      await runFfmpeg(
        buildSegmentJob({
          ...frame,
          fps,
          scene: span(own, 0, own.frames),
          ...(prev ? { crossfadeFrom: span(prev, prev.frames, overlap) } : {}),
          ...(captions ? { captions } : {}),
          encoding,
          output
        }),
        { ffmpegPath: binaries.ffmpeg.path, signal: ctx.signal, expectedDurationSec: own.frames / fps, onProgress: (p) => ctx.progress(p) }
      )
      return { data: { frames: own.frames, fps, cues }, files: { segment: output }, costUsd: 0, provider: `ffmpeg (${binaries.ffmpeg.source})` }
    })
  }
}

/**
 * Captions show the narration as written, timed by what the voice said: the spoken words when the
 * engine reports them, matched sentence by sentence (see timeWrittenBySpoken); an override caption
 * is spread over the narration instead.
 */
function captionWords(scene: Scene, input: RenderInput, spokenSec: number, voice: StepArtifact | null): WordTiming[] | undefined {
  if (scene.caption !== null || !voice) return undefined
  const spokenWords = Array.isArray(voice.words) ? (voice.words as WordTiming[]) : undefined
  return timeWrittenBySpoken(scene.narration, adapt(scene.narration, input.settings.language), spokenSec, spokenWords)
}
