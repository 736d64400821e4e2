/** Health probes for the circuit breaker, and the API key never leaking into errors. */
import { inspect } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { OpenAIImageProvider } from '../../src/main/engine/providers/openai-image'
import { OpenAISpeechProvider } from '../../src/main/engine/providers/openai-speech'
import { OpenAITextProvider } from '../../src/main/engine/providers/openai-text'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'
import { failure } from '../helpers/step-error'

const FAKE_KEY = 'sk-test-DISTINCTIVE-9f8e7d6c5b4a3210-do-not-leak'

let server: OpenAICompatibleServer
beforeAll(async () => {
  server = await startOpenAICompatibleServer()
})
afterAll(() => server.close())
beforeEach(() => server.reset())

describe('probe (GET /models)', () => {
  const text = (baseURL = server.baseURL) => new OpenAITextProvider({ baseURL, model: 'gpt-4o-mini', name: 'local', probeTimeoutMs: 300 })

  it('resolves when the server answers', async () => {
    await text().probe()
    expect(server.calls('models')).toBe(1)
  })

  it('a closed port → provider-unavailable: nothing is listening, retrying the step would only burn its attempts', async () => {
    const closed = await startOpenAICompatibleServer()
    await closed.close()
    const err = await failure(text(closed.baseURL).probe())
    expect(err.kind).toBe('provider-unavailable')
    expect(err.provider).toBe('local:gpt-4o-mini')
  })

  it('a server that does not answer in time → provider-unavailable', async () => {
    server.script('models', [behaviours.hang()])
    const started = Date.now()
    const err = await failure(text().probe())
    expect(err.kind).toBe('provider-unavailable')
    expect(Date.now() - started).toBeLessThan(3_000)
  })

  it('503 → provider-unavailable, 429 → retryable with Retry-After, 401 → permanent, 404 → up', async () => {
    server.script('models', [behaviours.unavailable(), behaviours.rateLimited('4'), behaviours.status(401), behaviours.status(404)])
    expect((await failure(text().probe())).kind).toBe('provider-unavailable')
    const limited = await failure(text().probe())
    expect([limited.kind, limited.retryAfterMs]).toEqual(['retryable', 4000])
    expect((await failure(text().probe())).kind).toBe('permanent')
    await text().probe()
  })

  it('abort → cancelled', async () => {
    server.script('models', [behaviours.hang()])
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    expect((await failure(text().probe(controller.signal))).kind).toBe('cancelled')
  })
})

describe('API keys', () => {
  it('sends the key as a bearer token and answers normally when it is right', async () => {
    const guarded = await startOpenAICompatibleServer({ requireKey: FAKE_KEY })
    try {
      const result = await new OpenAITextProvider({ baseURL: guarded.baseURL, model: 'gpt-4o-mini', apiKey: FAKE_KEY }).generate({ prompt: 'x' }, { signal: new AbortController().signal })
      expect(result.text.length).toBeGreaterThan(0)
      expect(guarded.requests('chat')[0]?.headers.authorization).toBe(`Bearer ${FAKE_KEY}`)
    } finally {
      await guarded.close()
    }
  })

  it('never appears in thrown errors, even when the server echoes it back', async () => {
    const guarded = await startOpenAICompatibleServer({ requireKey: 'sk-the-right-key-000000000000' })
    try {
      const options = { baseURL: guarded.baseURL, apiKey: FAKE_KEY, timeoutMs: 2_000 }
      const errors = [
        await failure(new OpenAITextProvider({ ...options, model: 'gpt-4o-mini' }).generate({ prompt: 'x' }, { signal: new AbortController().signal })),
        await failure(new OpenAIImageProvider({ ...options, model: 'dall-e-3' }).generate({ prompt: 'x', width: 8, height: 8 }, { signal: new AbortController().signal, outPath: '/nonexistent/x.png' })),
        await failure(new OpenAISpeechProvider({ ...options, model: 'tts-1' }).synthesize({ text: 'x', language: 'en', outPath: '/nonexistent/x.wav' }, { signal: new AbortController().signal })),
        await failure(new OpenAITextProvider({ ...options, model: 'gpt-4o-mini' }).probe())
      ]
      // The server really did echo it: the redaction is what keeps it out.
      expect(guarded.requests('chat')).toHaveLength(1)
      for (const err of errors) {
        expect(err.kind).toBe('permanent')
        expect(err.message).toMatch(/401/)
        expect(err.message).not.toContain(FAKE_KEY)
        expect(err.message).not.toContain('9f8e7d6c5b4a3210')
        // Nor anywhere reachable from the error: cause chain, stack, enumerable fields.
        expect(inspect(err, { depth: 10 })).not.toContain('9f8e7d6c5b4a3210')
        expect(JSON.stringify(err)).not.toContain('9f8e7d6c5b4a3210')
      }
    } finally {
      await guarded.close()
    }
  })

  it('is not reachable through the provider object', async () => {
    const provider = new OpenAITextProvider({ baseURL: server.baseURL, model: 'gpt-4o-mini', apiKey: FAKE_KEY })
    expect(JSON.stringify(provider)).not.toContain('9f8e7d6c5b4a3210')
    expect(inspect(provider, { depth: 3 })).not.toContain('9f8e7d6c5b4a3210')
    expect(Object.keys(provider)).toEqual(['offline'])
  })

  it('without a key, a local server is used with a placeholder, and a 401 says how to configure one', async () => {
    await new OpenAITextProvider({ baseURL: server.baseURL, model: 'llama3.2' }).generate({ prompt: 'x' }, { signal: new AbortController().signal })
    expect(server.requests('chat')[0]?.headers.authorization).toBe('Bearer no-key-configured')

    server.script('chat', [behaviours.status(401, { message: 'Missing API key' })])
    const err = await failure(new OpenAITextProvider({ baseURL: server.baseURL, model: 'llama3.2' }).generate({ prompt: 'x' }, { signal: new AbortController().signal }))
    expect(err.kind).toBe('permanent')
    expect(err.message).toMatch(/OPENAI_API_KEY/)
  })
})
