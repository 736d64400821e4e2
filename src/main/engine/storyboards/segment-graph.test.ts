import { describe, expect, it } from 'vitest'
import { buildSegmentJob, type SegmentPlan } from './segment-graph'

const base: SegmentPlan = {
  width: 540,
  height: 960,
  fps: 24,
  scene: { visual: { kind: 'image', path: '/d/a.png' }, motion: 'none', totalFrames: 48, fromFrame: 0, frames: 48 },
  encoding: { x264Preset: 'ultrafast', crf: 23 },
  output: '/d/out.mp4'
}

describe('segment graph', () => {
  it('encodes exactly the scene frames, video only, with the shared encoder settings', () => {
    const job = buildSegmentJob(base)
    expect(job.outputOptions).toContain('-an')
    expect(job.outputOptions.join(' ')).toContain('-frames:v 48')
    expect(job.outputOptions.join(' ')).toContain('-video_track_timescale 90000')
    expect(job.filterComplex).toContain('loop=loop=47:size=1')
  })
  it('pans with a moving crop and zooms with zoompan on an oversampled picture', () => {
    const pan = buildSegmentJob({ ...base, scene: { ...base.scene, motion: 'pan-right' } })
    expect(pan.filterComplex).toMatch(/crop=540:960:x='\(iw-540\)\*min\(1,\(\(n\+0\)\/47\)\)'/)
    expect(pan.filterComplex).not.toContain('zoompan')
    const zoom = buildSegmentJob({ ...base, scene: { ...base.scene, motion: 'zoom-in' } })
    expect(zoom.filterComplex).toContain('scale=810:1440')
    expect(zoom.filterComplex).toContain(':d=48:s=540x960')
  })
  it('crossfades from the previous picture continued past its own end', () => {
    const job = buildSegmentJob({
      ...base,
      crossfadeFrom: { visual: { kind: 'image', path: '/d/prev.png' }, motion: 'zoom-in', totalFrames: 72, fromFrame: 72, frames: 12 }
    })
    expect(job.inputs.map((i) => i.path)).toEqual(['/d/a.png', '/d/prev.png'])
    expect(job.filterComplex).toContain('((on+72)/71)')
    expect(job.filterComplex).toContain("[prev][head]blend=all_expr='A*(1-(N+1)/13)+B*(N+1)/13':shortest=1[mixed]")
    expect(job.filterComplex).toContain('[owntail]trim=start_frame=12')
    expect(job.filterComplex).not.toContain('xfade')
  })
  it('trims a clip from its in point and holds its last frame', () => {
    const job = buildSegmentJob({ ...base, scene: { ...base.scene, visual: { kind: 'video', path: '/d/c.mp4', inSec: 1.5, outSec: 3 } } })
    expect(job.inputs[0]!.options).toEqual(['-ss', '1.5', '-t', '1.5'])
    expect(job.filterComplex).toContain('tpad=stop_mode=clone')
    expect(job.filterComplex).toContain('trim=end_frame=48')
  })
  it('burns captions last', () => {
    const job = buildSegmentJob({ ...base, captions: { assPath: '/d/c.ass', fontsDir: '/f' } })
    expect(job.filterComplex).toMatch(/\[own\]subtitles=filename=\/d\/c\.ass:fontsdir=\/f\[captioned\]$/)
  })
})
