import type { JsonValue } from '../../../../shared/types'
import { copyFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { z } from 'zod'
import { permanent } from '../../errors'
import { TextStyle } from '../../providers/text-style'
import { audioDuration } from '../../render/music'
import type { StudioServices } from '../../services'
import type { PipelineDefinition, StepDefinition } from '../types'
import { buildMesh, meshSpec, primitiveFor, toObj } from './model3d'
import { billing, moderateBeforePaidStep, paidBy } from './moderation'
import { countWords } from './video'
import { logEntry } from '../../../../shared/log-lines'

/** The seed-1 generator kinds as single-step jobs, on the same queue and checkpoint mechanism. */

const Prompt = z.string().trim().min(3, 'prompt is too short (3 characters at least)').max(4000, 'prompt is too long (4000 characters at most)')
const Language = z.enum(['en', 'fr'], { error: 'language must be en or fr' }).default('en')
const Meta = z.record(z.string(), z.unknown()).optional()
const Dim = z.number().int().min(64, 'at least 64 px').max(4096, 'at most 4096 px')

function single(
  name: string,
  title: string,
  input: z.ZodType,
  mainField: string,
  step: Omit<StepDefinition<StudioServices>, 'name' | 'title'>
): PipelineDefinition<StudioServices> {
  return { name, title, mainField, input: input as z.ZodType<Record<string, unknown>>, steps: [{ name: 'generate', title, ...step }] }
}

const TextInput = z.strictObject({
  prompt: Prompt,
  language: Language,
  style: TextStyle.partial().optional(),
  maxTokens: z.number().int().min(16).max(8000).default(600),
  meta: Meta
})

const ImageInput = z.strictObject({
  prompt: Prompt,
  width: Dim.default(1024),
  height: Dim.default(1024),
  style: z.string().max(100).optional(),
  meta: Meta
})

const GRAPHIC_SIZES = {
  logo: { width: 1024, height: 1024 },
  poster: { width: 1080, height: 1350 },
  banner: { width: 1500, height: 500 },
  social: { width: 1080, height: 1080 }
} as const
const GraphicInput = z.strictObject({
  prompt: Prompt,
  kind: z.enum(['logo', 'poster', 'banner', 'social'], { error: 'kind must be logo, poster, banner or social' }).default('poster'),
  title: z.string().max(120).optional(),
  meta: Meta
})

const AudioInput = z.strictObject({
  text: z.string().trim().min(1, 'text is empty').max(20_000, 'text is too long (20 000 characters at most)'),
  language: Language,
  voice: z.string().max(100).optional(),
  meta: Meta
})

const MusicInput = z.strictObject({
  mood: z.string().max(200).default('calm'),
  durationSec: z.number().min(2, 'durationSec must be at least 2').max(600, 'durationSec must be at most 600').default(30),
  meta: Meta
})

const ModelInput = z.strictObject({ prompt: Prompt, meta: Meta })

export const textPipeline = single('text', 'Generate text', TextInput, 'prompt', {
  resource: 'llm',
  estimateMs: 4_000,
  ...paidBy('text'),
  async run(ctx) {
    const i = ctx.input as z.output<typeof TextInput>
    await moderateBeforePaidStep(ctx, 'text', i.prompt)
    const r = await ctx.services.providers().text.generate(
      { prompt: i.prompt, language: i.language, maxTokens: i.maxTokens, ...(i.style ? { style: i.style } : {}) },
      { signal: ctx.signal, onProgress: (p) => ctx.progress(p) }
    )
    const file = await ctx.writeArtifact('text.txt', r.text + '\n')
    return { data: { text: r.text, words: countWords(r.text), offline: r.offline }, files: { text: file }, ...billing(r) }
  }
})

export const imagePipeline = single('image', 'Generate an image', ImageInput, 'prompt', {
  resource: 'image',
  estimateMs: 1_500,
  ...paidBy('image'),
  async run(ctx) {
    const i = ctx.input as z.output<typeof ImageInput>
    await moderateBeforePaidStep(ctx, 'image', [i.prompt, i.style ?? ''])
    const r = await ctx.services.providers().image.generate(
      { prompt: i.prompt, width: i.width, height: i.height, ...(i.style ? { style: i.style } : {}) },
      { signal: ctx.signal, outPath: ctx.artifactPath('image.png'), onProgress: (p) => ctx.progress(p) }
    )
    return { data: { width: r.width, height: r.height, offline: r.offline }, files: { image: r.path }, ...billing(r) }
  }
})

export const graphicPipeline = single('graphic', 'Design a graphic', GraphicInput, 'prompt', {
  resource: 'image',
  estimateMs: 1_500,
  ...paidBy('image'),
  async run(ctx) {
    const i = ctx.input as z.output<typeof GraphicInput>
    const size = GRAPHIC_SIZES[i.kind]
    // The title is drawn by offline cards only; a paid model gets the prompt.
    await moderateBeforePaidStep(ctx, 'image', i.prompt)
    const r = await ctx.services.providers().image.generate(
      { prompt: `${i.kind} design: ${i.prompt}`, ...size, style: `graphic ${i.kind}`, title: i.title ?? i.prompt },
      { signal: ctx.signal, outPath: ctx.artifactPath('graphic.png') }
    )
    return { data: { kind: i.kind, width: r.width, height: r.height }, files: { graphic: r.path }, ...billing(r) }
  }
})

export const audioPipeline = single('audio', 'Synthesize speech', AudioInput, 'text', {
  resource: 'tts',
  estimateMs: 3_000,
  ...paidBy('speech'),
  async run(ctx) {
    const i = ctx.input as z.output<typeof AudioInput>
    await moderateBeforePaidStep(ctx, 'speech', i.text)
    const r = await ctx.services.providers().speech.synthesize(
      { text: i.text, language: i.language, ...(i.voice ? { voice: i.voice } : {}), outPath: ctx.artifactPath('speech.wav') },
      { signal: ctx.signal }
    )
    return { data: { durationSec: r.durationSec }, files: { speech: r.path }, ...billing(r) }
  }
})

export const musicPipeline = single('music', 'Compose music', MusicInput, 'mood', {
  resource: 'music',
  estimateMs: 5_000,
  // Seed 4: three tries, then an existing track. An outage does not use them up: the job waits.
  maxAttempts: 3,
  // Only a music service has a circuit breaker: a local ffmpeg failure is not an outage. (The
  // runner treats a missing provider as "none".)
  provider: (ctx) => {
    const music = ctx.services.providers().music
    return (music.offline ? undefined : music.id) as string
  },
  async run(ctx) {
    const i = ctx.input as z.output<typeof MusicInput>
    const r = await ctx.services.providers().music.generate(
      { mood: i.mood, durationSec: i.durationSec },
      { signal: ctx.signal, outBase: ctx.artifactPath('music'), onProgress: (p, m) => ctx.progress(p, m), resumeDir: ctx.services.resumeDir(ctx.jobId, 'generate') }
    )
    const durationSec = r.durationSec ?? (await audioDuration(r.path, ctx.services.binaries()).catch(() => null))
    // The mood as the user wrote it ("calm lo-fi for studying"); offline, the title is the synthesizer's closest sound.
    const data: Record<string, JsonValue> = { mood: i.mood, durationSec }
    if (r.title) data[r.offline ? 'recipe' : 'title'] = r.title
    return { data, files: { music: r.path }, ...billing(r) }
  },
  /** Seed 4: when generation fails for good, offer an existing track instead — the project's own first, else the last one made. */
  async fallback(ctx, error) {
    const existing = ctx.services.projectTrack(ctx.projectId) ?? ctx.services.latestArtifact('generate', 'music')
    if (!existing) throw permanent(`no existing track to offer instead (${error.message})`)
    const copy = ctx.artifactPath(`music${extname(existing) || '.wav'}`)
    await copyFile(existing, copy)
    ctx.log(logEntry('existingTrack', { track: existing }), 'warn')
    const durationSec = await audioDuration(copy, ctx.services.binaries()).catch(() => null)
    return { data: { reused: existing, durationSec, fallback: 'an existing track', reason: error.message }, files: { music: copy }, provider: 'library' }
  }
})

export const modelPipeline = single('3d', 'Model a 3D object', ModelInput, 'prompt', {
  resource: 'cpu',
  estimateMs: 100,
  async run(ctx) {
    const i = ctx.input as z.output<typeof ModelInput>
    const shape = primitiveFor(i.prompt)
    const mesh = buildMesh(shape)
    const obj = await ctx.writeArtifact('model.obj', toObj(mesh, i.prompt))
    const spec = { ...meshSpec(mesh, shape), prompt: i.prompt, generator: 'offline-primitives' }
    const specFile = await ctx.writeArtifact('spec.json', JSON.stringify(spec, null, 2) + '\n')
    return { data: spec, files: { model: obj, spec: specFile }, provider: 'offline-primitives' }
  }
})
