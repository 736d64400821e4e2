import { existsSync } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StepError } from '../../src/main/engine/errors'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import { type FfmpegJob, probe, runFfmpeg, toArgv } from '../../src/main/engine/render/ffmpeg'
import { ffmpegPath, makeTone, processesMentioning, rejection, tempDir } from './helpers'

let dir: string
let cleanup: () => Promise<void>
let bin: string

beforeAll(async () => {
  ;({ dir, cleanup } = await tempDir('studio-ffmpeg-'))
  bin = await ffmpegPath()
})
afterAll(() => cleanup())

const testPattern = (output: string, seconds: number, size = '320x240', preset = 'ultrafast'): FfmpegJob => ({
  inputs: [
    { path: `testsrc2=s=${size}:r=25:d=${seconds}`, options: ['-f', 'lavfi'] },
    { path: `sine=frequency=440:duration=${seconds}`, options: ['-f', 'lavfi'] }
  ],
  outputOptions: ['-hide_banner', '-nostdin', '-c:v', 'libx264', '-preset', preset, '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
  output
})

async function subdir(name: string): Promise<string> {
  const d = path.join(dir, name)
  await mkdir(d, { recursive: true })
  return d
}

describe('runFfmpeg', () => {
  it('writes the output under its final name only, reporting progress up to 100', async () => {
    const out = path.join(await subdir('ok'), 'clip.mp4')
    const progress: number[] = []
    const job = testPattern(out, 2)
    const result = await runFfmpeg(job, { ffmpegPath: bin, expectedDurationSec: 2, onProgress: (p) => progress.push(p) })
    expect(result.output).toBe(out)
    expect(await readdir(path.dirname(out))).toEqual(['clip.mp4'])
    expect(progress.at(-1)).toBe(100)
    for (let k = 1; k < progress.length; k++) expect(progress[k]!).toBeGreaterThan(progress[k - 1]!)
    // fluent-ffmpeg ran exactly the argv we build (with the temp name in place of the output).
    const ran = result.commandLine.replace(/^ffmpeg /, '').split(' ')
    const expected = toArgv(job, 'TEMP')
    expect(ran.slice(0, -1)).toEqual(expected.slice(0, -1))
    expect(ran.at(-1)).toMatch(/\/\.clip\.\d+-[0-9a-f]+\.partial\.mp4$/)

    const { ffprobe } = await resolveBinaries()
    const info = await probe(out, { ffprobePath: ffprobe.path })
    expect(info.durationSec).toBeCloseTo(2, 0)
    expect(info.streams.map((s) => s.type).sort()).toEqual(['audio', 'video'])
    expect(info.streams.find((s) => s.type === 'video')).toMatchObject({ codec: 'h264', width: 320, height: 240 })
  })

  it('fails permanently on a missing input, with ffmpeg\'s own words, leaving no file', async () => {
    const d = await subdir('missing')
    const error = await rejection(runFfmpeg(
      { inputs: [{ path: path.join(d, 'nope.wav') }], outputOptions: ['-c:a', 'aac'], output: path.join(d, 'out.m4a') },
      { ffmpegPath: bin }
    ))
    expect(error).toBeInstanceOf(StepError)
    expect(error.kind).toBe('permanent')
    expect(error.message).toContain('No such file or directory')
    expect(await readdir(d)).toEqual([])
  })

  it('fails permanently on a broken filter graph', async () => {
    const d = await subdir('badgraph')
    const job = { ...testPattern(path.join(d, 'out.mp4'), 1), filterComplex: '[0:v]nosuchfilter=1[v]' }
    const error = await rejection(runFfmpeg(job, { ffmpegPath: bin }))
    expect(error.kind).toBe('permanent')
    expect(error.message).toMatch(/No such filter|nosuchfilter/)
    expect(await readdir(d)).toEqual([])
  })

  it('treats ffmpeg dying on its own (killed from outside) as retryable', async () => {
    const d = await subdir('crash')
    const running = rejection(
      runFfmpeg(testPattern(path.join(d, 'out.mp4'), 120, '1280x720', 'medium'), { ffmpegPath: bin })
    )
    let pids: number[] = []
    for (let i = 0; i < 50 && pids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100))
      pids = await processesMentioning(d)
    }
    expect(pids.length).toBeGreaterThan(0)
    for (const pid of pids) process.kill(pid, 'SIGKILL')
    const error = await running
    expect(error.kind).toBe('retryable')
    expect(error.message).toMatch(/SIGKILL/)
    expect(await readdir(d)).toEqual([])
  })

  it('on abort kills ffmpeg within the grace period and removes the partial file', async () => {
    const d = await subdir('abort')
    const controller = new AbortController()
    let abortedAt = 0
    const running = rejection(runFfmpeg(testPattern(path.join(d, 'out.mp4'), 120, '1280x720', 'medium'), {
      ffmpegPath: bin,
      signal: controller.signal,
      expectedDurationSec: 120,
      onProgress: () => {
        if (!abortedAt) {
          abortedAt = Date.now()
          controller.abort()
        }
      }
    }))
    const error = await running
    expect(error).toBeInstanceOf(StepError)
    expect(error.kind).toBe('cancelled')
    expect(Date.now() - abortedAt).toBeLessThan(1500)
    expect(await readdir(d)).toEqual([])
    expect(await processesMentioning(d)).toEqual([])
  })

  it('does not even start when the signal is already aborted', async () => {
    const d = await subdir('pre-aborted')
    const error = await rejection(runFfmpeg(testPattern(path.join(d, 'out.mp4'), 1), {
      ffmpegPath: bin,
      signal: AbortSignal.abort()
    }))
    expect(error.kind).toBe('cancelled')
    expect(existsSync(path.join(d, 'out.mp4'))).toBe(false)
  })
})

describe('probe', () => {
  it('reports duration and streams of an audio file, and a missing file as permanent', async () => {
    const { ffprobe } = await resolveBinaries()
    const wav = await makeTone(path.join(dir, 'tone.wav'), 1.5)
    const info = await probe(wav, { ffprobePath: ffprobe.path })
    expect(info.durationSec).toBeCloseTo(1.5, 2)
    expect(info.streams).toEqual([{ type: 'audio', codec: 'pcm_s16le', durationSec: 1.5 }])
    const error = await rejection(probe(path.join(dir, 'nope.wav'), { ffprobePath: ffprobe.path }))
    expect(error.kind).toBe('permanent')
  })
})
