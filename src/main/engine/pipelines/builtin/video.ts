import { realpathSync, statSync } from 'node:fs'
import { isAbsolute, relative } from 'node:path'
import { z } from 'zod'
import type { JsonValue } from '../../../../shared/types'
import { permanent } from '../../errors'
import { adapt } from '../../providers/speech-text'
import { TextStyle } from '../../providers/text-style'
import type { WordTiming } from '../../providers/types'
import { timeWrittenBySpoken } from '../../render/cues'
import { renderVideo } from '../../render/video'
import type { StudioServices } from '../../services'
import type { PipelineDefinition, StepContext, StepDefinition } from '../types'
import { billing, moderateBeforePaidStep, moderationFor, paidBy } from './moderation'
import { phrasesFor } from './phrases'
import { logEntry } from '../../../../shared/log-lines'

export const VideoInput = z.strictObject({
  idea: z.string().trim().min(3, 'idea is too short (3 characters at least)').max(2000, 'idea is too long (2000 characters at most)'),
  language: z.enum(['en', 'fr'], { error: 'language must be en or fr' }).default('en'),
  /** Frame format; the settings' default when absent. */
  preset: z.enum(['short', 'landscape'], { error: 'preset must be short or landscape' }).optional(),
  voice: z.string().max(100).optional(),
  /** Seed 3's writing style for the text steps. */
  style: TextStyle.partial().optional(),
  /** How many visuals to generate when no assets are given. */
  images: z.number().int().min(1).max(12).default(4),
  /** Images from the project (dropped assets) to use instead of generated ones. */
  assets: z.array(z.string().min(1)).max(50).optional(),
  music: z.boolean().default(true),
  /** Caption renderer; the settings' choice when absent. 'none' renders no subtitles. */
  captions: z.enum(['libass', 'imagemagick', 'none']).optional(),
  karaoke: z.boolean().optional(),
  /** Half-size, fastest-encoder render to check a video quickly; the settings' choice when absent. */
  draft: z.boolean().optional(),
  /** The prompt for the script step (a batch template renders it per row); a built-in one otherwise. */
  scriptPrompt: z.string().trim().min(1).max(8000, 'scriptPrompt is too long (8000 characters at most)').optional(),
  /** Keep the script and adapted text as files (their text is always kept in the job). */
  saveIntermediateSteps: z.boolean().default(true),
  /** Where the job came from (batch row...), kept with the job, not used by the steps. */
  meta: z.record(z.string(), z.unknown()).optional()
})
export type VideoInput = z.output<typeof VideoInput>

type Ctx = StepContext<StudioServices>
const input = (ctx: Ctx) => ctx.input as VideoInput
const text = (ctx: Ctx, step: string) => (ctx.outputs[step]?.data as { text?: string } | undefined)?.text ?? ''

const script: StepDefinition<StudioServices> = {
  name: 'script',
  title: 'Write the script',
  resource: 'llm',
  estimateMs: 4_000,
  ...paidBy('text'),
  async run(ctx) {
    const i = input(ctx)
    const provider = ctx.services.providers().text
    // What the model is sent: a batch's rendered prompt, or the idea inside the built-in one.
    await moderateBeforePaidStep(ctx, 'text', i.scriptPrompt ?? i.idea)
    const result = await provider.generate(
      {
        system:
          'You write narration scripts for short vertical videos: a hook, a few vivid sentences, a call to action. ' +
          'Plain spoken text only: no stage directions, no emoji, no markdown.',
        prompt: i.scriptPrompt ?? `Write a 30 to 45 second narration script about: ${i.idea}`,
        topic: i.idea,
        language: i.language,
        ...(i.style ? { style: i.style } : {}),
        format: 'script',
        maxTokens: 400,
        seed: i.idea
      },
      { signal: ctx.signal, onProgress: (p) => ctx.progress(p) }
    )
    const body = result.text.trim()
    if (!body) throw permanent(`${result.provider} returned an empty script`)
    const files: Record<string, string> = {}
    if (i.saveIntermediateSteps) files.script = await ctx.writeArtifact('script.txt', body + '\n')
    if (result.offline) ctx.log(logEntry('offlineScript', { provider: result.provider }))
    return {
      data: {
        text: body,
        words: countWords(body),
        offline: result.offline,
        finishReason: result.finishReason ?? null,
        usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens }
      },
      files,
      ...billing(result)
    }
  }
}

const adaptStep: StepDefinition<StudioServices> = {
  name: 'adapt',
  title: 'Adapt for speech',
  resource: 'cpu',
  estimateMs: 50,
  async run(ctx) {
    const i = input(ctx)
    const spoken = adapt(text(ctx, 'script'), i.language)
    if (!spoken.trim()) throw permanent('nothing left to say once the script was adapted for speech')
    const files: Record<string, string> = {}
    if (i.saveIntermediateSteps) files.speech = await ctx.writeArtifact('speech.txt', spoken + '\n')
    return { data: { text: spoken, words: countWords(spoken) }, files, provider: 'speech-rules' }
  }
}

const audio: StepDefinition<StudioServices> = {
  name: 'audio',
  title: 'Record the narration',
  resource: 'tts',
  estimateMs: 3_000,
  ...paidBy('speech'),
  async run(ctx) {
    const i = input(ctx)
    await moderateBeforePaidStep(ctx, 'speech', text(ctx, 'adapt'))
    const result = await ctx.services.providers().speech.synthesize(
      { text: text(ctx, 'adapt'), language: i.language, ...(i.voice ? { voice: i.voice } : {}), outPath: ctx.artifactPath('narration.wav') },
      { signal: ctx.signal }
    )
    if (!(result.durationSec > 0.2)) throw permanent(`${result.provider} produced no audible narration`)
    ctx.log(logEntry('narration', { provider: result.provider, seconds: result.durationSec.toFixed(1) }))
    return {
      data: { durationSec: result.durationSec, words: (result.words ?? null) as JsonValue, engine: result.provider },
      files: { narration: result.path },
      ...billing(result)
    }
  }
}

/** The visuals step; `assetPath` finds a project asset's file when the input names it by id. */
const visualsStep = (assetPath: (id: string) => string | undefined = () => undefined): StepDefinition<StudioServices> => ({
  name: 'visuals',
  title: 'Make the visuals',
  resource: 'image',
  estimateMs: 1_500,
  provider: (ctx) => ((ctx.input as VideoInput).assets?.length ? 'project-assets' : ctx.services.providers().image.id),
  consults: (ctx) => ((ctx.input as VideoInput).assets?.length ? [] : moderationFor(ctx.services, 'image')),
  async run(ctx) {
    const i = input(ctx)
    if (i.assets?.length) {
      ctx.log(logEntry('projectVisuals', { count: i.assets.length }))
      const images = i.assets.map((a, n) => {
        if (!ASSET_ID.test(a)) return a
        const path = assetPath(a)
        if (!path) throw permanent(`assets[${n}]: the project asset ${a} was removed`)
        return path
      })
      return { data: { images, generated: false }, provider: 'project-assets' }
    }
    const provider = ctx.services.providers().image
    const frame = frameFor(ctx)
    // The card carries the idea as a title; the sentence being said is already in the captions
    // below it. The phrase still varies the prompt, so cards differ and a model gets a scene.
    const prompts = phrasesFor(text(ctx, 'script'), i.idea, i.images).map((phrase) => `${i.idea} — ${phrase}`)
    // Every prompt is checked before the first image is paid for: a flagged fourth prompt must not cost three images.
    await moderateBeforePaidStep(ctx, 'image', prompts)
    const files: Record<string, string> = {}
    let cost = 0
    let costKnown = true
    for (const [n, prompt] of prompts.entries()) {
      const result = await provider.generate(
        { prompt, width: frame.width, height: frame.height, title: cardTitle(i.idea), style: 'cinematic' },
        { signal: ctx.signal, outPath: ctx.artifactPath(`image-${n + 1}.png`) }
      )
      files[`image${n + 1}`] = result.path
      cost += result.costUsd
      costKnown &&= result.priceKnown
      ctx.progress(((n + 1) / prompts.length) * 100, `image ${n + 1}/${prompts.length}`)
    }
    return { data: { images: Object.values(files), generated: true }, files, cost, costKnown, provider: provider.id }
  }
})
const visuals = visualsStep()

const video: StepDefinition<StudioServices> = {
  name: 'video',
  title: 'Render the video',
  resource: 'ffmpeg',
  estimateMs: 20_000,
  async run(ctx) {
    const i = input(ctx)
    const settings = ctx.services.settings()
    const narration = ctx.outputs.audio?.files.narration
    const visuals = (ctx.outputs.visuals?.data as { images?: string[] } | undefined)?.images
    if (!narration || !visuals?.length) throw permanent('the audio and visuals steps left nothing to render')
    // A video among the assets becomes the background clip; otherwise the images make a slideshow.
    const clip = visuals.find((p) => VIDEO_FILE.test(p))
    const images = visuals.filter((p) => !VIDEO_FILE.test(p))
    const audioData = ctx.outputs.audio?.data as { words?: WordTiming[] | null; durationSec?: number } | undefined
    const captions = captionText(text(ctx, 'script'), text(ctx, 'adapt'), audioData?.durationSec ?? 0, audioData?.words ?? undefined)
    const renderer = i.captions ?? settings.captionRenderer
    const preset = i.preset ?? settings.videoPreset
    const draft = i.draft ?? settings.draft
    const full = frameFor(ctx)
    const result = await renderVideo(
      {
        output: ctx.artifactPath('video.mp4'),
        preset,
        ...(draft ? { size: { width: full.width / 2, height: full.height / 2 }, x264Preset: 'ultrafast' as const, fps: 24 } : {}),
        ...(clip ? { backgroundVideo: clip } : { images }),
        narration,
        ...(i.music ? { music: { mood: i.idea, volume: 0.18, duck: true } } : {}),
        ...(renderer === 'none'
          ? {}
          : {
              subtitles: {
                ...captions,
                renderer,
                karaoke: renderer === 'libass' && (i.karaoke ?? settings.karaoke),
                style: settings.subtitleStyle
              }
            }),
        ffmpeg: ctx.services.binaries()
      },
      { signal: ctx.signal, onProgress: (p) => ctx.progress(p) }
    )
    ctx.log(
      logEntry(draft ? 'renderedDraft' : 'rendered', {
        width: result.width,
        height: result.height,
        seconds: result.durationSec.toFixed(1),
        source: result.ffmpeg.source,
        version: result.ffmpeg.version
      })
    )
    const files: Record<string, string> = { video: result.path }
    if (result.srtPath) files.subtitles = result.srtPath
    return {
      data: {
        path: result.path,
        srtPath: result.srtPath,
        durationSec: result.durationSec,
        width: result.width,
        height: result.height,
        captions: result.captionRenderer
      },
      files,
      provider: `ffmpeg (${result.ffmpeg.source})`
    }
  }
}

const VIDEO_FILE = /\.(mp4|mov|m4v|webm|mkv)$/i

/**
 * Captions show the script as written ("25% of U.S. adults"), timed by the narration, which
 * says the adapted text ("twenty-five percent of U. S. adults"). adapt() rewrites inside
 * sentences, so the two line up sentence by sentence. When they do not (a sentence that was
 * only a URL, say), the written script is still what is shown, spread over the narration in
 * proportion to its length: approximate timing reads better than the speech engine's spelling.
 */
function captionText(written: string, spoken: string, durationSec: number, spokenWords: WordTiming[] | undefined): { text: string; words?: WordTiming[] } {
  if (!written.trim()) return { text: spoken, ...(spokenWords?.length ? { words: spokenWords } : {}) }
  const words = timeWrittenBySpoken(written, spoken, durationSec, spokenWords)
  return { text: written, ...(words?.length ? { words } : {}) }
}

/** The idea as a card title: tidied, and cut at a word when it is too long for a card. */
function cardTitle(idea: string, max = 70): string {
  const clean = idea.replace(/\s+/g, ' ').trim()
  const title = clean.charAt(0).toLocaleUpperCase() + clean.slice(1)
  if (title.length <= max) return title
  return `${title.slice(0, max).replace(/\s+\S*$/, '')}…`
}

function frameFor(ctx: Ctx): { width: number; height: number } {
  const preset = input(ctx).preset ?? ctx.services.settings().videoPreset
  return preset === 'landscape' ? { width: 1920, height: 1080 } : { width: 1080, height: 1920 }
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length
}

/** Seed 2's pipeline, done properly: every step checkpointed, a retry never pays twice. */
export const videoPipeline: PipelineDefinition<StudioServices> = {
  name: 'video',
  title: 'Video from an idea',
  mainField: 'idea',
  input: VideoInput as unknown as z.ZodType<Record<string, unknown>>,
  steps: [script, adaptStep, audio, visuals, video]
}

/** A project asset's id (what `assets/list` gives), as opposed to a file path. */
const ASSET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Where a studio's assets are: its data folder, and a project asset's file by its id. */
export interface AssetPlace {
  dataDir: string
  assetPath(id: string): string | undefined
}

/**
 * Why `given` cannot be a video's asset, or null when it can: a project asset's id, or a regular
 * file inside the data folder (where imported assets live), symlinks resolved. A path anywhere
 * else let the command API render any image or video on the machine into an output.
 */
export function assetRefusal(given: string, place: AssetPlace): string | null {
  if (ASSET_ID.test(given)) return place.assetPath(given) ? null : `no project asset with id ${given}`
  if (!isAbsolute(given)) return 'must be a project asset id or the path of a file inside the data folder'
  let real: string
  try {
    real = realpathSync(given)
    if (!statSync(real).isFile()) return `${JSON.stringify(given)} is not a file`
  } catch {
    return `${JSON.stringify(given)} does not exist`
  }
  let root: string
  try {
    root = realpathSync(place.dataDir)
  } catch {
    root = place.dataDir
  }
  const inside = relative(root, real)
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    return `${JSON.stringify(given.slice(0, 200))} is outside the data folder; import it into the project first`
  }
  return null
}

/** The video pipeline of a studio: its assets checked against that studio's data folder at enqueue. */
export function videoPipelineIn(place: AssetPlace): PipelineDefinition<StudioServices> {
  // A refinement, not a transform: the schema stays an object whose fields a batch can map.
  const input = VideoInput.superRefine((value, ctx) => {
    value.assets?.forEach((asset, n) => {
      const refusal = assetRefusal(asset, place)
      if (refusal) ctx.addIssue({ code: 'custom', path: [`assets[${n}]`], message: refusal })
    })
  })
  const steps = videoPipeline.steps.map((step) => (step.name === 'visuals' ? visualsStep((id) => place.assetPath(id)) : step))
  return { ...videoPipeline, input: input as unknown as z.ZodType<Record<string, unknown>>, steps }
}
