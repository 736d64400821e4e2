import type { Motion } from '../../../shared/storyboard'
import type { FfmpegInput, FfmpegJob } from '../render/ffmpeg'
import { even, filterPath, secs } from '../render/filtergraph'

/**
 * Pure construction of one scene's segment: its picture or clip, its motion, an optional
 * crossfade from the previous scene's picture, its captions. Video only (the narration and music
 * are mixed once, at assembly), encoded with the same settings for every segment so that the
 * assembly joins them by stream copy.
 */

export type SegmentVisual =
  | { kind: 'image'; path: string }
  /** A clip from `inSec`; held on its last frame when shorter than the scene. */
  | { kind: 'video'; path: string; inSec: number; outSec: number | null }

export interface MotionSpan {
  visual: SegmentVisual
  motion: Motion
  /** Frames of the whole motion (the scene's length): progress is measured against it. */
  totalFrames: number
  /** First frame of the motion this span shows, and how many frames it shows. */
  fromFrame: number
  frames: number
}

export interface SegmentPlan {
  width: number
  height: number
  fps: number
  scene: MotionSpan
  /** The previous scene's picture, continued past its end and faded into this one. */
  crossfadeFrom?: MotionSpan
  captions?: { assPath: string; fontsDir: string }
  encoding: { x264Preset: string; crf: number }
  output: string
}

/** How far a zoom goes over a scene, and the margin a pan moves across. */
export const ZOOM = 1.15
export const PAN_MARGIN = 1.15
/**
 * zoompan places its window on whole source pixels: on a frame-sized picture a slow zoom moves in
 * visible steps. On a picture 1.5× the frame, each step is a third of an output pixel.
 */
export const ZOOM_OVERSAMPLE = 1.5
/**
 * A zoom moves every pixel, so every frame costs x264 a full encode; measured on a 10 s 1080×1920
 * zoom, that is ~85% of its segment's CPU. A slow zoom's picture changes by less than a pixel from
 * one frame to the next, so it is drawn on every other frame when the step that makes at the top
 * and bottom edges stays within ZOOM_STEP_PX (the pan's own step: it moves by whole pixels): x264
 * skips the repeated frames cheaply and zoompan draws half as many (~20% less CPU per zoom
 * segment, bench/render/storyboard.ts). A faster zoom (a short scene) is drawn on every frame.
 */
export const ZOOM_STEP_PX = 1
export const ZOOM_MAX_INTERVAL = 2

/** Every how many frames a zoom over `totalFrames` frames of a `height`-pixel frame is drawn anew. */
export function zoomInterval(height: number, totalFrames: number): number {
  const perFrame = ((ZOOM - 1) * (height / 2)) / Math.max(1, totalFrames - 1)
  return Math.max(1, Math.min(ZOOM_MAX_INTERVAL, Math.floor(ZOOM_STEP_PX / perFrame)))
}

/** Every segment's encoder settings: the same for all, or the assembly could not stream-copy them. */
export function encoderOptions(fps: number, encoding: SegmentPlan['encoding']): string[] {
  return ['-c:v', 'libx264', '-preset', encoding.x264Preset, '-crf', String(encoding.crf), '-pix_fmt', 'yuv420p', '-r', String(fps), '-video_track_timescale', '90000']
}

export function buildSegmentJob(plan: SegmentPlan): FfmpegJob {
  const inputs: FfmpegInput[] = []
  const chains: string[] = []
  const own = span(plan, plan.scene, inputs, chains, 'own')
  let video = own
  if (plan.crossfadeFrom) {
    // The scene's first frames are blended with the previous picture going on, then the rest
    // follows. A blend over the overlap only (xfade would do it, but ffmpeg builds before 4.3,
    // such as the bundled one, lack it; and blending the whole scene would cost every frame).
    const from = span(plan, plan.crossfadeFrom, inputs, chains, 'prev')
    const k = plan.crossfadeFrom.frames
    const fps = plan.fps
    chains.push(`${own}split=2[ownhead][owntail]`)
    chains.push(`[ownhead]trim=end_frame=${k},setpts=N/${fps}/TB[head]`)
    chains.push(`[owntail]trim=start_frame=${k},setpts=N/${fps}/TB[tail]`)
    chains.push(`${from}[head]blend=all_expr='A*(1-(N+1)/${k + 1})+B*(N+1)/${k + 1}':shortest=1[mixed]`)
    chains.push(`[mixed][tail]concat=n=2:v=1:a=0[faded]`)
    video = '[faded]'
  }
  if (plan.captions) {
    chains.push(`${video}subtitles=filename=${filterPath(plan.captions.assPath)}:fontsdir=${filterPath(plan.captions.fontsDir)}[captioned]`)
    video = '[captioned]'
  }
  return {
    inputs,
    filterComplex: chains.join(';'),
    outputOptions: [
      '-hide_banner',
      '-nostdin',
      '-map',
      video,
      '-an',
      ...encoderOptions(plan.fps, plan.encoding),
      '-frames:v',
      String(plan.scene.frames),
      '-movflags',
      '+faststart'
    ],
    output: plan.output
  }
}

/** One picture or clip with its motion, as a labelled chain of exactly `frames` frames. */
function span(plan: SegmentPlan, s: MotionSpan, inputs: FfmpegInput[], chains: string[], label: string): string {
  const { width: W, height: H, fps } = plan
  const out = `[${label}]`
  const tail = `settb=AVTB,setpts=N/${fps}/TB,format=yuv420p,setsar=1${out}`
  if (s.visual.kind === 'video') {
    const seconds = s.frames / fps
    const start = s.visual.inSec + s.fromFrame / fps
    inputs.push({ path: s.visual.path, options: ['-ss', secs(start), '-t', secs(s.visual.outSec !== null ? Math.max(0.04, s.visual.outSec - start) : seconds)] })
    const index = inputs.length - 1
    // A clip shorter than its scene holds its last frame.
    chains.push(
      `[${index}:v]fps=${fps},scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},` +
        `tpad=stop_mode=clone:stop_duration=${secs(seconds)},trim=end_frame=${s.frames},${tail}`
    )
    return out
  }
  inputs.push({ path: s.visual.path })
  const index = inputs.length - 1
  const last = Math.max(1, s.totalFrames - 1)
  // Progress through the scene's motion, frame by frame (past 1 while it crossfades out).
  const progress = (n: string) => `((${n}+${s.fromFrame})/${last})`
  switch (s.motion) {
    case 'zoom-in':
    case 'zoom-out': {
      const bigW = even(W * ZOOM_OVERSAMPLE)
      const bigH = even(H * ZOOM_OVERSAMPLE)
      const delta = (ZOOM - 1).toFixed(3)
      const k = zoomInterval(H, s.totalFrames)
      // zoompan's frame `on` stands for the span's frame k·on.
      const p = k === 1 ? progress('on') : `((${k}*on+${s.fromFrame})/${last})`
      const z = s.motion === 'zoom-in' ? `1+${delta}*${p}` : `max(1,${ZOOM}-${delta}*${p})`
      // One decoded frame in: zoompan emits the span's frames from it; drawn every k frames, each
      // repeated k times by fps (it emits k·(n-1) frames for n: one more, then cut to the span).
      const drawn = k === 1 ? `d=${s.frames}:s=${W}x${H}:fps=${fps}` : `d=${Math.ceil(s.frames / k) + 1}:s=${W}x${H}:fps=${fps}/${k},fps=${fps},trim=end_frame=${s.frames}`
      chains.push(
        `[${index}:v]scale=${bigW}:${bigH}:force_original_aspect_ratio=increase,crop=${bigW}:${bigH},format=yuv420p,` +
          `zoompan=z='${z}':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2':${drawn},${tail}`
      )
      return out
    }
    case 'pan-left':
    case 'pan-right': {
      // A pan is a moving crop of a slightly larger picture: no scaling per frame at all.
      const bigW = even(W * PAN_MARGIN)
      const bigH = even(H * PAN_MARGIN)
      const p = `min(1,${progress('n')})`
      const x = s.motion === 'pan-right' ? `(iw-${W})*${p}` : `(iw-${W})*(1-${p})`
      chains.push(
        `[${index}:v]scale=${bigW}:${bigH}:force_original_aspect_ratio=increase,crop=${bigW}:${bigH},format=yuv420p,` +
          `loop=loop=${s.frames - 1}:size=1:start=0,crop=${W}:${H}:x='${x}':y='(ih-${H})/2',${tail}`
      )
      return out
    }
    default:
      chains.push(
        `[${index}:v]scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},format=yuv420p,` +
          `loop=loop=${s.frames - 1}:size=1:start=0,${tail}`
      )
      return out
  }
}
