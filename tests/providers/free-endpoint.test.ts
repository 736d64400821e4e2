/**
 * An endpoint marked `free` (a model on this computer) costs a known $0 per call, whatever the
 * model; without the mark, a model the price table does not know stays "unknown", never $0.
 * Real `openai` client, real local OpenAI-compatible server, providers built from settings.
 */

import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createProviders, listProviders, type ProviderSettingsInput } from '../../src/main/engine/providers/registry'
import { useOpenAIServer } from '../helpers/openai-compatible-server'

const local = useOpenAIServer('providers-free-')

const signal = () => new AbortController().signal
const endpoint = (model: string, free?: boolean) => ({ kind: 'openai' as const, baseURL: local.server.baseURL, model, timeoutMs: 5_000, ...(free === undefined ? {} : { free }) })
const textFrom = (settings: ProviderSettingsInput) => createProviders(settings, { env: {} }).text

describe('an endpoint that does not charge (free: true)', () => {
  it('prices an unknown model at a known $0', async () => {
    const result = await textFrom({ text: endpoint('llama3.2', true) }).generate({ prompt: 'Write about composting', maxTokens: 20 }, { signal: signal() })
    expect(result.usage.outputTokens).toBeGreaterThan(0)
    expect(result).toMatchObject({ costUsd: 0, priceKnown: true })
    expect(local.server.calls('chat')).toBe(1)
  })

  it('leaves the same unknown model "unknown" when the endpoint is not marked free', async () => {
    for (const settings of [{ text: endpoint('llama3.2') }, { text: endpoint('llama3.2', false) }]) {
      const result = await textFrom(settings).generate({ prompt: 'Write about composting', maxTokens: 20 }, { signal: signal() })
      expect(result).toMatchObject({ costUsd: 0, priceKnown: false })
    }
  })

  it('charges nothing even for a model the price table knows', async () => {
    const request = { prompt: 'Write about composting', maxTokens: 20 }
    const paid = await textFrom({ text: endpoint('gpt-4o-mini') }).generate(request, { signal: signal() })
    expect(paid.priceKnown).toBe(true)
    expect(paid.costUsd).toBeGreaterThan(0)
    const free = await textFrom({ text: endpoint('gpt-4o-mini', true) }).generate(request, { signal: signal() })
    expect(free).toMatchObject({ costUsd: 0, priceKnown: true })
  })

  it('applies to images and speech too', async () => {
    const set = createProviders({ image: endpoint('dall-e-3', true), speech: endpoint('tts-1', true) }, { env: {} })
    const image = await set.image.generate({ prompt: 'a lighthouse', width: 64, height: 64 }, { signal: signal(), outPath: join(local.dir, 'free.png') })
    expect(image).toMatchObject({ costUsd: 0, priceKnown: true })
    const speech = await set.speech.synthesize({ text: 'Three hearts pump blue blood.', language: 'en', outPath: join(local.dir, 'free.wav') }, { signal: signal() })
    expect(speech).toMatchObject({ costUsd: 0, priceKnown: true })
    expect([local.server.calls('images'), local.server.calls('speech')]).toEqual([1, 1])
  })

  it('is listed with the provider, and only when set', () => {
    const [free] = listProviders({ text: endpoint('llama3.2', true) }, { env: {} })
    expect(free).toMatchObject({ kind: 'text', type: 'openai', model: 'llama3.2', free: true })
    const [paid] = listProviders({ text: endpoint('llama3.2') }, { env: {} })
    expect(paid).not.toHaveProperty('free')
  })
})
