/** The real `openai` client against the local OpenAI-compatible server: every scripted behaviour maps to the right StepError. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { OpenAITextProvider } from '../../src/main/engine/providers/openai-text'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'
import { failure } from '../helpers/step-error'

let server: OpenAICompatibleServer
beforeAll(async () => {
  server = await startOpenAICompatibleServer()
})
afterAll(() => server.close())
beforeEach(() => server.reset())

const provider = (options: { timeoutMs?: number; model?: string } = {}) =>
  new OpenAITextProvider({ baseURL: server.baseURL, model: options.model ?? 'gpt-4o-mini', name: 'local', timeoutMs: options.timeoutMs ?? 5_000 })

const signal = () => new AbortController().signal

describe('OpenAITextProvider (streaming chat completions)', () => {
  it('streams the answer, reports progress, usage and cost', async () => {
    const progress: number[] = []
    const result = await provider().generate({ prompt: 'Write about composting', maxTokens: 40 }, { signal: signal(), onProgress: (p) => progress.push(p) })

    expect(result.text).toMatch(/^Composting at home/)
    expect(result.provider).toBe('local:gpt-4o-mini')
    expect(result.offline).toBe(false)
    expect(result.finishReason).toBe('stop')
    // Usage comes from the final stream chunk (stream_options.include_usage).
    expect(result.usage.estimated).toBeUndefined()
    // The test server streams one word per chunk and reports that many completion tokens.
    expect(result.usage.outputTokens).toBe(result.text.trim().split(/\s+/).length)
    expect(result.usage.inputTokens).toBeGreaterThan(0)
    // gpt-4o-mini: $0.15 / $0.60 per million tokens.
    expect(result.priceKnown).toBe(true)
    expect(result.costUsd).toBeCloseTo((result.usage.inputTokens * 0.15 + result.usage.outputTokens * 0.6) / 1e6, 12)
    // Progress rises with streamed tokens against maxTokens, then 100 at the end.
    expect(progress.length).toBeGreaterThan(5)
    expect(progress.slice(0, -1).every((p) => p < 100)).toBe(true)
    expect(progress.at(-1)).toBe(100)
    expect([...progress].sort((a, b) => a - b)).toEqual(progress)

    const sent = server.requests('chat')[0]?.body
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', stream: true, max_tokens: 40, stream_options: { include_usage: true } })
    expect(server.calls('chat')).toBe(1)
  })

  it('puts style and language instructions in the system message', async () => {
    await provider().generate(
      { system: 'You write video scripts.', prompt: 'Compost', language: 'fr', style: { selective: 'personalityFocus', intensity: 1.5 } },
      { signal: signal() }
    )
    const messages = server.requests('chat')[0]?.body?.messages as { role: string; content: string }[]
    expect(messages[0]?.role).toBe('system')
    expect(messages[0]?.content).toContain('You write video scripts.')
    expect(messages[0]?.content).toContain('Write in French.')
    expect(messages[0]?.content).toMatch(/first-person/)
    expect(messages[1]).toEqual({ role: 'user', content: 'Compost' })
  })

  it('uses max_completion_tokens and no temperature for reasoning models', async () => {
    await provider({ model: 'gpt-5-mini' }).generate({ prompt: 'hi', maxTokens: 99, temperature: 0.2 }, { signal: signal() })
    const body = server.requests('chat')[0]?.body
    expect(body?.max_completion_tokens).toBe(99)
    expect(body).not.toHaveProperty('max_tokens')
    expect(body).not.toHaveProperty('temperature')
  })

  it('429 → retryable with Retry-After in ms', async () => {
    server.script('chat', [behaviours.rateLimited('7')])
    const err = await failure(provider().generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('retryable')
    expect(err.retryAfterMs).toBe(7000)
    expect(err.provider).toBe('local:gpt-4o-mini')
    expect(err.message).toMatch(/429/)
    expect(server.calls('chat')).toBe(1) // maxRetries: 0 — the engine owns retries
  })

  it('prefers the precise retry-after-ms header', async () => {
    server.script('chat', [behaviours.status(429, { retryAfter: '3', retryAfterMs: '1500' })])
    const err = await failure(provider().generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.retryAfterMs).toBe(1500)
  })

  it('500 → retryable, 503 and 502 → provider-unavailable, 400/401 → permanent', async () => {
    server.script('chat', [behaviours.serverError(), behaviours.unavailable('30'), behaviours.badGateway(), behaviours.status(400, { message: 'bad request' }), behaviours.status(401)])
    const kinds: string[] = []
    for (let i = 0; i < 5; i++) kinds.push((await failure(provider().generate({ prompt: 'x' }, { signal: signal() }))).kind)
    expect(kinds).toEqual(['retryable', 'provider-unavailable', 'provider-unavailable', 'permanent', 'permanent'])
    expect(server.calls('chat')).toBe(5)
  })

  it('503 keeps its Retry-After for the circuit breaker', async () => {
    server.script('chat', [behaviours.unavailable('30')])
    const err = await failure(provider().generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('provider-unavailable')
    expect(err.retryAfterMs).toBe(30_000)
  })

  it('a slow server → retryable timeout', async () => {
    server.script('chat', [behaviours.slow(2_000)])
    const started = Date.now()
    const err = await failure(provider({ timeoutMs: 300 }).generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('retryable')
    expect(err.message).toMatch(/timed out|stalled/)
    expect(Date.now() - started).toBeLessThan(1_900)
  })

  it('a stream that goes quiet mid-answer → retryable (idle watchdog)', async () => {
    server.script('chat', [behaviours.slowStream(1_000)])
    const err = await failure(provider({ timeoutMs: 300 }).generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('retryable')
    expect(err.message).toMatch(/stalled/)
  })

  it('malformed JSON in the stream → retryable with a clear message', async () => {
    server.script('chat', [behaviours.malformed()])
    const err = await failure(provider().generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('retryable')
    expect(err.message).toMatch(/malformed JSON/)
  })

  it('empty choices → retryable', async () => {
    server.script('chat', [behaviours.empty()])
    const err = await failure(provider().generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('retryable')
    expect(err.message).toMatch(/no choices/)
  })

  it('socket destroyed mid-stream → retryable', async () => {
    server.script('chat', [behaviours.destroy()])
    const err = await failure(provider().generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('retryable')
    expect(err.provider).toBe('local:gpt-4o-mini')
  })

  it('a stream that ends without finish_reason → retryable (never a silently cut text)', async () => {
    server.script('chat', [behaviours.truncated()])
    const err = await failure(provider().generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('retryable')
    expect(err.message).toMatch(/ended before the model finished/)
  })

  it('abort → cancelled, before and during the stream', async () => {
    const before = new AbortController()
    before.abort()
    expect((await failure(provider().generate({ prompt: 'x' }, { signal: before.signal }))).kind).toBe('cancelled')

    server.script('chat', [behaviours.slowStream(200)])
    const during = new AbortController()
    const pending = provider().generate({ prompt: 'x' }, { signal: during.signal, onProgress: () => during.abort() })
    const err = await failure(pending)
    expect(err.kind).toBe('cancelled')
    expect(err.provider).toBe('local:gpt-4o-mini')
  })

  it('unknown models cost 0 with priceKnown: false', async () => {
    const result = await provider({ model: 'llama3.2:3b' }).generate({ prompt: 'x' }, { signal: signal() })
    expect(result.costUsd).toBe(0)
    expect(result.priceKnown).toBe(false)
  })

  it('a closed port → retryable connection error', async () => {
    const closed = await startOpenAICompatibleServer()
    await closed.close()
    const err = await failure(new OpenAITextProvider({ baseURL: closed.baseURL, model: 'gpt-4o-mini' }).generate({ prompt: 'x' }, { signal: signal() }))
    expect(err.kind).toBe('retryable')
    expect(err.message).toMatch(/ECONNREFUSED|could not reach/)
  })
})
