import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { audioDuration, synthesizeMusic } from '../../src/main/engine/render/music'
import { renderVideo } from '../../src/main/engine/render/video'
import { ffmpegPath, makeImage, rejection, tempDir } from './helpers'

const run = promisify(execFile)
let dir: string
let cleanup: () => Promise<void>

beforeAll(async () => {
  ;({ dir, cleanup } = await tempDir('studio-music-'))
})
afterAll(() => cleanup())

/** Mean level in dB of [from, from+length) of a file, optionally through a filter first. */
async function meanVolume(file: string, from: number, length: number, filter = 'anull'): Promise<number> {
  const { stderr } = await run(await ffmpegPath(), [
    '-hide_banner', '-nostdin', '-ss', String(from), '-t', String(length), '-i', file,
    '-af', `${filter},volumedetect`, '-f', 'null', '-'
  ])
  const m = /mean_volume: (-?[\d.]+|-inf) dB/.exec(stderr)
  return m?.[1] === '-inf' || !m ? -Infinity : Number(m[1])
}

describe('synthesizeMusic', () => {
  it('renders an audible chord pad of the requested length, offline', async () => {
    const output = path.join(dir, 'calm.wav')
    const result = await synthesizeMusic({ durationSec: 4, mood: 'calme', output })
    expect(result).toEqual({ path: output, durationSec: 4, mood: 'calm' })
    expect(await audioDuration(output)).toBeCloseTo(4, 1)
    // Faded in and out, audible in the middle.
    expect(await meanVolume(output, 1.5, 1)).toBeGreaterThan(-35)
    expect(await meanVolume(output, 0, 0.1)).toBeLessThan((await meanVolume(output, 1.5, 1)) - 10)
  })

  it('writes compressed formats too and refuses unknown ones', async () => {
    const m4a = await synthesizeMusic({ durationSec: 2, mood: 'epic', output: path.join(dir, 'epic.m4a') })
    expect(await audioDuration(m4a.path)).toBeCloseTo(2, 0)
    const error = await rejection(synthesizeMusic({ durationSec: 2, output: path.join(dir, 'x.xyz') }))
    expect(error.kind).toBe('permanent')
  })

  it('can be cancelled, leaving nothing behind', async () => {
    const sub = path.join(dir, 'cancel')
    const controller = new AbortController()
    const pending = synthesizeMusic({ durationSec: 3600, output: path.join(sub, 'long.wav') }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 300)
    const error = await rejection(pending)
    expect(error.kind).toBe('cancelled')
    expect(await readdir(sub)).toEqual([])
  })
})

describe('music in a render', () => {
  it('is ducked while the narration speaks and comes back in the silence', async () => {
    const bin = await ffmpegPath()
    const narration = path.join(dir, 'speech-then-silence.wav')
    await run(bin, ['-nostdin', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000:duration=2', '-af', 'apad', '-t', '5', narration])
    const music = path.join(dir, 'tone-2k.wav')
    await run(bin, ['-nostdin', '-y', '-f', 'lavfi', '-i', 'sine=frequency=2000:sample_rate=48000:duration=6', music])
    const image = await makeImage(path.join(dir, 'still.png'), 0, '160x288')
    const output = path.join(dir, 'ducked.mp4')
    await renderVideo({
      output,
      size: { width: 160, height: 288 },
      images: [image],
      narration,
      music: { path: music, volume: 0.5, duck: true },
      tailSec: 0,
      x264Preset: 'ultrafast'
    })
    // Listen to the music alone (2 kHz band) while the voice speaks (0–2 s) and once it stopped,
    // before the music's own fade-out (last 1.7 s).
    const band = 'bandpass=f=2000:width_type=h:w=300'
    const underVoice = await meanVolume(output, 0.8, 1, band)
    const alone = await meanVolume(output, 2.6, 0.6, band)
    expect(alone - underVoice).toBeGreaterThan(6)
    // The mix itself does not attenuate the narration (amix would halve it, −6 dB). The only loss
    // is the −3 dB pan law of the mono → stereo upmix, which leaves headroom for the music bed.
    const voice = await meanVolume(output, 0.8, 1, 'bandpass=f=300:width_type=h:w=100')
    expect(voice).toBeGreaterThan((await meanVolume(narration, 0.8, 1)) - 3.5)
  })
})
