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
      const z = s.motion === 'zoom-in' ? `1+${delta}*${progress('on')}` : `max(1,${ZOOM}-${delta}*${progress('on')})`
      // One decoded frame in: zoompan emits the span's frames from it.
      chains.push(
        `[${index}:v]scale=${bigW}:${bigH}:force_original_aspect_ratio=increase,crop=${bigW}:${bigH},format=yuv420p,` +
          `zoompan=z='${z}':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2':d=${s.frames}:s=${W}x${H}:fps=${fps},${tail}`
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
