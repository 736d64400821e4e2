import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { phrasesFor } from '../../src/main/engine/pipelines/builtin/phrases'
import { SharpImageProvider } from '../../src/main/engine/providers/sharp-image'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'

/**
 * What a viewer reads in the video: the title cards and the captions. Real offline speech
 * (the OS engine), real sharp cards, real ffmpeg; the script comes from the offline templates,
 * or from a local OpenAI-compatible server when the test needs numbers in it.
 */
const track = closeAfterEach()
const closeStudio = (s: Studio) => s.close(100)
const closeServer = (s: OpenAICompatibleServer) => s.close()

function open(): Studio {
  const studio = track(openStudio({
    dataDir: tempDir('studio-captions-'),
    concurrency: 1,
    env: { STUDIO_TEST_KEY: 'sk-test' },
    timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 },
    backoff: { baseMs: 20, maxMs: 200 }
  }), closeStudio)
  studio.settings.replace({ ...studio.settings.get(), draft: true })
  return studio
}

async function render(studio: Studio, idea: string) {
  const job = studio.queue.enqueue({ type: 'video', input: { idea, images: 2, music: false } })
  studio.startWork()
  await until(() => ['completed', 'failed'].includes(studio.queue.get(job.id)!.status), 60_000, 'the video')
  const done = studio.queue.get(job.id)!
  expect(done.error).toBeNull()
  return done
}

interface SrtCue {
  start: number
  end: number
  text: string
}

function readSrt(file: string): SrtCue[] {
  const seconds = (t: string) => {
    const [h, m, s] = t.replace(',', '.').split(':').map(Number)
    return h! * 3600 + m! * 60 + s!
  }
  return readFileSync(file, 'utf8')
    .trim()
    .split(/\r?\n\r?\n/)
    .map((block) => {
      const [, times = '', ...lines] = block.split(/\r?\n/)
      const [start = '', end = ''] = times.split(' --> ')
      return { start: seconds(start), end: seconds(end), text: lines.join(' ') }
    })
}

describe('what the video shows', () => {
  it('captions show the script as written, timed by the narration that spells it out', async () => {
    const server = track(await startOpenAICompatibleServer(), closeServer)
    const studio = open()
    const endpoint = { kind: 'openai', baseURL: server.baseURL, apiKeyEnv: 'STUDIO_TEST_KEY', model: 'gpt-4o-mini' }
    studio.settings.replace({ ...studio.settings.get(), providers: { text: endpoint } })
    const script = 'In 2024, 25% of U.S. adults baked bread at home. Dr. Smith says a loaf takes 3-5 days, e.g. in winter. Try it this weekend!'
    server.script('chat', [behaviours.ok({ text: script })])

    const done = await render(studio, 'Sourdough in numbers')
    const spoken = (done.steps[1]!.output as { text: string }).text
    expect(spoken).toContain('twenty-five percent') // what the narration says…
    const cues = readSrt(done.steps[4]!.files.subtitles!)
    const shown = cues.map((c) => c.text).join(' ')
    expect(shown).toBe(script) // …and what the captions show.
    expect(shown).not.toMatch(/twenty|percent|Doctor|U\. S\./)

    // Timed by the narration: in order, from the start to the end of the speech.
    const narrationSec = (done.steps[2]!.output as { durationSec: number }).durationSec
    expect(cues[0]!.start).toBeLessThan(0.5)
    expect(cues.at(-1)!.end).toBeCloseTo(narrationSec, 1)
    cues.forEach((cue, k) => k > 0 && expect(cue.start).toBeGreaterThanOrEqual(cues[k - 1]!.end - 1e-3))
    // "In two thousand twenty-four, twenty-five percent of U. S. adults…" takes about half the narration
    // to say, far more than its share of the written text: the second sentence waits for it.
    const second = cues.find((c) => c.text.startsWith('Dr. Smith'))!
    const writtenShare = script.indexOf('Dr. Smith') / script.length
    expect(second.start / narrationSec).toBeGreaterThan(writtenShare + 0.05)
  })

  it('title cards carry the idea, not the sentence the captions already show', async () => {
    const studio = open()
    const idea = 'Why octopuses have three hearts'
    const done = await render(studio, idea)
    const script = (done.steps[0]!.output as { text: string }).text
    expect(script).toMatch(/\bwhy octopuses have three hearts/)
    expect(script).not.toMatch(/\S (?:Why octopuses|why octopuses have three hearts \w+ (?:has|becomes|does))/)

    // The card the step made, against the same card drawn with the idea, and with the sentence, as title.
    const phrase = phrasesFor(script, idea, 2)[0]!
    const request = { prompt: `${idea} — ${phrase}`, width: 1080, height: 1920, style: 'cinematic' }
    const pixels = (file: string) => sharp(file).raw().toBuffer()
    const draw = async (title: string, name: string) => {
      const outPath = join(studio.dataDir, name)
      await new SharpImageProvider().generate({ ...request, title }, { signal: new AbortController().signal, outPath })
      return pixels(outPath)
    }
    const card = await pixels(done.steps[3]!.files.image1!)
    expect(card.equals(await draw(idea, 'with-idea.png'))).toBe(true)
    expect(card.equals(await draw(phrase, 'with-sentence.png'))).toBe(false)
  })
})
