import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { OfflineTextProvider } from '../../src/main/engine/providers/offline-text'
import { NoModerationProvider } from '../../src/main/engine/providers/openai-moderation'
import { OpenAITextProvider } from '../../src/main/engine/providers/openai-text'
import { createProviders, DEFAULT_PROVIDER_SETTINGS, listProviders, ProviderSettings } from '../../src/main/engine/providers/registry'
import { SharpImageProvider } from '../../src/main/engine/providers/sharp-image'
import { SystemSpeechProvider } from '../../src/main/engine/providers/system-speech'

const KEY = 'sk-registry-SECRET-abcdef0123456789'

describe('ProviderSettings', () => {
  it('defaults to all offline', () => {
    expect(DEFAULT_PROVIDER_SETTINGS).toEqual({ text: { kind: 'offline' }, image: { kind: 'offline' }, speech: { kind: 'offline', engine: 'auto' }, moderation: { kind: 'none' }, music: { kind: 'offline' }, stock: { kind: 'pexels', baseURL: 'https://api.pexels.com' } })
    const set = createProviders()
    expect(set.text).toBeInstanceOf(OfflineTextProvider)
    expect(set.image).toBeInstanceOf(SharpImageProvider)
    expect(set.speech).toBeInstanceOf(SystemSpeechProvider)
    expect(set.moderation).toBeInstanceOf(NoModerationProvider)
  })

  it('accepts OpenAI and local OpenAI-compatible endpoints', () => {
    const parsed = ProviderSettings.parse({
      text: { kind: 'openai', baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2', name: 'ollama' },
      image: { kind: 'openai', model: 'dall-e-3' },
      speech: { kind: 'openai', model: 'tts-1', voice: 'nova' },
      moderation: { kind: 'openai' },
      pricing: { 'llama3.2': { unit: 'tokens', inputPerMTok: 0, outputPerMTok: 0 } }
    })
    expect(parsed.image).toMatchObject({ baseURL: 'https://api.openai.com/v1' })
    expect(parsed.moderation).toMatchObject({ model: 'omni-moderation-latest' })
  })

  it('refuses API keys inside settings (they would be serialised)', () => {
    const result = ProviderSettings.safeParse({ text: { kind: 'openai', model: 'gpt-4o-mini', apiKey: KEY } })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toMatch(/never stored in settings/)
    expect(result.error?.issues[0]?.path).toEqual(['text', 'apiKey'])
    expect(JSON.stringify(result.error?.issues)).not.toContain(KEY)
  })

  it('rejects unknown kinds, bad URLs and unknown fields', () => {
    expect(ProviderSettings.safeParse({ text: { kind: 'magic' } }).success).toBe(false)
    expect(ProviderSettings.safeParse({ text: { kind: 'openai', model: 'x', baseURL: 'ftp://host' } }).success).toBe(false)
    expect(ProviderSettings.safeParse({ speech: { kind: 'offline', engine: 'loquendo' } }).success).toBe(false)
    expect(ProviderSettings.safeParse({ text: { kind: 'offline', extra: 1 } }).success).toBe(false)
  })
})

describe('keys: environment, app key store, never exposed', () => {
  const openaiText = { text: { kind: 'openai' as const, model: 'gpt-4o-mini' } }

  it('reads OPENAI_API_KEY for api.openai.com, or the variable named by apiKeyEnv', () => {
    expect(listProviders(openaiText, { env: { OPENAI_API_KEY: KEY } })[0]).toMatchObject({ id: 'openai:gpt-4o-mini', hasKey: true, baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini' })
    expect(listProviders(openaiText, { env: {} })[0]?.hasKey).toBe(false)
    const named = { text: { kind: 'openai' as const, model: 'gpt-4o-mini', apiKeyEnv: 'MY_LLM_KEY' } }
    expect(listProviders(named, { env: { MY_LLM_KEY: KEY } })[0]?.hasKey).toBe(true)
    expect(listProviders(named, { env: { OPENAI_API_KEY: KEY } })[0]?.hasKey).toBe(false)
  })

  it('does not send your OpenAI key to a local server unless told to', () => {
    const local = { text: { kind: 'openai' as const, baseURL: 'http://127.0.0.1:1234/v1', model: 'qwen' } }
    expect(listProviders(local, { env: { OPENAI_API_KEY: KEY } })[0]).toMatchObject({ id: '127.0.0.1:1234:qwen', hasKey: false })
  })

  it('prefers the app key store (secrets getter) and tells it which variable the settings mean', () => {
    const asked: unknown[] = []
    const info = listProviders(openaiText, { env: {}, secrets: (request) => (asked.push(request), KEY) })
    expect(info[0]?.hasKey).toBe(true)
    expect(asked[0]).toEqual({ kind: 'text', envName: 'OPENAI_API_KEY', baseURL: 'https://api.openai.com/v1' })
  })

  it('nothing returned by the registry contains the key', () => {
    const set = createProviders({ ...openaiText, speech: { kind: 'openai', model: 'tts-1' } }, { env: { OPENAI_API_KEY: KEY } })
    expect(set.text).toBeInstanceOf(OpenAITextProvider)
    const list = set.list()
    expect(list.map((p) => p.kind)).toEqual(['text', 'image', 'speech', 'moderation', 'music', 'stock'])
    for (const value of [list, set.text, set.speech, set.image]) {
      expect(JSON.stringify(value)).not.toContain('abcdef0123456789')
      expect(inspect(value, { depth: 5 })).not.toContain('abcdef0123456789')
    }
    expect(Object.keys(list[0] as object).sort()).toEqual(['baseURL', 'hasKey', 'id', 'kind', 'model', 'offline', 'type'])
  })

  it('the Pexels key goes to Pexels only, unless the settings name its variable for another server', () => {
    const pexelsKey = 'pexels-0123456789abcdef'
    expect(listProviders({}, { env: { PEXELS_API_KEY: pexelsKey } }).find((p) => p.kind === 'stock')).toMatchObject({ id: 'pexels', hasKey: true, free: true })
    const elsewhere = { stock: { kind: 'pexels' as const, baseURL: 'http://127.0.0.1:9' } }
    expect(listProviders(elsewhere, { env: { PEXELS_API_KEY: pexelsKey } }).find((p) => p.kind === 'stock')?.hasKey).toBe(false)
    expect(listProviders({ stock: { ...elsewhere.stock, apiKeyEnv: 'PEXELS_API_KEY' } }, { env: { PEXELS_API_KEY: pexelsKey } }).find((p) => p.kind === 'stock')?.hasKey).toBe(true)
    expect(listProviders({ stock: { kind: 'none' } }, { env: { PEXELS_API_KEY: pexelsKey } }).some((p) => p.kind === 'stock')).toBe(false)
    expect(JSON.stringify(listProviders({}, { env: { PEXELS_API_KEY: pexelsKey } }))).not.toContain(pexelsKey)
  })
})
