import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from './store/database'
import { SettingsStore } from './settings'

/** The stored provider entry of one kind, as plain data. */
const providerOf = (settings: SettingsStore, kind: string) => (settings.get().providers as Record<string, Record<string, unknown>>)[kind]

function store() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'settings-')), 'studio.db'))
  return new SettingsStore(db, { log: () => {} })
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
