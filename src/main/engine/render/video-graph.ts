import type { FfmpegInput, FfmpegJob } from './ffmpeg'
import { even, filterPath, secs } from './filtergraph'

/**
 * Pure construction of the render command: everything is decided (sizes, durations, files)
 * before we get here, so this file only turns a plan into ffmpeg inputs, one filter graph and
 * output options — and can be unit-tested without running anything.
 */

export type Visuals = { kind: 'images'; images: readonly string[] } | { kind: 'video'; path: string }

export type MusicSource =
  | { kind: 'file'; path: string; volume: number; duck: boolean }
  | { kind: 'lavfi'; graph: string; volume: number; duck: boolean }

export type Captions =
  | { kind: 'ass'; assPath: string; fontsDir: string }
  | { kind: 'overlays'; images: ReadonlyArray<{ path: string; start: number; end: number }>; bottomOffsetPx: number }

export interface Encoding {
  x264Preset: string
  crf: number
  audioBitrate: string
}

export interface RenderPlan {
  width: number
  height: number
  fps: number
  /** Output length: narration + tail. */
  durationSec: number
  visuals: Visuals
  narration: string
  music?: MusicSource
  captions?: Captions
  encoding: Encoding
  output: string
}

/**
 * zoompan places its crop window on whole source pixels, so a slow zoom on a frame-sized image
 * moves in visible half-pixel steps. Working on a 1.5× image makes each step a third of an
 * output pixel; 2× is smoother still but costs ~30% more time on a 2-core machine.
 */
export const KEN_BURNS_OVERSAMPLE = 1.5
/** Zoom reached at the end of a zoom-in (and held during pans). */
export const KEN_BURNS_ZOOM = 1.15

export interface KenBurnsMotion {
  z: string
  x: string
  y: string
}

/** Alternating moves so consecutive images do not all do the same thing. */
export function kenBurnsMotion(index: number, frames: number): KenBurnsMotion {
  const last = Math.max(1, frames - 1)
  const progress = `on/${last}`
  const delta = (KEN_BURNS_ZOOM - 1).toFixed(3)
  const centreX = '(iw-iw/zoom)/2'
  const centreY = '(ih-ih/zoom)/2'
  switch (index % 4) {
    case 0:
      return { z: `1+${delta}*${progress}`, x: centreX, y: centreY }
    case 1:
      return { z: `${KEN_BURNS_ZOOM}-${delta}*${progress}`, x: centreX, y: centreY }
    case 2:
      return { z: `${KEN_BURNS_ZOOM}`, x: `(iw-iw/zoom)*${progress}`, y: centreY }
    default:
      return { z: `${KEN_BURNS_ZOOM}`, x: `(iw-iw/zoom)*(1-${progress})`, y: centreY }
  }
}

/** Frames per image: equal shares whose sum is exactly the output frame count. */
export function framesPerImage(totalFrames: number, images: number): number[] {
  return Array.from(
    { length: images },
    (_, i) => Math.round(((i + 1) * totalFrames) / images) - Math.round((i * totalFrames) / images)
  )
}

interface Graph {
  inputs: FfmpegInput[]
  chains: string[]
}

function addInput(graph: Graph, input: FfmpegInput): number {
  graph.inputs.push(input)
  return graph.inputs.length - 1
}

function kenBurns(graph: Graph, plan: RenderPlan, images: readonly string[]): string {
  const totalFrames = Math.max(1, Math.round(plan.durationSec * plan.fps))
  const frames = framesPerImage(totalFrames, images.length)
  const bigW = even(plan.width * KEN_BURNS_OVERSAMPLE)
  const bigH = even(plan.height * KEN_BURNS_OVERSAMPLE)
  const labels: string[] = []
  images.forEach((image, i) => {
    const f = frames[i]!
    if (f <= 0) return // more images than frames: the extra ones would be invisible anyway
    // A single decoded frame in: zoompan emits `d` frames from it, so nothing is decoded twice.
    const index = addInput(graph, { path: image })
    const m = kenBurnsMotion(i, f)
    graph.chains.push(
      `[${index}:v]scale=${bigW}:${bigH}:force_original_aspect_ratio=increase,crop=${bigW}:${bigH},` +
        `format=yuv420p,zoompan=z='${m.z}':x='${m.x}':y='${m.y}':d=${f}:s=${plan.width}x${plan.height}:fps=${plan.fps},` +
        `setsar=1[kb${i}]`
    )
    labels.push(`[kb${i}]`)
  })
  if (labels.length === 1) return labels[0]!
  graph.chains.push(`${labels.join('')}concat=n=${labels.length}:v=1:a=0[slides]`)
  return '[slides]'
}

function backgroundVideo(graph: Graph, plan: RenderPlan, file: string): string {
  // Looped so a short clip still covers a long narration; -t on the output cuts it.
  const index = addInput(graph, { path: file, options: ['-stream_loop', '-1'] })
  graph.chains.push(
    `[${index}:v]scale=${plan.width}:${plan.height}:force_original_aspect_ratio=increase,` +
      `crop=${plan.width}:${plan.height},setsar=1,fps=${plan.fps},format=yuv420p[bg]`
  )
  return '[bg]'
}

function burnCaptions(graph: Graph, captions: Captions | undefined, video: string): string {
  if (!captions) return video
  if (captions.kind === 'ass') {
    graph.chains.push(
      `${video}subtitles=filename=${filterPath(captions.assPath)}:fontsdir=${filterPath(captions.fontsDir)}[captioned]`
    )
    return '[captioned]'
  }
  let current = video
  captions.images.forEach((caption, k) => {
    // A PNG input is one frame; overlay repeats it (eof_action=repeat) while `enable` is true.
    const index = addInput(graph, { path: caption.path })
    const next = `[cap${k}]`
    graph.chains.push(
      `${current}[${index}:v]overlay=x=(W-w)/2:y=H-h-${Math.round(captions.bottomOffsetPx)}:` +
        `enable='between(t,${secs(caption.start)},${secs(caption.end)})'${next}`
    )
    current = next
  })
  return current
}

const AUDIO_FORMAT = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo'

function mixAudio(graph: Graph, plan: RenderPlan): string {
  const narration = addInput(graph, { path: plan.narration })
  // apad: silence after the narration for the tail; -t on the output ends everything together.
  graph.chains.push(`[${narration}:a]${AUDIO_FORMAT},apad[narration]`)
  const music = plan.music
  if (!music) return '[narration]'

  const index =
    music.kind === 'file'
      ? addInput(graph, { path: music.path, options: ['-stream_loop', '-1'] })
      : addInput(graph, { path: music.graph, options: ['-f', 'lavfi'] })
  const fadeOut = Math.min(2, plan.durationSec / 3)
  graph.chains.push(
    `[${index}:a]${AUDIO_FORMAT},volume=${music.volume},` +
      `afade=t=out:st=${secs(plan.durationSec - fadeOut)}:d=${secs(fadeOut)}[music]`
  )
  let bed = '[music]'
  let voice = '[narration]'
  if (music.duck) {
    // The narration keys a compressor on the music: the music dips while someone speaks.
    graph.chains.push('[narration]asplit=2[voice][key]')
    graph.chains.push('[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]')
    bed = '[ducked]'
    voice = '[voice]'
  }
  // amerge+pan sums the two at unity gain; amix would halve the narration.
  graph.chains.push(`${voice}${bed}amerge=inputs=2,pan=stereo|c0=c0+c2|c1=c1+c3[mixed]`)
  return '[mixed]'
}

export function buildRenderJob(plan: RenderPlan): FfmpegJob {
  const graph: Graph = { inputs: [], chains: [] }
  const base =
    plan.visuals.kind === 'images' ? kenBurns(graph, plan, plan.visuals.images) : backgroundVideo(graph, plan, plan.visuals.path)
  const video = burnCaptions(graph, plan.captions, base)
  const audio = mixAudio(graph, plan)
  return {
    inputs: graph.inputs,
    filterComplex: graph.chains.join(';'),
    outputOptions: [
      '-hide_banner',
      '-nostdin',
      '-map', video,
      '-map', audio,
      '-c:v', 'libx264',
      '-preset', plan.encoding.x264Preset,
      '-crf', String(plan.encoding.crf),
      '-pix_fmt', 'yuv420p',
      '-r', String(plan.fps),
      '-c:a', 'aac',
      '-b:a', plan.encoding.audioBitrate,
      '-ar', '48000',
      '-ac', '2',
      '-max_muxing_queue_size', '1024',
      '-movflags', '+faststart',
      '-t', secs(plan.durationSec)
    ],
    output: plan.output
  }
}
