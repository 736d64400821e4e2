/**
 * ElevenLabs narration through the official SDK against a local fake of its REST API: voices,
 * the with-timestamps endpoint, character timings turned into word timings that drive the
 * karaoke captions, and the errors ElevenLabs sends.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { wordsFromAlignment } from '../../src/main/engine/providers/char-alignment'
import { ElevenLabsSpeechProvider } from '../../src/main/engine/providers/elevenlabs-speech'
import { adapt } from '../../src/main/engine/providers/speech-text'
import { readWavInfo } from '../../src/main/engine/providers/wav'
import { buildCues, timeWrittenBySpoken } from '../../src/main/engine/render/cues'
import { DEFAULT_SUBTITLE_STYLE, toAss } from '../../src/main/engine/render/subtitles'
import { openStudio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { startElevenLabsServer, VOICES, type ElevenLabsFake } from '../helpers/elevenlabs-server'
import { misbehave } from '../helpers/fake-http'
import { tempDir, until } from '../helpers/engine'
import { failure } from '../helpers/step-error'

const track = closeAfterEach()
const KEY = 'xi-test-key'
const TTS = 'POST /v1/text-to-speech/:voice/with-timestamps'
const signal = () => new AbortController().signal

async function fake(options: { quota?: number } = {}): Promise<ElevenLabsFake> {
  return track(await startElevenLabsServer({ key: KEY, ...options }), (s) => s.close())
}
const provider = (server: ElevenLabsFake, extra: Partial<ConstructorParameters<typeof ElevenLabsSpeechProvider>[0]> = {}) =>
  new ElevenLabsSpeechProvider({ baseURL: server.baseURL, apiKey: KEY, timeoutMs: 2_000, ...extra })

/** Each karaoke word's absolute start, read back from the ASS Dialogue lines' {\kN} tags. */
function assWordStarts(ass: string): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = []
  for (const line of ass.split('\n').filter((l) => l.startsWith('Dialogue:'))) {
    const [, startText = '', , , , , , , , ...rest] = line.split(',')
    const [h, m, s] = startText.split(':').map(Number)
    let t = h! * 3600 + m! * 60 + s!
    for (const [, cs, word] of rest.join(',').matchAll(/\{\\k(\d+)\}([^{]*)/g)) {
      const text = word!.replace(/\\N/g, '').trim()
      if (text) out.push({ text, start: Math.round(t * 100) / 100 })
      t += Number(cs) / 100
    }
  }
  return out
}

describe('ElevenLabs speech', () => {
  it('lists the account voices for Settings', async () => {
    const server = await fake()
    const voices = await provider(server).voices()
    expect(voices.map((v) => v.id)).toEqual(VOICES.map((v) => v.voice_id))
    expect(voices[2]).toMatchObject({ name: 'Chloé', category: 'cloned', language: 'fr' })
    expect(server.requests('GET /v1/voices')[0]?.headers['xi-api-key']).toBe(KEY)
  })

  it('writes the WAV, asks for PCM with the model, voice and voice settings, and prices the characters', async () => {
    const server = await fake()
    const dir = tempDir('elevenlabs-')
    const text = 'Compost turns scraps into soil.'
    const result = await provider(server, { voice: 'ErXwobaYiN019PkySvjV', voiceSettings: { stability: 0.4, similarityBoost: 0.8 } }).synthesize({ text, language: 'en', outPath: join(dir, 'n.wav') }, { signal: signal() })
    const request = server.requests(TTS)[0]!
    expect(request.path).toBe('/v1/text-to-speech/ErXwobaYiN019PkySvjV/with-timestamps')
    expect(request.query.get('output_format')).toBe('pcm_24000')
    expect(request.body).toMatchObject({ text, model_id: 'eleven_multilingual_v2', voice_settings: { stability: 0.4, similarity_boost: 0.8 } })
    const info = await readWavInfo(result.path)
    expect(info.sampleRate).toBe(24_000)
    expect(info.durationSec).toBeCloseTo(result.durationSec, 2)
    expect(result).toMatchObject({ provider: 'elevenlabs:eleven_multilingual_v2', offline: false, priceKnown: true })
    expect(result.costUsd).toBeCloseTo((text.length * 100) / 1e6, 12)
  })

  it("turns the character timings into word timings, and the ASS karaoke starts each word when the fake said it", async () => {
    const server = await fake()
    const written = 'Start with a bin. Mix greens and browns, then wait!'
    const spoken = adapt(written, 'en')
    const result = await provider(server).synthesize({ text: spoken, language: 'en', outPath: join(tempDir('elevenlabs-'), 'n.wav') }, { signal: signal() })
    const expected = wordsFromAlignment({
      characters: server.alignments[0]!.characters,
      characterStartTimesSeconds: server.alignments[0]!.character_start_times_seconds,
      characterEndTimesSeconds: server.alignments[0]!.character_end_times_seconds
    })
    expect(result.words).toEqual(expected)
    expect(expected.map((w) => w.text)).toEqual(spoken.split(/\s+/))

    // The video step's path: the written script timed by the narration, cues, then the ASS.
    const words = timeWrittenBySpoken(written, spoken, result.durationSec, result.words)
    const cues = buildCues({ text: written, durationSec: result.durationSec, ...(words ? { words } : {}) })
    const ass = toAss(cues, DEFAULT_SUBTITLE_STYLE, { width: 1080, height: 1920, karaoke: true })
    const shown = assWordStarts(ass)
    expect(shown.map((w) => w.text)).toEqual(written.split(' '))
    shown.forEach((w, k) => expect(Math.abs(w.start - expected[k]!.start), `"${w.text}"`).toBeLessThanOrEqual(0.011))
  })

  it('offsets the timings of a long text sent in parts', async () => {
    const server = await fake()
    const text = 'One two three. Four five six. Seven eight nine.'
    const result = await provider(server, { maxCharsPerRequest: 16 }).synthesize({ text, language: 'en', outPath: join(tempDir('elevenlabs-'), 'n.wav') }, { signal: signal() })
    expect(server.calls(TTS)).toBeGreaterThan(1)
    expect(result.words!.map((w) => w.text)).toEqual(text.split(' '))
    const starts = result.words!.map((w) => w.start)
    expect([...starts].sort((a, b) => a - b)).toEqual(starts)
    expect(result.words!.at(-1)!.end).toBeLessThanOrEqual(result.durationSec)
  })

  it('maps what ElevenLabs answers: a bad key, an exhausted quota, 429, 5xx, a dropped connection, a slow answer', async () => {
    const server = await fake({ quota: 1_000 })
    const out = join(tempDir('elevenlabs-'), 'x.wav')
    const say = (p = provider(server)) => p.synthesize({ text: 'Hello there.', language: 'en', outPath: out }, { signal: signal() })

    const badKey = await failure(say(provider(server, { apiKey: 'wrong' })))
    expect(badKey.kind).toBe('permanent')
    expect(badKey.message).toMatch(/check the key/)
    expect(badKey.message).not.toContain('wrong')

    server.quota = 3
    const quota = await failure(say())
    expect(quota.kind).toBe('provider-unavailable')
    expect(quota.message).toMatch(/quota exhausted/)
    server.quota = undefined

    server.script(TTS, [misbehave.status(429, { detail: { status: 'too_many_concurrent_requests', message: 'Too many concurrent requests' } }, { 'retry-after': '7' })])
    const limited = await failure(say())
    expect([limited.kind, limited.retryAfterMs]).toEqual(['retryable', 7_000])

    server.script(TTS, [misbehave.status(500), misbehave.status(503), misbehave.destroy(), misbehave.slow(4_000)])
    const kinds = [await failure(say()), await failure(say()), await failure(say()), await failure(say())]
    expect(kinds.map((e) => e.kind)).toEqual(['retryable', 'provider-unavailable', 'retryable', 'retryable'])
    expect(kinds[3]!.message).toMatch(/no answer in time/)
    expect(kinds.every((e) => e.provider === 'elevenlabs:eleven_multilingual_v2')).toBe(true)

    server.script(TTS, [misbehave.slow(300)])
    await expect(say()).resolves.toMatchObject({ provider: 'elevenlabs:eleven_multilingual_v2' })
  })

  it('a server that does not answer makes the probe say provider-unavailable; a cancelled call is cancelled', async () => {
    const server = await fake()
    const p = provider(server)
    await expect(p.probe()).resolves.toBeUndefined()
    server.script(TTS, [misbehave.hang()])
    const controller = new AbortController()
    const pending = p.synthesize({ text: 'Hello.', language: 'en', outPath: join(tempDir('elevenlabs-'), 'x.wav') }, { signal: controller.signal })
    await until(() => server.calls(TTS) === 1, 5_000, 'the request')
    controller.abort()
    expect((await failure(pending)).kind).toBe('cancelled')
    // Nothing listening on the port any more.
    const gone = await startElevenLabsServer()
    await gone.close()
    expect((await failure(provider(gone).probe())).kind).toBe('provider-unavailable')
  })

  it('as the speech provider of an audio job: a 5xx is retried, the job completes, and a finished job is not called again', async () => {
    const server = await fake()
    const studio = track(
      openStudio({ dataDir: tempDir('studio-elevenlabs-'), concurrency: 1, env: { XI_TEST: KEY }, timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 }, backoff: { baseMs: 20, maxMs: 200 } }),
      (s) => s.close(100)
    )
    studio.settings.replace({ ...studio.settings.get(), providers: { speech: { kind: 'elevenlabs', baseURL: server.baseURL, apiKeyEnv: 'XI_TEST' } } })
    server.script(TTS, [misbehave.status(500)])
    const job = studio.queue.enqueue({ type: 'audio', input: { text: 'Bonjour tout le monde.', language: 'fr' } })
    studio.startWork()
    await until(() => ['completed', 'failed'].includes(studio.queue.get(job.id)!.status), 30_000, 'the audio job')
    const done = studio.queue.get(job.id)!
    expect(done.error).toBeNull()
    expect(done.steps[0]!.provider).toBe('elevenlabs:eleven_multilingual_v2')
    expect(server.calls(TTS)).toBe(2)
    expect(readFileSync(done.steps[0]!.files.speech!).subarray(0, 4).toString()).toBe('RIFF')
  })
})
