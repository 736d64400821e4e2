/**
 * The karaoke highlight seen in the video's pixels, timed by ElevenLabs: the narration comes from
 * the official SDK talking to the local fake of the with-timestamps endpoint, the captions are
 * built the way the video step builds them, and a real ffmpeg + libass renders them. Frames
 * decoded at instants inside each word's timing show the highlight colour on that word (and the
 * words before it, as \k karaoke does), never on the next one; between two words it stays on the
 * word just said. The expected instants are read from the raw character timings the fake
 * returned, not from the studio's own conversion of them.
 * Twice: once through renderVideo as the video step calls it, and once as a whole video job
 * (script from a local OpenAI-compatible fake, narration from the ElevenLabs fake, the word
 * timings stored by the audio step and read back by the video step, a draft render).
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { ElevenLabsSpeechProvider } from '../../src/main/engine/providers/elevenlabs-speech'
import { adapt } from '../../src/main/engine/providers/speech-text'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import { timeWrittenBySpoken } from '../../src/main/engine/render/cues'
import { renderVideo } from '../../src/main/engine/render/video'
import { openStudio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { startElevenLabsServer, type Alignment } from '../helpers/elevenlabs-server'
import { tempDir, until } from '../helpers/engine'
import { behaviours, startOpenAICompatibleServer } from '../helpers/openai-compatible-server'

const run = promisify(execFile)
const track = closeAfterEach()
const KEY = 'xi-test-key'

/** What the checks need to know about a rendered video. */
interface Video {
  path: string
  srtPath: string
  width: number
  height: number
  fps: number
  /** Caption font size in pixels of this frame (the style's size is for a 1080 px wide frame). */
  fontPx: number
}

const HIGHLIGHT = '#FFD400'
/** Frames are picked this far from a word's start or from the next one (frame period 40 ms, ASS centiseconds). */
const MARGIN_SEC = 0.045

/** Plain English words (adapt() leaves them alone), two sentences, the second wrapping onto two lines. */
const WRITTEN = 'Start with a bin. Mix the greens and the browns in thin layers, then water the heap once a week.'

interface Word {
  text: string
  start: number
  end: number
}

/** Words from the raw character timings: a word starts with its first character and ends with its last. */
function wordsOf(alignment: Alignment): Word[] {
  const words: Word[] = []
  let current: Word | undefined
  alignment.characters.forEach((c, i) => {
    if (/\s/.test(c)) {
      if (current) words.push(current)
      current = undefined
      return
    }
    if (current) {
      current.text += c
      current.end = alignment.character_end_times_seconds[i]!
    } else current = { text: c, start: alignment.character_start_times_seconds[i]!, end: alignment.character_end_times_seconds[i]! }
  })
  if (current) words.push(current)
  return words
}

interface SrtCue {
  start: number
  end: number
  lines: string[][]
}

function parseSrt(srt: string): SrtCue[] {
  const seconds = (t: string) => {
    const [h, m, s] = t.replace(',', '.').split(':').map(Number)
    return h! * 3600 + m! * 60 + s!
  }
  return srt
    .trim()
    .split(/\n\n+/)
    .map((block) => {
      const [, times = '', ...lines] = block.split('\n')
      const [from = '', to = ''] = times.split(' --> ')
      return { start: seconds(from), end: seconds(to), lines: lines.map((l) => l.trim().split(/\s+/)) }
    })
}

type Rgb = Buffer

const isHighlight = (r: number, g: number, b: number) => r > 190 && g > 150 && g < 240 && b < 100
const isWhite = (r: number, g: number, b: number) => r > 200 && g > 200 && b > 200

interface WordBox {
  x0: number
  x1: number
  highlighted: boolean
}

/**
 * The caption's words as boxes, line by line, read from the pixels: text is the white or
 * highlight-coloured fill; lines are split at the emptiest row between them, words at column gaps
 * wider than any gap inside a word. A box is highlighted when most of its fill is the highlight colour.
 */
function captionWords(frame: Rgb, width: number, height: number, lineCount: number, fontPx: number): WordBox[][] {
  const kind = (x: number, y: number): 0 | 1 | 2 => {
    const i = (y * width + x) * 3
    const [r, g, b] = [frame[i]!, frame[i + 1]!, frame[i + 2]!]
    return isHighlight(r, g, b) ? 2 : isWhite(r, g, b) ? 1 : 0
  }
  const rowCount = Array.from({ length: height }, (_, y) => {
    let n = 0
    for (let x = 0; x < width; x++) if (kind(x, y)) n++
    return n
  })
  const top = rowCount.findIndex((n) => n > 0)
  if (top < 0) return []
  const bottom = height - 1 - [...rowCount].reverse().findIndex((n) => n > 0)
  // Split points: the emptiest row around each expected line boundary.
  const cuts = [top]
  const lineHeight = (bottom - top + 1) / lineCount
  for (let l = 1; l < lineCount; l++) {
    const around = Math.round(top + l * lineHeight)
    let best = around
    for (let y = around - Math.round(lineHeight * 0.3); y <= around + Math.round(lineHeight * 0.3); y++) if (rowCount[y]! < rowCount[best]!) best = y
    cuts.push(best)
  }
  cuts.push(bottom + 1)
  const minGap = Math.round(fontPx * 0.2)
  return cuts.slice(0, -1).map((y0, l) => {
    const y1 = cuts[l + 1]!
    const column = (x: number) => {
      let white = 0
      let yellow = 0
      for (let y = y0; y < y1; y++) {
        const k = kind(x, y)
        if (k === 1) white++
        else if (k === 2) yellow++
      }
      return { white, yellow }
    }
    const boxes: Array<WordBox & { white: number; yellow: number }> = []
    let gap = Infinity
    for (let x = 0; x < width; x++) {
      const c = column(x)
      if (c.white + c.yellow === 0) {
        gap++
        continue
      }
      const last = boxes.at(-1)
      if (last && gap < minGap) {
        last.x1 = x
        last.white += c.white
        last.yellow += c.yellow
      } else boxes.push({ x0: x, x1: x, highlighted: false, ...c })
      gap = 0
    }
    return boxes.map((b) => ({ x0: b.x0, x1: b.x1, highlighted: b.yellow > b.white }))
  })
}

/** Captions sit bottom-centred: only the lower part of each frame is decoded. */
const regionTop = (video: Video) => Math.round(video.height * 0.55)

/** Every frame, in order (frame k is the one shown at k / fps), as RGB bytes of the lower part. */
async function decodeFrames(ffmpeg: string, video: Video): Promise<Rgb[]> {
  const top = regionTop(video)
  const height = video.height - top
  const { stdout } = await run(
    ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', video.path, '-vf', `crop=${video.width}:${height}:0:${top}`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 }
  )
  const size = video.width * height * 3
  return Array.from({ length: Math.floor(stdout.length / size) }, (_, k) => stdout.subarray(k * size, (k + 1) * size))
}

async function background(dir: string): Promise<string> {
  const file = join(dir, 'background.png')
  const { ffmpeg } = await resolveBinaries()
  await run(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', 'color=c=0x1E3A5F:s=640x480', '-frames:v', '1', file])
  return file
}

/**
 * The karaoke seen in the frames against what the fake said: at an instant just after each word
 * starts, and just before the next one, the highlight ends on that word; between two words it
 * is still on the word just said; and it moves in reading order, along a line then down.
 */
async function expectHighlightFollows(video: Video, said: readonly Word[], written: string): Promise<void> {
  const { ffmpeg } = await resolveBinaries()
  // Which words each caption shows, line by line (the .srt written beside the video).
  const cues = parseSrt(await readFile(video.srtPath, 'utf8'))
  expect(cues.flatMap((c) => c.lines.flat())).toEqual(written.split(' '))
  expect(cues.some((c) => c.lines.length > 1)).toBe(true) // the highlight also has to change line
  const place: Array<{ cue: number; line: number; word: number; inCue: number }> = []
  cues.forEach((c, cue) => {
    let inCue = 0
    c.lines.forEach((line, l) => line.forEach((_, w) => place.push({ cue, line: l, word: w, inCue: inCue++ })))
  })

  const frames = await decodeFrames(ffmpeg.path, video)
  expect(frames.length).toBeGreaterThanOrEqual(Math.floor(said.at(-1)!.end * video.fps))
  const regionHeight = video.height - regionTop(video)
  /** The frame shown at `k / video.fps`, read: which word of its caption carries the highlight last. */
  const look = (k: number, i: number) => {
    const cue = cues[place[i]!.cue]!
    const boxes = captionWords(frames[k]!, video.width, regionHeight, cue.lines.length, video.fontPx)
    const at = `frame ${k} (${(k / video.fps).toFixed(2)} s), expecting "${said[i]!.text}"`
    expect(boxes.map((line) => line.length), `${at}: words per line`).toEqual(cue.lines.map((line) => line.length))
    const flat = boxes.flatMap((line, l) => line.map((b) => ({ ...b, line: l })))
    const lit = flat.filter((b) => b.highlighted).length
    // \k karaoke: the words said so far carry the highlight, the rest do not.
    expect(flat.map((b) => b.highlighted), at).toEqual(flat.map((_, j) => j < lit))
    return { lit, box: flat[lit - 1] }
  }

  // Inside each word's time, just after it starts: the highlight ends exactly on that word.
  const positions: Array<{ cue: number; line: number; x: number }> = []
  said.forEach((word, i) => {
    const next = said[i + 1]?.start ?? word.end + 0.3
    const k = Math.ceil((word.start + MARGIN_SEC) * video.fps)
    expect(k / video.fps, `a frame inside "${word.text}"`).toBeLessThanOrEqual(next - MARGIN_SEC)
    const seen = look(k, i)
    expect(seen.lit, `frame ${k}: highlighted words of the caption while "${word.text}" is said`).toBe(place[i]!.inCue + 1)
    positions.push({ cue: place[i]!.cue, line: seen.box!.line, x: seen.box!.x0 })
    // Until just before the next word of the caption starts, it stays on this one.
    if (place[i + 1]?.cue !== place[i]!.cue) return
    const late = Math.floor((next - MARGIN_SEC) * video.fps)
    if (late > k) expect(look(late, i).box, `frame ${late}: still on "${word.text}" just before "${said[i + 1]!.text}"`).toEqual(seen.box)
  })
  // ...and so it moves in reading order: right along a line, then down to the next line.
  for (let i = 1; i < positions.length; i++) {
    const [a, b] = [positions[i - 1]!, positions[i]!]
    if (a.cue !== b.cue) continue
    expect(b.line > a.line || (b.line === a.line && b.x > a.x), `"${said[i]!.text}" after "${said[i - 1]!.text}"`).toBe(true)
  }
  expect(positions.some((p) => p.line > 0), 'the highlight reached a second line').toBe(true)

  // Between two words of a caption (the pause the fake puts after each word): still on the word just said.
  let gaps = 0
  said.forEach((word, i) => {
    const next = said[i + 1]
    if (!next || place[i + 1]!.cue !== place[i]!.cue) return
    const k = Math.round(((word.end + next.start) / 2) * video.fps)
    if (k / video.fps < word.end + 0.015 || k / video.fps > next.start - 0.015) return
    gaps++
    expect(look(k, i).lit, `frame ${k}, between "${word.text}" and "${next.text}"`).toBe(place[i]!.inCue + 1)
  })
  expect(gaps).toBeGreaterThanOrEqual(5)
}

it('the highlight colour moves word by word, in reading order, when the ElevenLabs timings say each word', { timeout: 180_000 }, async () => {
  const server = track(await startElevenLabsServer({ key: KEY }), (s) => s.close())
  const dir = tempDir('karaoke-frames-')
  const spoken = adapt(WRITTEN, 'en')
  expect(spoken).toBe(WRITTEN) // so word k said is word k shown

  // The audio step: ElevenLabs through the official SDK.
  const speech = await new ElevenLabsSpeechProvider({ baseURL: server.baseURL, apiKey: KEY, timeoutMs: 10_000 }).synthesize(
    { text: spoken, language: 'en', outPath: join(dir, 'narration.wav') },
    { signal: new AbortController().signal }
  )
  const said = wordsOf(server.alignments[0]!)
  expect(said.map((w) => w.text)).toEqual(WRITTEN.split(' '))

  // The video step's render: the written script timed by the narration, karaoke captions through libass.
  const words = timeWrittenBySpoken(WRITTEN, spoken, speech.durationSec, speech.words)
  const size = { width: 720, height: 1280 }
  const fontSize = 64
  const result = await renderVideo({
    output: join(dir, 'video.mp4'),
    size,
    fps: 25,
    images: [await background(dir)],
    narration: speech.path,
    x264Preset: 'ultrafast',
    crf: 12,
    subtitles: { text: WRITTEN, ...(words ? { words } : {}), karaoke: true, style: { fontSize, highlightColor: HIGHLIGHT } }
  })
  expect(result.captionRenderer).toBe('libass')
  await expectHighlightFollows({ path: result.path, srtPath: result.srtPath!, ...size, fps: 25, fontPx: (fontSize * size.width) / 1080 }, said, WRITTEN)
})

it('in a video job: the script from the text step, ElevenLabs narration, and the rendered video highlights each word when the fake said it', { timeout: 240_000 }, async () => {
  const eleven = track(await startElevenLabsServer({ key: KEY }), (s) => s.close())
  const openai = track(await startOpenAICompatibleServer(), (s) => s.close())
  const dir = tempDir('karaoke-job-')
  const studio = track(
    openStudio({ dataDir: join(dir, 'studio'), concurrency: 1, env: { XI_TEST: KEY, STUDIO_TEST_KEY: 'sk-test' }, timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 }, backoff: { baseMs: 20, maxMs: 200 } }),
    (s) => s.close(100)
  )
  const settings = studio.settings.get()
  const fontSize = 80
  studio.settings.replace({
    ...settings,
    draft: true,
    karaoke: true,
    captionRenderer: 'libass',
    subtitleStyle: { ...settings.subtitleStyle, fontSize, highlightColor: HIGHLIGHT },
    providers: {
      text: { kind: 'openai', baseURL: openai.baseURL, apiKeyEnv: 'STUDIO_TEST_KEY', model: 'gpt-4o-mini' },
      speech: { kind: 'elevenlabs', baseURL: eleven.baseURL, apiKeyEnv: 'XI_TEST' }
    }
  })
  openai.script('chat', [behaviours.ok({ text: WRITTEN })])
  const job = studio.queue.enqueue({ type: 'video', input: { idea: 'Compost at home', language: 'en', assets: [await background(join(dir, 'studio'))], music: false } })
  studio.startWork()
  await until(() => ['completed', 'failed'].includes(studio.queue.get(job.id)!.status), 180_000, 'the video job')
  const done = studio.queue.get(job.id)!
  expect(done.error).toBeNull()
  expect(done.steps.find((s) => s.name === 'audio')!.provider).toBe('elevenlabs:eleven_multilingual_v2')
  expect(eleven.calls('POST /v1/text-to-speech/:voice/with-timestamps')).toBe(1)
  const said = wordsOf(eleven.alignments[0]!)
  expect(said.map((w) => w.text)).toEqual(WRITTEN.split(' '))

  const step = done.steps.find((s) => s.name === 'video')!
  const { width, height } = step.output as { width: number; height: number }
  expect([width, height]).toEqual([540, 960]) // the draft: half of a short
  // Draft renders at 24 frames per second.
  await expectHighlightFollows({ path: step.files.video!, srtPath: step.files.subtitles!, width, height, fps: 24, fontPx: (fontSize * width) / 1080 }, said, WRITTEN)
})
