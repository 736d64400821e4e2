/**
 * farm/connect in the desktop app: main stores the farm's password in the keychain (safeStorage,
 * ciphertext on disk), hands it to the engine with the keys, and forwards the command; the engine
 * tests the farm and saves the URL without the password. Wired as app.ts wires it — main's
 * handlers over `relay`, the engine side a real studio with the host's ClientSecrets — with a
 * real PostgreSQL; only Electron is the test double.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { dispatch } from '../../src/main/api/dispatch'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { desktopHandlers } from '../../src/main/desktop/desktop-handlers'
import { SafeStorageSecrets, secretsFile } from '../../src/main/desktop/secrets'
import { ClientSecrets } from '../../src/main/host/engine-host'
import { SECRET_KINDS, type SecretKeys } from '../../src/main/host/protocol'
import { relay } from '../../src/main/host/relay'
import { openStudio } from '../../src/main/engine/studio'
import { electron } from '../helpers/electron-double'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'
import { usePostgres } from '../helpers/postgres'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

const db = usePostgres()
const track = closeAfterEach()
const PASSWORD = 'Farm-desktop-pw-42'

function withPassword(url: string, port?: string): string {
  const u = new URL(url)
  u.password = PASSWORD
  if (port) u.port = port
  return u.toString()
}

function desktop() {
  const userData = tempDir('studio-desktop-farm-')
  const secrets = new SafeStorageSecrets(secretsFile(userData))
  const keys = (): SecretKeys => Object.fromEntries(SECRET_KINDS.flatMap((k) => (secrets.get({ kind: k }) ? [[k, secrets.get({ kind: k })]] : [])))
  // The engine's side: what it forgets, main forgets (the host's secrets.forget message).
  const engineSecrets = new ClientSecrets((m) => {
    if (m.t === 'secrets.forget') secrets.set(m.kind, '')
  })
  engineSecrets.replace(keys())
  const studio = track(openStudio({ dataDir: userData, secrets: engineSecrets, env: {} }), (s) => s.close(100))
  const engine = studioHandlers(studio)
  const call = (command: string, request: unknown) => dispatch(engine, command, request)
  const route = relay(
    { call },
    desktopHandlers({ revealRoots: [userData], secrets, invalidateProviders: () => engineSecrets.replace(keys()), forward: (c, r) => call(c, r) })
  )
  return { userData, secrets, studio, route }
}

describe('farm/connect in the desktop app', () => {
  beforeEach(() => electron.reset())

  it('the password goes to the keychain as ciphertext, the URL without it to the settings; status uses it; disconnect forgets it', async () => {
    const { userData, secrets, studio, route } = desktop()
    const connected = await route('farm/connect', { queueUrl: withPassword(db.url) })
    expect(connected).toEqual({ ok: true, value: { queueUrl: db.url, hasPassword: true, sharedDir: null } })
    expect(secrets.get({ kind: 'farm' })).toBe(PASSWORD)
    const onDisk = readFileSync(secretsFile(userData))
    expect(onDisk.includes(PASSWORD)).toBe(false)
    expect(Object.keys(JSON.parse(onDisk.toString('utf8')).keys)).toEqual(['farm'])
    expect(studio.settings.get().farm).toEqual({ queueUrl: db.url, sharedDir: null })
    const got = await route('farm/get', {})
    expect(got).toEqual({ ok: true, value: { queueUrl: db.url, hasPassword: true, sharedDir: null } })
    expect(JSON.stringify(await route('farm/test', {}))).not.toContain(PASSWORD)

    expect(await route('farm/disconnect', {})).toEqual({ ok: true, value: { queueUrl: null, hasPassword: false, sharedDir: null } })
    expect(secrets.get({ kind: 'farm' })).toBeUndefined()
    expect(existsSync(secretsFile(userData))).toBe(false)
    await studio.close(100)
    expect(readFileSync(join(userData, 'studio.db')).includes(PASSWORD)).toBe(false)
  })

  it('a farm that does not answer is not saved, and the password stored before is put back', async () => {
    const { secrets, studio, route } = desktop()
    await route('farm/connect', { queueUrl: withPassword(db.url) })
    const refused = await route('farm/connect', { queueUrl: withPassword(db.url, '1').replace(PASSWORD, 'other-pw-77') })
    expect(refused).toMatchObject({ ok: false, error: { code: 'farm_unreachable', issues: [{ path: ['queueUrl'] }] } })
    expect(JSON.stringify(refused)).not.toContain('other-pw-77')
    expect(secrets.get({ kind: 'farm' })).toBe(PASSWORD)
    expect(studio.settings.get().farm).toEqual({ queueUrl: db.url, sharedDir: null })
  })

  it('without a keyring a password is refused, naming the field, and nothing is stored; without a password it connects', async () => {
    const { userData, secrets, route } = desktop()
    electron.safeStorage.available = false
    const r = await route('farm/connect', { queueUrl: withPassword(db.url) })
    expect(r).toMatchObject({ ok: false, error: { code: 'farm_password_not_stored', issues: [{ path: ['queueUrl'] }] } })
    expect(secrets.get({ kind: 'farm' })).toBeUndefined()
    expect(existsSync(secretsFile(userData))).toBe(false)
    expect(await route('farm/connect', { queueUrl: db.url })).toEqual({ ok: true, value: { queueUrl: db.url, hasPassword: false, sharedDir: null } })
  })
})
