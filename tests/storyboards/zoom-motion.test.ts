import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { buildSegmentJob, zoomInterval, type SegmentPlan } from '../../src/main/engine/storyboards/segment-graph'
import { ffmpegPath, makeImage, tempDir } from '../render/helpers'

const run = promisify(execFile)
let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

/** The md5 of each frame a filter graph's `label` output gives, in order (no encoding: exact pixels). */
async function frameHashes(inputs: string[], graph: string, label: string): Promise<string[]> {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', ...inputs.flatMap((i) => ['-i', i]), '-filter_complex', graph, '-map', label, '-f', 'framemd5', '-']
  const { stdout } = await run(await ffmpegPath(), args, { maxBuffer: 16 * 1024 * 1024 })
  return stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').at(-1)!.trim())
}

const W = 540
const H = 960

function plan(picture: string, frames: number, motion: 'zoom-in' | 'zoom-out', fromFrame = 0): SegmentPlan {
  return {
    width: W,
    height: H,
    fps: 24,
    scene: { visual: { kind: 'image', path: picture }, motion, totalFrames: frames, fromFrame, frames },
    encoding: { x264Preset: 'ultrafast', crf: 28 },
    output: '/unused.mp4'
  }
}

/** The zoom as drawn on every frame (the graph before zoomInterval), for the same span. */
function everyFrame(frames: number, motion: 'zoom-in' | 'zoom-out'): string {
  const p = `((on+0)/${frames - 1})`
  const z = motion === 'zoom-in' ? `1+0.150*${p}` : `max(1,1.15-0.150*${p})`
  return `[0:v]scale=810:1440:force_original_aspect_ratio=increase,crop=810:1440,format=yuv420p,zoompan=z='${z}':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2':d=${frames}:s=${W}x${H}:fps=24,settb=AVTB,setpts=N/24/TB,format=yuv420p,setsar=1[ref]`
}

describe('a zoom drawn every other frame', () => {
  it('is the same zoom as drawn on every frame, each drawing shown twice, exactly as many frames as the scene', async () => {
    const t = await tempDir('studio-sb-zoom-')
    cleanup = t.cleanup
    const picture = await makeImage(join(t.dir, 'p.png'), 1, '540x960')
    const frames = 150 // 6.25 s at 24 fps: a step of 0.48 px at the top and bottom edges per frame
    expect(zoomInterval(H, frames)).toBe(2)
    for (const motion of ['zoom-in', 'zoom-out'] as const) {
      const job = buildSegmentJob(plan(picture, frames, motion))
      const ours = await frameHashes([picture], job.filterComplex!, '[own]')
      const ref = await frameHashes([picture], everyFrame(frames, motion), '[ref]')
      expect(ours).toHaveLength(frames)
      expect(ref).toHaveLength(frames)
      for (let i = 0; i < frames; i += 2) {
        // Frame 2i is the every-frame zoom's frame 2i, pixel for pixel, and it is held one frame.
        expect(ours[i], `${motion} frame ${i}`).toBe(ref[i])
        if (i + 1 < frames) expect(ours[i + 1], `${motion} frame ${i + 1}`).toBe(ours[i])
        // And the zoom goes on moving: the next drawing differs.
        if (i + 2 < frames) expect(ours[i + 2]).not.toBe(ours[i])
      }
    }
  }, 120_000)

  it('draws a fast zoom (a short scene) on every frame', async () => {
    const t = await tempDir('studio-sb-zoom-')
    cleanup = t.cleanup
    const picture = await makeImage(join(t.dir, 'p.png'), 2, '540x960')
    const frames = 48 // 2 s: 1.5 px per frame at the edges
    expect(zoomInterval(H, frames)).toBe(1)
    const ours = await frameHashes([picture], buildSegmentJob(plan(picture, frames, 'zoom-in')).filterComplex!, '[own]')
    expect(ours).toEqual(await frameHashes([picture], everyFrame(frames, 'zoom-in'), '[ref]'))
  }, 120_000)

  it('continues a zoom past its end at the same pace when it crossfades out', async () => {
    const t = await tempDir('studio-sb-zoom-')
    cleanup = t.cleanup
    const picture = await makeImage(join(t.dir, 'p.png'), 3, '540x960')
    // A 12-frame tail of a 150-frame zoom: drawn every other frame, from the zoom's frame 150 on.
    const whole = plan(picture, 150, 'zoom-in', 150)
    const tail = buildSegmentJob({ ...whole, scene: { ...whole.scene, frames: 12 } })
    expect(tail.filterComplex).toContain('((2*on+150)/149)')
    const hashes = await frameHashes([picture], tail.filterComplex!, '[own]')
    expect(hashes).toHaveLength(12)
    expect(hashes[1]).toBe(hashes[0])
    expect(hashes[2]).not.toBe(hashes[0])
  }, 120_000)
})
