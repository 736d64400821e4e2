import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StepError } from '../../src/main/engine/errors'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import { probe } from '../../src/main/engine/render/ffmpeg'
import { type RenderSpecInput, renderVideo } from '../../src/main/engine/render/video'
import {
  changedShare,
  grayFrame,
  makeClip,
  makeImage,
  makeTone,
  meanDiff,
  processesMentioning,
  rejection,
  tempDir
} from './helpers'

/**
 * Real renders, kept short (3 s of narration) and small where the frame size is not what is
 * being tested, with x264 ultrafast.
 */
let dir: string
let cleanup: () => Promise<void>
let images: string[]
let narration: string
let ffprobePath: string

const NARRATION_SEC = 3
const TAIL_SEC = 0.5
const SMALL = { width: 360, height: 640 }
// Accents, emoji, braces, a backslash and a percent sign: everything that could break a renderer.
const TEXT = 'Ça déménage à Zürich 🎉 ! Été {brûlant} à 100 % : C:\\New.'

beforeAll(async () => {
  ;({ dir, cleanup } = await tempDir('studio-video-'))
  images = await Promise.all([0, 1].map((i) => makeImage(path.join(dir, `image-${i}.png`), i)))
  narration = await makeTone(path.join(dir, 'narration.wav'), NARRATION_SEC)
  ffprobePath = (await resolveBinaries()).ffprobe.path
})
afterAll(() => cleanup())

async function outDir(name: string): Promise<string> {
  const d = path.join(dir, name)
  await mkdir(d, { recursive: true })
  return d
}

const small = (output: string, extra: Partial<RenderSpecInput> = {}): RenderSpecInput => ({
  output,
  size: SMALL,
  images,
  narration,
  x264Preset: 'ultrafast',
  ...extra
})

describe('renderVideo presets', () => {
  it('short: 1080×1920 H.264 + AAC, narration length + tail, faststart, .srt beside it', async () => {
    const output = path.join(await outDir('short'), 'video.mp4')
    const result = await renderVideo({
      output,
      preset: 'short',
      images,
      narration,
      subtitles: { text: TEXT },
      x264Preset: 'ultrafast'
    })
    expect(result).toMatchObject({ path: output, width: 1080, height: 1920, captionRenderer: 'libass' })
    expect(result.durationSec).toBeGreaterThan(NARRATION_SEC + TAIL_SEC - 0.2)
    expect(result.durationSec).toBeLessThan(NARRATION_SEC + TAIL_SEC + 0.2)

    const info = await probe(output, { ffprobePath })
    expect(info.streams.filter((s) => s.type === 'video')).toEqual([
      expect.objectContaining({ codec: 'h264', width: 1080, height: 1920 })
    ])
    expect(info.streams.filter((s) => s.type === 'audio')).toEqual([expect.objectContaining({ codec: 'aac' })])
    expect(Math.abs(info.durationSec - (NARRATION_SEC + TAIL_SEC))).toBeLessThanOrEqual(0.2)

    const bytes = await readFile(output)
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat')) // +faststart
    const srt = await readFile(result.srtPath!, 'utf8')
    expect(srt).toMatch(/^1\n00:00:00,000 --> /)
    expect(srt).toContain('Zürich 🎉 !')
    expect(srt).toContain('C:\\New.')
  })

  it('landscape: 1920×1080 from a looped background clip with ducked music, no subtitles', async () => {
    const d = await outDir('landscape')
    const clip = await makeClip(path.join(d, 'clip.mp4'), 1.5)
    const music = await makeTone(path.join(d, 'music.wav'), 1, 660)
    const output = path.join(d, 'video.mp4')
    const result = await renderVideo({
      output,
      preset: 'landscape',
      backgroundVideo: clip,
      narration,
      music: { path: music, volume: 0.3 },
      x264Preset: 'ultrafast'
    })
    expect(result).toMatchObject({ width: 1920, height: 1080, srtPath: null, captionRenderer: null })
    const info = await probe(output, { ffprobePath })
    expect(info.streams.map((s) => s.type).sort()).toEqual(['audio', 'video'])
    expect(info.streams.find((s) => s.type === 'video')).toMatchObject({ width: 1920, height: 1080 })
    expect(Math.abs(info.durationSec - (NARRATION_SEC + TAIL_SEC))).toBeLessThanOrEqual(0.2)
    expect(existsSync(path.join(d, 'video.srt'))).toBe(false)
  })
})

describe('burned-in captions are visible where and when they should be', () => {
  const rows = { captionTop: 530, captionBottom: 615, farBottom: 300 }
  let plain: string

  beforeAll(async () => {
    plain = (await renderVideo(small(path.join(await outDir('plain'), 'video.mp4')))).path
  })

  async function expectCaptionsVisible(rendered: string) {
    const { width, height } = SMALL
    const inCue = 1.5
    const [a, b] = await Promise.all([grayFrame(plain, inCue, width, height), grayFrame(rendered, inCue, width, height)])
    // Glyphs flip a few percent of the caption band by more than 48 luma levels; far from the
    // captions the two renders are the same frames (only encoder noise).
    const band = changedShare(a, b, width, rows.captionTop, rows.captionBottom)
    expect(band).toBeGreaterThan(0.015)
    expect(changedShare(a, b, width, 0, rows.farBottom)).toBeLessThan(0.001)
    expect(meanDiff(a, b, width, rows.captionTop, rows.captionBottom)).toBeGreaterThan(
      10 * meanDiff(a, b, width, 0, rows.farBottom)
    )
    // After the narration (the tail) there is no cue any more.
    const tail = NARRATION_SEC + 0.3
    const [c, d] = await Promise.all([grayFrame(plain, tail, width, height), grayFrame(rendered, tail, width, height)])
    expect(changedShare(c, d, width, rows.captionTop, rows.captionBottom)).toBeLessThan(0.001)
  }

  it('with libass', async () => {
    const result = await renderVideo(
      small(path.join(await outDir('libass'), 'video.mp4'), { subtitles: { text: TEXT, renderer: 'libass' } })
    )
    expect(result.captionRenderer).toBe('libass')
    await expectCaptionsVisible(result.path)
  })

  it('with the ImageMagick caption renderer', async () => {
    const result = await renderVideo(
      small(path.join(await outDir('imagemagick'), 'video.mp4'), { subtitles: { text: TEXT, renderer: 'imagemagick' } })
    )
    expect(result.captionRenderer).toBe('imagemagick')
    await expectCaptionsVisible(result.path)
  })

  it('karaoke from TTS word timings, with accents and emoji, renders', async () => {
    const words = ['Ça', 'déménage', '🎉', '!', 'Été', '{brûlant}.'].map((text, i) => ({
      text,
      start: i * 0.45,
      end: i * 0.45 + 0.4
    }))
    const result = await renderVideo(
      small(path.join(await outDir('karaoke'), 'video.mp4'), {
        subtitles: { text: 'unused', words, karaoke: true, style: { highlightColor: '#00FF00' } },
        music: { mood: 'joyeux' }
      })
    )
    const srt = await readFile(result.srtPath!, 'utf8')
    expect(srt).toContain('Ça déménage 🎉 !')
    expect(srt).toContain('00:00:00,000 --> ')
    const { width, height } = SMALL
    const [a, b] = await Promise.all([grayFrame(plain, 1.2, width, height), grayFrame(result.path, 1.2, width, height)])
    expect(changedShare(a, b, width, rows.captionTop, rows.captionBottom)).toBeGreaterThan(0.015)
  })
})

describe('cancellation and bad input', () => {
  it('aborting mid-render kills ffmpeg quickly and leaves no output, .srt or temp file', async () => {
    const d = await outDir('cancel')
    const longNarration = await makeTone(path.join(dir, 'long.wav'), 60)
    const controller = new AbortController()
    let abortedAt = 0
    const error = await rejection(renderVideo(
      {
        output: path.join(d, 'video.mp4'),
        size: { width: 720, height: 1280 },
        images,
        narration: longNarration,
        subtitles: { text: TEXT },
        x264Preset: 'medium'
      },
      {
        signal: controller.signal,
        onProgress: () => {
          if (abortedAt) return
          abortedAt = Date.now()
          controller.abort()
        }
      }
    ))
    expect(error).toBeInstanceOf(StepError)
    expect(error.kind).toBe('cancelled')
    expect(abortedAt).toBeGreaterThan(0)
    expect(Date.now() - abortedAt).toBeLessThan(2000)
    expect(await readdir(d)).toEqual([])
    expect(await processesMentioning(d)).toEqual([])
  })

  it('rejects an invalid spec and missing files as permanent errors', async () => {
    const d = await outDir('invalid')
    const notMp4 = await rejection(renderVideo(small(path.join(d, 'video.mov'))))
    expect(notMp4.kind).toBe('permanent')
    expect(notMp4.message).toMatch(/\.mp4/)
    const both = await rejection(renderVideo(small(path.join(d, 'v.mp4'), { backgroundVideo: images[0]! })))
    expect(both.kind).toBe('permanent')
    const missing = await rejection(renderVideo(small(path.join(d, 'v.mp4'), { narration: path.join(d, 'nope.wav') })))
    expect(missing.kind).toBe('permanent')
    expect(missing.message).toContain('nope.wav')
    const karaokeIm = await rejection(renderVideo(
      small(path.join(d, 'v.mp4'), { subtitles: { text: 'x', karaoke: true, renderer: 'imagemagick' } })
    ))
    expect(karaokeIm.kind).toBe('permanent')
    expect(await readdir(d)).toEqual([])
  })
})
