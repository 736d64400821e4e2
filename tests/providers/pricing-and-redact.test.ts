import { describe, expect, it } from 'vitest'
import { PriceTable } from '../../src/main/engine/providers/pricing'
import { redact } from '../../src/main/engine/providers/redact'

describe('PriceTable', () => {
  const prices = new PriceTable()

  it('prices tokens, characters, images and audio minutes', () => {
    expect(prices.cost('gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toEqual({ costUsd: 0.75, priceKnown: true })
    expect(prices.cost('tts-1', { characters: 1000 })).toEqual({ costUsd: 0.015, priceKnown: true })
    expect(prices.cost('dall-e-3', { images: 1, imageSize: '1024x1024' })).toEqual({ costUsd: 0.04, priceKnown: true })
    expect(prices.cost('dall-e-3', { images: 2, imageSize: '1792x1024' })).toEqual({ costUsd: 0.16, priceKnown: true })
    expect(prices.cost('gpt-4o-mini-tts', { audioSeconds: 120 })).toEqual({ costUsd: 0.03, priceKnown: true })
    expect(prices.cost('omni-moderation-latest', {})).toEqual({ costUsd: 0, priceKnown: true })
  })

  it('matches dated snapshots to the longest known prefix, never a shorter sibling', () => {
    expect(prices.priceOf('gpt-4o-mini-2024-07-18')).toEqual(prices.priceOf('gpt-4o-mini'))
    expect(prices.priceOf('gpt-4o-2024-08-06')).toEqual(prices.priceOf('gpt-4o'))
    expect(prices.priceOf('gpt-4omni')).toBeUndefined()
  })

  it('unknown models cost 0 with priceKnown: false; overrides win', () => {
    expect(prices.cost('llama3.2:3b', { inputTokens: 500, outputTokens: 500 })).toEqual({ costUsd: 0, priceKnown: false })
    const custom = new PriceTable({ 'llama3.2:3b': { unit: 'tokens', inputPerMTok: 0, outputPerMTok: 0 }, 'gpt-4o-mini': { unit: 'tokens', inputPerMTok: 1, outputPerMTok: 2 } })
    expect(custom.cost('llama3.2:3b', { inputTokens: 500 })).toEqual({ costUsd: 0, priceKnown: true })
    expect(custom.cost('gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 1_000_000 }).costUsd).toBe(3)
    expect(() => new PriceTable({ x: { unit: 'tokens', inputPerMTok: -1, outputPerMTok: 0 } })).toThrow()
  })

  it('keeps tiny per-call costs', () => {
    expect(prices.cost('gpt-4o-mini', { inputTokens: 10, outputTokens: 0 }).costUsd).toBeCloseTo(1.5e-6, 12)
  })
})

describe('redact', () => {
  it('removes known secrets and anything shaped like a key or an auth header', () => {
    const key = 'custom-secret-value-123'
    expect(redact(`failed with ${key}`, [key])).toBe('failed with [redacted]')
    expect(redact('Incorrect API key provided: sk-proj-AbC123dEf456GhI789')).toBe('Incorrect API key provided: [redacted]')
    expect(redact('Authorization: Bearer abc.def.ghi-123456')).toBe('Authorization: [redacted]')
    expect(redact('{"authorization":"Bearer xyz12345678"}')).toBe('{"authorization":"[redacted]"}')
    expect(redact('x-api-key: hunter2hunter2')).toBe('x-api-key: [redacted]')
    expect(redact('GET /v1/models?api_key=abcdef123&x=1')).toBe('GET /v1/models?api_key=[redacted]&x=1')
    expect(redact('plain message with no secrets, status 429')).toBe('plain message with no secrets, status 429')
    expect(redact('short x', ['x'])).toBe('short x')
  })
})
