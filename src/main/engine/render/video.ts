import { existsSync } from 'node:fs'
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { StepError, permanent } from '../errors'
import { BinarySettings, type Binaries, resolveBinaries } from './binaries'
import { captionLook, renderCaptionImages } from './captions-imagemagick'
import { type Cue, buildCues } from './cues'
import { probe, runFfmpeg, tempSiblingPath } from './ffmpeg'
import { emPerFontSize, fontsDir, resolveFont } from './fonts'
import { findImageMagick } from './imagemagick'
import { audioDuration, buildMusicGraph } from './music'
import { type Captions, type MusicSource, type RenderPlan, buildRenderJob } from './video-graph'
import { type FrameSize, SubtitleStyle, cueLayoutFor, scaledStyle, toAss, toSrt } from './subtitles'

export const PRESETS = {
  short: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 }
} as const satisfies Record<string, FrameSize>

const WordTiming = z.object({ text: z.string(), start: z.number().min(0), end: z.number().min(0) })
const CueInput = z.object({
  start: z.number().min(0),
  end: z.number().min(0),
  text: z.string(),
  words: z.array(WordTiming).optional()
})

const Volume = z.number().min(0).max(2).default(0.25)

export const SubtitleSpec = z
  .object({
    /** The narration script; cues are timed proportionally to it when there are no word timings. */
    text: z.string().optional(),
    /** Word timings from the TTS, when it gives them. */
    words: z.array(WordTiming).optional(),
    /** Ready-made cues (they win over text/words). */
    cues: z.array(CueInput).optional(),
    renderer: z.enum(['libass', 'imagemagick']).default('libass'),
    /** Word-by-word highlight (libass \k tags). */
    karaoke: z.boolean().default(false),
    style: SubtitleStyle.prefault({})
  })
  .refine((s) => Boolean(s.text?.trim() || s.words?.length || s.cues), 'subtitles need text, words or cues')
  .refine((s) => !(s.karaoke && s.renderer === 'imagemagick'), 'karaoke highlighting needs the libass renderer')

const Even = z.number().int().min(16).max(8192).refine((n) => n % 2 === 0, 'must be even (yuv420p)')

/**
 * Production encodes at x264 `veryfast`: on a 2-core machine `medium` is ~2.5× slower for files
 * ~10–15% smaller at the same CRF, and shorts are re-encoded by every platform anyway. Tests use
 * `ultrafast`.
 */
export const DEFAULT_X264_PRESET = 'veryfast'

export const RenderSpec = z
  .object({
    /** Final .mp4 path. The .srt is written beside it. */
    output: z.string().min(1).refine((p) => /\.mp4$/i.test(p), 'output must end in .mp4'),
    preset: z.enum(['short', 'landscape']).default('short'),
    /** Overrides the preset's size (tests render small). */
    size: z.object({ width: Even, height: Even }).optional(),
    fps: z.number().int().min(1).max(60).default(30),
    /** Ken Burns slideshow, each image shown for an equal share of the duration... */
    images: z.array(z.string().min(1)).min(1).optional(),
    /** ...or a background clip, looped and cropped to fill the frame. */
    backgroundVideo: z.string().min(1).optional(),
    narration: z.string().min(1),
    music: z
      .union([
        z.object({ path: z.string().min(1), volume: Volume, duck: z.boolean().default(true) }),
        z.object({ mood: z.string(), volume: Volume, duck: z.boolean().default(true) })
      ])
      .optional(),
    subtitles: SubtitleSpec.optional(),
    /** Silence kept after the narration, so the last word is not cut by the player. */
    tailSec: z.number().min(0).max(10).default(0.5),
    x264Preset: z
      .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'])
      .default(DEFAULT_X264_PRESET),
    crf: z.number().int().min(0).max(51).default(20),
    audioBitrate: z.string().regex(/^\d{2,3}k$/).default('192k'),
    ffmpeg: BinarySettings.optional()
  })
  .refine((s) => Boolean(s.images) !== Boolean(s.backgroundVideo), 'give either images or backgroundVideo')

export type RenderSpec = z.output<typeof RenderSpec>
export type RenderSpecInput = z.input<typeof RenderSpec>

export interface RenderOptions {
  signal?: AbortSignal
  onProgress?: (percent: number) => void
}

export interface RenderResult {
  path: string
  /** null when the spec had no subtitles. */
  srtPath: string | null
  durationSec: number
  width: number
  height: number
  captionRenderer: 'libass' | 'imagemagick' | null
  ffmpeg: { path: string; version: string; source: string }
}

export async function renderVideo(input: RenderSpecInput, options: RenderOptions = {}): Promise<RenderResult> {
  const spec = parseSpec(input)
  const { signal } = options
  assertFilesExist(spec)
  throwIfAborted(signal)

  const binaries = await resolveBinaries(spec.ffmpeg)
  const frame = spec.size ?? PRESETS[spec.preset]
  const narrationSec = await audioDuration(spec.narration, spec.ffmpeg)
  const durationSec = narrationSec + spec.tailSec
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'studio-render-'))
  try {
    const subtitles = spec.subtitles ? await prepareSubtitles(spec, frame, narrationSec, binaries, workDir, signal) : undefined
    throwIfAborted(signal)
    const plan: RenderPlan = {
      ...frame,
      fps: spec.fps,
      durationSec,
      visuals: spec.images ? { kind: 'images', images: spec.images } : { kind: 'video', path: spec.backgroundVideo! },
      narration: spec.narration,
      ...(spec.music ? { music: musicSource(spec.music, durationSec) } : {}),
      ...(subtitles ? { captions: subtitles.captions } : {}),
      encoding: { x264Preset: spec.x264Preset, crf: spec.crf, audioBitrate: spec.audioBitrate },
      output: spec.output
    }
    await runFfmpeg(buildRenderJob(plan), {
      ffmpegPath: binaries.ffmpeg.path,
      expectedDurationSec: durationSec,
      ...(signal ? { signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {})
    })

    let srtPath: string | null = null
    if (subtitles) {
      srtPath = spec.output.replace(/\.mp4$/i, '.srt')
      await writeAtomically(srtPath, toSrt(subtitles.cues))
    }
    const rendered = await probe(spec.output, { ffprobePath: binaries.ffprobe.path })
    const video = rendered.streams.find((s) => s.type === 'video')
    return {
      path: spec.output,
      srtPath,
      durationSec: rendered.durationSec,
      width: video?.width ?? frame.width,
      height: video?.height ?? frame.height,
      captionRenderer: subtitles?.renderer ?? null,
      ffmpeg: { path: binaries.ffmpeg.path, version: binaries.ffmpeg.version, source: binaries.ffmpeg.source }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

function parseSpec(input: RenderSpecInput): RenderSpec {
  const parsed = RenderSpec.safeParse(input)
  if (!parsed.success) throw permanent(`invalid render spec: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

function assertFilesExist(spec: RenderSpec): void {
  const files = [
    ...(spec.images ?? []),
    ...(spec.backgroundVideo ? [spec.backgroundVideo] : []),
    spec.narration,
    ...(spec.music && 'path' in spec.music ? [spec.music.path] : [])
  ]
  const missing = files.filter((f) => !existsSync(f))
  if (missing.length) throw permanent(`input file(s) not found: ${missing.join(', ')}`)
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StepError('cancelled', 'render cancelled')
}

function musicSource(music: NonNullable<RenderSpec['music']>, durationSec: number): MusicSource {
  if ('path' in music) return { kind: 'file', path: music.path, volume: music.volume, duck: music.duck }
  // Synthesized inside the render command itself: no extra ffmpeg pass, no temp file.
  return { kind: 'lavfi', graph: buildMusicGraph({ durationSec, mood: music.mood }), volume: music.volume, duck: music.duck }
}

interface PreparedSubtitles {
  cues: Cue[]
  captions: Captions
  renderer: 'libass' | 'imagemagick'
}

async function prepareSubtitles(
  spec: RenderSpec,
  frame: FrameSize,
  narrationSec: number,
  binaries: Binaries,
  workDir: string,
  signal: AbortSignal | undefined
): Promise<PreparedSubtitles> {
  const subs = spec.subtitles!
  const style = subs.style
  const font = await resolveFont(style.fonts)
  if (!font) throw permanent(`none of the caption fonts is available: ${style.fonts.join(', ')}`)
  const layout = cueLayoutFor(style, frame, await emPerFontSize(font.file))
  const cues: Cue[] =
    subs.cues ??
    buildCues({ text: subs.text ?? '', durationSec: narrationSec, ...(subs.words ? { words: subs.words } : {}) }, layout)

  const renderer = await pickRenderer(subs.renderer, binaries)
  if (renderer === 'libass') {
    const assPath = path.join(workDir, 'captions.ass')
    await writeFile(assPath, toAss(cues, style, { ...frame, karaoke: subs.karaoke, fontName: font.family }), 'utf8')
    return { cues, renderer, captions: { kind: 'ass', assPath, fontsDir: fontsDir() } }
  }
  const look = await captionLook(style, frame, font)
  const images = await renderCaptionImages(cues, look, { workDir, ...(signal ? { signal } : {}) })
  const bottomOffsetPx = scaledStyle(style, frame).bottomOffset
  return { cues, renderer, captions: { kind: 'overlays', images, bottomOffsetPx } }
}

/** libass when asked and available; an ffmpeg without libass falls back to ImageMagick if present. */
async function pickRenderer(wanted: 'libass' | 'imagemagick', binaries: Binaries): Promise<'libass' | 'imagemagick'> {
  if (wanted === 'imagemagick' || binaries.ffmpeg.hasLibass) return wanted
  const im = await findImageMagick()
  if ('reason' in im) {
    throw permanent(`ffmpeg ${binaries.ffmpeg.path} has no libass and ImageMagick is unavailable (${im.reason})`)
  }
  return 'imagemagick'
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = tempSiblingPath(file)
  try {
    await writeFile(temp, content, 'utf8')
    await rename(temp, file)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
