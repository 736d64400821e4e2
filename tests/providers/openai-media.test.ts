/** Images, speech and moderation through the real `openai` client against the local server. */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import type { StepError } from '../../src/main/engine/errors'
import { apiSizeFor, OpenAIImageProvider } from '../../src/main/engine/providers/openai-image'
import { OpenAIModerationProvider } from '../../src/main/engine/providers/openai-moderation'
import { OpenAISpeechProvider } from '../../src/main/engine/providers/openai-speech'
import { readWavInfo } from '../../src/main/engine/providers/wav'
import { behaviours, useOpenAIServer } from '../helpers/openai-compatible-server'
import { failure } from '../helpers/step-error'

const local = useOpenAIServer('providers-media-')

const signal = () => new AbortController().signal

describe('OpenAIImageProvider', () => {
  const images = (model = 'dall-e-3') => new OpenAIImageProvider({ baseURL: local.server.baseURL, model, name: 'local', timeoutMs: 5_000 })

  it('decodes b64_json, fits it to the exact requested size and writes a PNG', async () => {
    const outPath = join(local.dir, 'image.png')
    const result = await images().generate({ prompt: 'a compost bin at sunrise', width: 1080, height: 1920, style: 'watercolor' }, { signal: signal(), outPath })
    const meta = await sharp(outPath).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1080, 1920])
    expect(result).toMatchObject({ path: outPath, width: 1080, height: 1920, provider: 'local:dall-e-3', offline: false, priceKnown: true })
    // Portrait → 1024x1792 for dall-e-3, which costs $0.08.
    expect(result.costUsd).toBeCloseTo(0.08, 10)
    expect(local.server.requests('images')[0]?.body).toMatchObject({ model: 'dall-e-3', size: '1024x1792', response_format: 'b64_json', n: 1 })
    expect(local.server.requests('images')[0]?.body?.prompt).toContain('Style: watercolor')
  })

  it('picks API sizes by aspect ratio per model family', () => {
    expect(apiSizeFor('dall-e-3', 1920, 1080)).toBe('1792x1024')
    expect(apiSizeFor('dall-e-3', 500, 500)).toBe('1024x1024')
    expect(apiSizeFor('gpt-image-1', 720, 1280)).toBe('1024x1536')
    expect(apiSizeFor('dall-e-2', 1920, 1080)).toBe('1024x1024')
  })

  it('does not send response_format to GPT image models', async () => {
    await images('gpt-image-1').generate({ prompt: 'x', width: 64, height: 64 }, { signal: signal(), outPath: join(local.dir, 'gpt-image.png') })
    expect(local.server.requests('images')[0]?.body).not.toHaveProperty('response_format')
  })

  it('maps failures and leaves no partial file behind', async () => {
    local.server.script('images', [behaviours.malformed(), behaviours.empty(), behaviours.destroy(), behaviours.rateLimited('2'), behaviours.unavailable()])
    const outPath = join(local.dir, 'never.png')
    const errors: StepError[] = []
    for (let i = 0; i < 5; i++) errors.push(await failure(images().generate({ prompt: 'x', width: 64, height: 64 }, { signal: signal(), outPath })))
    expect(errors.map((e) => e.kind)).toEqual(['retryable', 'retryable', 'retryable', 'retryable', 'provider-unavailable'])
    expect(errors[0]?.message).toMatch(/malformed JSON/)
    expect(errors[1]?.message).toMatch(/no image/)
    expect(errors[3]?.retryAfterMs).toBe(2000)
    expect(errors.every((e) => e.provider === 'local:dall-e-3')).toBe(true)
    await expect(stat(outPath)).rejects.toThrow()
    expect((await readdir(local.dir)).filter((f) => f.includes('never'))).toEqual([])
  })
})

describe('OpenAISpeechProvider', () => {
  const speech = (model = 'tts-1', maxCharsPerRequest?: number) =>
    new OpenAISpeechProvider({ baseURL: local.server.baseURL, model, name: 'local', voice: 'nova', timeoutMs: 5_000, ...(maxCharsPerRequest ? { maxCharsPerRequest } : {}) })

  it('writes a WAV with a clean header and measures its duration', async () => {
    const outPath = join(local.dir, 'speech.wav')
    const text = 'Hello there, this is a test.'
    const result = await speech().synthesize({ text, language: 'en', outPath }, { signal: signal() })
    // The server streams OpenAI-style 0xFFFFFFFF sizes; the written file has real ones.
    const info = await readWavInfo(outPath)
    expect(info.sampleRate).toBe(24_000)
    expect(result.durationSec).toBeCloseTo(0.5, 3)
    expect((await stat(outPath)).size).toBe(44 + 24_000)
    expect(result).toMatchObject({ provider: 'local:tts-1', offline: false, priceKnown: true })
    // tts-1: $15 per million characters.
    expect(result.costUsd).toBeCloseTo((text.length * 15) / 1e6, 12)
    expect(local.server.requests('speech')[0]?.body).toMatchObject({ model: 'tts-1', voice: 'nova', input: text, response_format: 'wav' })
  })

  it('sends long texts in sentence-aligned parts and joins the audio', async () => {
    const outPath = join(local.dir, 'long.wav')
    const result = await speech('tts-1', 30).synthesize({ text: 'First sentence is here. Second sentence is here. Third one too.', language: 'en', outPath }, { signal: signal() })
    expect(local.server.calls('speech')).toBe(3)
    expect(local.server.requests('speech').map((r) => r.body?.input)).toEqual(['First sentence is here.', 'Second sentence is here.', 'Third one too.'])
    expect(result.durationSec).toBeCloseTo(1.5, 3)
  })

  it('prices gpt-4o-mini-tts by audio minutes', async () => {
    const result = await speech('gpt-4o-mini-tts').synthesize({ text: 'Hi.', language: 'en', outPath: join(local.dir, 'mini.wav') }, { signal: signal() })
    expect(result.costUsd).toBeCloseTo((0.5 / 60) * 0.015, 12)
  })

  it('maps failures: malformed audio, empty body, dropped socket, 503', async () => {
    local.server.script('speech', [behaviours.malformed(), behaviours.empty(), behaviours.destroy(), behaviours.unavailable('5')])
    const outPath = join(local.dir, 'bad.wav')
    const errors: StepError[] = []
    for (let i = 0; i < 4; i++) errors.push(await failure(speech().synthesize({ text: 'x', language: 'en', outPath }, { signal: signal() })))
    expect(errors.map((e) => e.kind)).toEqual(['retryable', 'retryable', 'retryable', 'provider-unavailable'])
    expect(errors[0]?.message).toMatch(/not a valid WAV/)
    expect(errors[3]?.retryAfterMs).toBe(5000)
    await expect(stat(outPath)).rejects.toThrow()
  })

  it('empty text is a permanent error without any request', async () => {
    const err = await failure(speech().synthesize({ text: '   ', language: 'en', outPath: join(local.dir, 'none.wav') }, { signal: signal() }))
    expect(err.kind).toBe('permanent')
    expect(local.server.calls('speech')).toBe(0)
  })
})

describe('OpenAIModerationProvider', () => {
  const moderation = () => new OpenAIModerationProvider({ baseURL: local.server.baseURL, model: 'omni-moderation-latest', name: 'local' })

  it('reports flagged content and categories', async () => {
    expect(await moderation().check('a lovely garden')).toEqual({ flagged: false, categories: { violence: false, harassment: false, 'self-harm': false }, provider: 'local:omni-moderation-latest' })
    const flagged = await moderation().check('this is forbidden')
    expect(flagged.flagged).toBe(true)
    expect(flagged.categories.violence).toBe(true)
  })

  it('empty results → retryable; 500 → retryable', async () => {
    local.server.script('moderations', [behaviours.empty(), behaviours.serverError()])
    expect((await failure(moderation().check('x'))).message).toMatch(/no results/)
    expect((await failure(moderation().check('x'))).kind).toBe('retryable')
  })
})
