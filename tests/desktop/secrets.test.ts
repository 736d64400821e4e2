/**
 * API keys through safeStorage: ciphertext on disk only, readable back by main, refused when the
 * OS cannot encrypt, and never sent to the renderer.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SafeStorageSecrets, secretsFile } from '../../src/main/desktop/secrets'
import { electron } from '../helpers/electron-double'
import { tempDir } from '../helpers/engine'
import { bootDesktop, type Booted } from './boot'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

const KEY = 'sk-proj-THIS-IS-A-REAL-LOOKING-KEY-1234567890'
const request = (kind: 'text' | 'image' | 'speech' | 'moderation') => ({ kind, envName: 'OPENAI_API_KEY', baseURL: 'https://api.openai.com/v1' })

describe('SafeStorageSecrets', () => {
  let file: string
  beforeEach(() => {
    electron.reset()
    file = secretsFile(tempDir('secrets-'))
  })

  it('stores ciphertext, never the key, in a file only this user can read; get returns the key', () => {
    const secrets = new SafeStorageSecrets(file)
    expect(secrets.set('text', KEY)).toBe(true)
    const onDisk = readFileSync(file)
    expect(onDisk.includes(KEY)).toBe(false)
    expect(onDisk.includes(Buffer.from(KEY).toString('base64'))).toBe(false)
    const stored = JSON.parse(onDisk.toString('utf8'))
    expect(Object.keys(stored.keys)).toEqual(['text'])
    expect(Buffer.from(stored.keys.text, 'base64').toString('utf8')).not.toContain(KEY)
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0)
    expect(secrets.get(request('text'))).toBe(KEY)
    // A fresh instance (next launch) reads it back.
    expect(new SafeStorageSecrets(file).get(request('text'))).toBe(KEY)
    expect(secrets.get(request('image'))).toBeUndefined()
    expect(secrets.get(request('moderation'))).toBeUndefined()
  })

  it('an empty key forgets the stored one', () => {
    const secrets = new SafeStorageSecrets(file)
    secrets.set('text', KEY)
    secrets.set('image', 'sk-image')
    expect(secrets.set('text', '')).toBe(true)
    expect(secrets.get(request('text'))).toBeUndefined()
    expect(secrets.get(request('image'))).toBe('sk-image')
    secrets.set('image', '')
    expect(existsSync(file)).toBe(false)
  })

  it('refuses to store when encryption is unavailable, and writes nothing', () => {
    electron.safeStorage.available = false
    const secrets = new SafeStorageSecrets(file)
    expect(secrets.unavailableReason()).toMatch(/no encryption/)
    expect(secrets.set('text', KEY)).toBe(false)
    expect(existsSync(file)).toBe(false)
    expect(electron.callsTo('safeStorage.encryptString')).toHaveLength(0)
  })

  it('refuses Linux’s basic_text backend (a fixed password is clear text in disguise)', () => {
    electron.safeStorage.backend = 'basic_text'
    const secrets = new SafeStorageSecrets(file, console.warn, 'linux')
    expect(secrets.unavailableReason()).toMatch(/keyring/)
    expect(secrets.set('text', KEY)).toBe(false)
    expect(existsSync(file)).toBe(false)
    // The backend name only matters on Linux.
    expect(new SafeStorageSecrets(file, console.warn, 'darwin').unavailableReason()).toBeNull()
  })

  it('a tampered or foreign ciphertext is ignored, and the log carries neither it nor the key', () => {
    const logs: string[] = []
    writeFileSync(file, JSON.stringify({ version: 1, keys: { text: Buffer.from('garbage-' + KEY).toString('base64') } }))
    const secrets = new SafeStorageSecrets(file, (m) => logs.push(m))
    expect(secrets.get(request('text'))).toBeUndefined()
    expect(logs.join('\n')).toMatch(/could not be decrypted/)
    expect(logs.join('\n')).not.toContain(KEY)
    writeFileSync(file, '{not json')
    expect(secrets.get(request('text'))).toBeUndefined()
  })
})

describe('settings/setApiKey through the app', () => {
  let booted: Booted
  beforeEach(async () => {
    electron.reset()
    booted = await bootDesktop()
  })
  afterEach(async () => {
    await booted.shutdown()
  })

  it('stores the key encrypted under userData; the renderer only ever learns that a key exists', async () => {
    const stored = await booted.invoke('settings/setApiKey', { kind: 'text', key: KEY })
    expect(stored).toEqual({ ok: true, value: null })
    expect(readFileSync(join(booted.userData, 'secrets.json'), 'utf8')).not.toContain(KEY)
    expect(booted.studio.services.secrets.get(request('text'))).toBe(KEY)
    // Nothing that went to the window carries the key.
    const settings = await booted.invoke('settings/get', {})
    expect(JSON.stringify(settings)).not.toContain(KEY)
    expect(JSON.stringify(booted.win.webContents.sent)).not.toContain(KEY)
    expect(booted.logs.join('\n')).not.toContain(KEY)
  })

  it('when encryption is unavailable the call is refused with a reason, and nothing is written', async () => {
    electron.safeStorage.available = false
    const result = await booted.invoke('settings/setApiKey', { kind: 'text', key: KEY })
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/not saved/) } })
    if (!result.ok) expect(result.error.message).not.toContain(KEY)
    expect(existsSync(join(booted.userData, 'secrets.json'))).toBe(false)
    expect(booted.studio.services.secrets.get(request('text'))).toBeUndefined()
  })
})
