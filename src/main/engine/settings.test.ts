import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from './store/database'
import { listProviders } from './providers/registry'
import { SettingsStore, settingsView } from './settings'
import { SqliteSettingsRecords } from './store/settings'

/** The stored provider entry of one kind, as plain data. */
const providerOf = (settings: SettingsStore, kind: string) => (settings.get().providers as Record<string, Record<string, unknown>>)[kind]

function store() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'settings-')), 'studio.db'))
  return new SettingsStore(new SqliteSettingsRecords(db), { log: () => {} })
}

describe('saving a provider from the settings form', () => {
  it('keeps what the form does not show (voice, timeout, name) when the kind stays the same', () => {
    const settings = store()
    settings.replace({
      providers: {
        speech: { kind: 'openai', baseURL: 'https://api.openai.com/v1', model: 'tts-1', voice: 'nova', timeoutMs: 90_000, name: 'openai-voice' }
      }
    })
    settings.applyPatch({ providers: { speech: { kind: 'openai', baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini-tts' } } })
    expect(providerOf(settings, 'speech')).toMatchObject({ kind: 'openai', model: 'gpt-4o-mini-tts', voice: 'nova', timeoutMs: 90_000, name: 'openai-voice' })
  })

  it('starts afresh when the kind changes, and never carries a key variable to another server', () => {
    const settings = store()
    settings.replace({ providers: { text: { kind: 'openai', baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKeyEnv: 'MY_KEY', timeoutMs: 5_000 } } })
    settings.applyPatch({ providers: { text: { kind: 'openai', baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3' } } })
    const text = providerOf(settings, 'text')!
    expect(text).toMatchObject({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3', timeoutMs: 5_000 })
    expect(text.apiKeyEnv).toBeUndefined()
    settings.applyPatch({ providers: { text: { kind: 'offline' } } })
    expect(providerOf(settings, 'text')).toEqual({ kind: 'offline' })
  })
})

describe('"this server does not charge" (free) from the settings form', () => {
  const LOCAL = 'http://127.0.0.1:11434/v1'

  it('is stored when the form says it, and kept when a later save does not mention it', () => {
    const settings = store()
    settings.applyPatch({ providers: { text: { kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true } } })
    expect(providerOf(settings, 'text')).toMatchObject({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true })
    // Another model or another path on the same server: still that server, still free.
    settings.applyPatch({ providers: { text: { kind: 'openai', baseURL: `${LOCAL}/`, model: 'qwen2.5' } } })
    expect(providerOf(settings, 'text')).toMatchObject({ model: 'qwen2.5', free: true })
    settings.applyPatch({ providers: { text: { kind: 'openai', baseURL: LOCAL, model: 'qwen2.5', free: false } } })
    expect(providerOf(settings, 'text')!.free).toBeUndefined()
  })

  it('is dropped when the provider moves to another server (host, port or scheme) without saying it again', () => {
    const settings = store()
    const moves = ['https://api.openai.com/v1', 'http://127.0.0.1:1234/v1', 'https://127.0.0.1:11434/v1', 'http://localhost:11434/v1']
    for (const baseURL of moves) {
      settings.applyPatch({ providers: { text: { kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true } } })
      settings.applyPatch({ providers: { text: { kind: 'openai', baseURL, model: 'gpt-4o-mini' } } })
      expect(providerOf(settings, 'text')!.free, baseURL).toBeUndefined()
    }
    // Saying it again for the new server keeps it there.
    settings.applyPatch({ providers: { text: { kind: 'openai', baseURL: 'http://127.0.0.1:1234/v1', model: 'qwen', free: true } } })
    expect(providerOf(settings, 'text')).toMatchObject({ baseURL: 'http://127.0.0.1:1234/v1', free: true })
  })

  it('does not survive a trip through offline', () => {
    const settings = store()
    settings.applyPatch({ providers: { speech: { kind: 'openai', baseURL: LOCAL, model: 'kokoro', free: true } } })
    settings.applyPatch({ providers: { speech: { kind: 'offline' } } })
    settings.applyPatch({ providers: { speech: { kind: 'openai', baseURL: LOCAL, model: 'kokoro' } } })
    expect(providerOf(settings, 'speech')!.free).toBeUndefined()
  })

  it('is what the settings view shows', () => {
    const settings = store()
    settings.applyPatch({ providers: { text: { kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true }, image: { kind: 'openai', baseURL: LOCAL, model: 'sd' } } })
    const stored = settings.get()
    const view = settingsView(stored, listProviders(stored.providers, { env: {} }), { concurrency: 1, resources: {} })
    expect(view.providers.text).toEqual({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true, hasKey: false })
    expect(view.providers.image).toEqual({ kind: 'openai', baseURL: LOCAL, model: 'sd', hasKey: false })
  })
})

