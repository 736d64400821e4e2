import { describe, expect, it } from 'vitest'
import { toArgv } from './ffmpeg'
import { type RenderPlan, buildRenderJob, framesPerImage, kenBurnsMotion } from './video-graph'

const base: RenderPlan = {
  width: 1080,
  height: 1920,
  fps: 30,
  durationSec: 10.5,
  visuals: { kind: 'images', images: ['/in/a.png', '/in/b.jpg', '/in/c.png'] },
  narration: '/in/voice.wav',
  encoding: { x264Preset: 'veryfast', crf: 20, audioBitrate: '192k' },
  output: '/out/video.mp4'
}

/** Every [label] read in the graph or by -map must be written by exactly one chain. */
function expectConsistentLabels(filter: string, maps: string[]) {
  const chains = filter.split(';')
  const outputsOf = (c: string) => /(?:\[[a-z]\w*\])+$/.exec(c)?.[0] ?? ''
  const labels = (s: string) => [...s.matchAll(/\[([a-z]\w*)\]/g)].map((m) => m[1]!)
  const produced = chains.flatMap((c) => labels(outputsOf(c)))
  const consumed = chains.flatMap((c) => labels(c.slice(0, c.length - outputsOf(c).length)))
  expect(new Set(produced).size).toBe(produced.length)
  for (const label of [...consumed, ...maps.map((m) => m.slice(1, -1))]) expect(produced).toContain(label)
}

const mapsOf = (options: readonly string[]) => options.flatMap((o, i) => (options[i - 1] === '-map' ? [o] : []))

describe('framesPerImage', () => {
  it('shares frames equally and sums to the total exactly', () => {
    expect(framesPerImage(315, 3)).toEqual([105, 105, 105])
    const uneven = framesPerImage(100, 7)
    expect(uneven.reduce((a, b) => a + b, 0)).toBe(100)
    expect(Math.max(...uneven) - Math.min(...uneven)).toBeLessThanOrEqual(1)
  })
})

describe('kenBurnsMotion', () => {
  it('alternates zoom in, zoom out and pans, without commas that would split the graph', () => {
    const moves = [0, 1, 2, 3].map((i) => kenBurnsMotion(i, 90))
    expect(new Set(moves.map((m) => JSON.stringify(m))).size).toBe(4)
    for (const m of moves) expect(`${m.z}${m.x}${m.y}`).not.toContain(',')
    expect(kenBurnsMotion(0, 1).z).toContain('on/1') // no division by zero for a one-frame image
  })
})

describe('buildRenderJob', () => {
  it('builds a Ken Burns slideshow: one input per image, zoompan sized to the output, concat', () => {
    const job = buildRenderJob(base)
    expect(job.inputs.map((i) => i.path)).toEqual(['/in/a.png', '/in/b.jpg', '/in/c.png', '/in/voice.wav'])
    const filter = job.filterComplex!
    expect(filter.match(/zoompan=/g)).toHaveLength(3)
    expect(filter).toContain('d=105:s=1080x1920:fps=30')
    expect(filter).toContain('concat=n=3:v=1:a=0')
    expect(filter).toContain('scale=1620:2880:force_original_aspect_ratio=increase,crop=1620:2880')
    expectConsistentLabels(filter, mapsOf(job.outputOptions))
  })

  it('encodes H.264 yuv420p + AAC with faststart and the exact duration', () => {
    const options = buildRenderJob(base).outputOptions.join(' ')
    expect(options).toContain('-c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p -r 30')
    expect(options).toContain('-c:a aac -b:a 192k')
    expect(options).toContain('-movflags +faststart')
    expect(options).toMatch(/-t 10\.5$/)
  })

  it('burns an ASS file through libass with escaped paths', () => {
    const job = buildRenderJob({
      ...base,
      captions: { kind: 'ass', assPath: "/tmp/it's, [odd]: dir/captions.ass", fontsDir: '/app/resources/fonts' }
    })
    expect(job.filterComplex).toContain(
      "[slides]subtitles=filename=/tmp/it\\\\\\'s\\, \\[odd\\]\\\\: dir/captions.ass:fontsdir=/app/resources/fonts[captioned]"
    )
    expect(mapsOf(job.outputOptions)[0]).toBe('[captioned]')
  })

  it('overlays one PNG per cue, enabled only during its cue', () => {
    const job = buildRenderJob({
      ...base,
      captions: {
        kind: 'overlays',
        bottomOffsetPx: 120,
        images: [
          { path: '/w/c0.png', start: 0, end: 1.25 },
          { path: '/w/c1.png', start: 1.25, end: 3.3333 }
        ]
      }
    })
    expect(job.inputs.map((i) => i.path).slice(3, 5)).toEqual(['/w/c0.png', '/w/c1.png'])
    expect(job.filterComplex).toContain("[slides][3:v]overlay=x=(W-w)/2:y=H-h-120:enable='between(t,0,1.25)'[cap0]")
    expect(job.filterComplex).toContain("[cap0][4:v]overlay=x=(W-w)/2:y=H-h-120:enable='between(t,1.25,3.333)'[cap1]")
    expectConsistentLabels(job.filterComplex!, mapsOf(job.outputOptions))
  })

  it('ducks synthesized music under the narration with a sidechain compressor', () => {
    const job = buildRenderJob({ ...base, music: { kind: 'lavfi', graph: 'sine=d=11', volume: 0.2, duck: true } })
    expect(job.inputs.at(-1)).toEqual({ path: 'sine=d=11', options: ['-f', 'lavfi'] })
    const filter = job.filterComplex!
    expect(filter).toContain('[narration]asplit=2[voice][key]')
    expect(filter).toContain('[music][key]sidechaincompress=')
    expect(filter).toContain('[voice][ducked]amerge=inputs=2')
    expect(mapsOf(job.outputOptions)[1]).toBe('[mixed]')
    expectConsistentLabels(filter, mapsOf(job.outputOptions))
  })

  it('loops a music file and a background clip so they cover the narration', () => {
    const job = buildRenderJob({
      ...base,
      visuals: { kind: 'video', path: '/in/clip.mp4' },
      music: { kind: 'file', path: '/in/song.mp3', volume: 0.3, duck: false }
    })
    expect(job.inputs[0]).toEqual({ path: '/in/clip.mp4', options: ['-stream_loop', '-1'] })
    expect(job.inputs[2]).toEqual({ path: '/in/song.mp3', options: ['-stream_loop', '-1'] })
    expect(job.filterComplex).toContain('crop=1080:1920,setsar=1,fps=30')
    expect(job.filterComplex).not.toContain('sidechaincompress')
    expectConsistentLabels(job.filterComplex!, mapsOf(job.outputOptions))
  })

  it('becomes an argv in fluent-ffmpeg order: inputs, -y, graph, output options, output', () => {
    const argv = toArgv(buildRenderJob(base), '/out/.video.tmp.mp4')
    expect(argv.slice(0, 2)).toEqual(['-i', '/in/a.png'])
    const y = argv.indexOf('-y')
    expect(argv[y + 1]).toBe('-filter_complex')
    expect(argv.at(-1)).toBe('/out/.video.tmp.mp4')
  })
})
