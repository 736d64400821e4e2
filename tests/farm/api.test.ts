/**
 * farm/* through the contract's dispatch, as a page calls them: on a real studio (SQLite file)
 * and a real PostgreSQL. Bad URLs are refused naming the field before anything connects; the
 * password is kept with the keys and never answered, stored in studio.db or echoed in an error.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createHandlers, dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { FARM_SCHEMA_VERSION } from '../../src/main/engine/store/postgres/schema'
import { MemorySecrets } from '../../src/main/engine/services'
import { openStudio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { openTestEngine, tempDir } from '../helpers/engine'
import { usePostgres, useFreshDatabases } from '../helpers/postgres'

const db = usePostgres()
const track = closeAfterEach()
const PASSWORD = 'Farm-pw-Zx81'

const freshDatabase = useFreshDatabases(db)

function withPassword(url: string): string {
  const u = new URL(url)
  u.password = PASSWORD
  return u.toString()
}

function open(resolve?: (host: string) => Promise<Array<{ address: string }>>) {
  const dataDir = tempDir('studio-farm-api-')
  const secrets = new MemorySecrets()
  const studio = track(openStudio({ dataDir, secrets, env: {} }), (s) => s.close(100))
  const handlers = studioHandlers(studio, resolve ? { farm: { resolve } } : {})
  return { dataDir, secrets, studio, call: (name: string, request: unknown) => dispatch(handlers, name, request) }
}

describe('farm/* refuse bad input naming the field, before connecting', () => {
  it('a URL that is not a PostgreSQL server address: bad_request, issue on queueUrl with its reason', async () => {
    const { call } = open()
    const cases: Array<[unknown, string]> = [
      ['http://db.lan/studio', 'farm.scheme'],
      ['not a url', 'farm.notUrl'],
      ['postgres:///studio', 'farm.host'],
      ['postgres://db.lan:99999/studio', 'farm.port'],
      ['postgres://db.lan:0/studio', 'farm.port'],
      ['postgres://db.lan/studio/extra', 'farm.path'],
      ['postgres://db.lan/studio?host=/var/run/postgresql', 'farm.option'],
      ['postgres://db.lan/studio?sslcert=/home/me/.ssh/id_rsa', 'farm.option'],
      ['postgres://db.lan/studio?sslmode=sometimes', 'farm.option'],
      [`postgres://me@db.lan/studio?password=${PASSWORD}`, 'farm.passwordInQuery']
    ]
    for (const [queueUrl, reason] of cases) {
      for (const command of ['farm/test', 'farm/connect']) {
        const r = await call(command, { queueUrl })
        expect(r, `${command} ${queueUrl}`).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: ['queueUrl'], code: 'custom', reason }] } })
        expect(JSON.stringify(r)).not.toContain(PASSWORD)
      }
    }
    expect(await call('farm/connect', {})).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: ['queueUrl'], code: 'invalid_type' }] } })
    expect(await call('farm/connect', { queueUrl: 5432 })).toMatchObject({ ok: false, error: { issues: [{ path: ['queueUrl'], code: 'invalid_type' }] } })
    expect(await call('farm/connect', { queueUrl: '' })).toMatchObject({ ok: false, error: { issues: [{ path: ['queueUrl'], code: 'too_small' }] } })
    expect(await call('farm/test', { queueUrl: 'postgres://db.lan/x', url: 'y' })).toMatchObject({ ok: false, error: { issues: [{ code: 'unrecognized_keys', keys: ['url'] }] } })
    expect(await call('farm/get', {})).toEqual({ ok: true, value: { queueUrl: null, hasPassword: false, sharedDir: null } })
  })

  it('link-local, unspecified and multicast addresses are refused (a metadata service, not a farm); loopback and the LAN are not', async () => {
    const { call } = open(async (host) => (host === 'metadata.test' ? [{ address: '169.254.169.254' }] : [{ address: '192.168.1.20' }]))
    for (const host of ['169.254.169.254', '[fe80::1]', '0.0.0.0', '224.0.0.1', 'metadata.test', '[::ffff:169.254.169.254]']) {
      const r = await call('farm/test', { queueUrl: `postgres://studio:${PASSWORD}@${host}:5432/studio` })
      expect(r, host).toMatchObject({ ok: false, error: { code: 'farm_address_forbidden', issues: [{ path: ['queueUrl'] }] } })
      expect(JSON.stringify(r)).not.toContain(PASSWORD)
    }
    // Loopback is where a one-machine farm (and this test's) runs.
    const local = await call('farm/test', { queueUrl: await freshDatabase() })
    expect(local).toMatchObject({ ok: true, value: { reachable: true } })
  })
})

describe('farm/test, connect, status, disconnect', () => {
  it('test: before init the version is null; after, the status comes with it', async () => {
    const { call } = open()
    const url = await freshDatabase()
    expect(await call('farm/test', { queueUrl: url })).toMatchObject({ ok: true, value: { reachable: true, schemaVersion: null, knownVersion: FARM_SCHEMA_VERSION, status: null } })
    await farmInit(url)
    const r = await call('farm/test', { queueUrl: url })
    expect(r).toMatchObject({
      ok: true,
      value: { schemaVersion: FARM_SCHEMA_VERSION, status: { workers: [], queue: { pending: 0, processing: 0 }, unrunnable: [] } }
    })
  })

  it('an unreachable farm is named with its password masked, and is not saved', async () => {
    const { call } = open()
    const dead = new URL(withPassword(db.url))
    dead.port = '1'
    for (const command of ['farm/test', 'farm/connect']) {
      const r = await call(command, { queueUrl: dead.toString() })
      expect(r).toMatchObject({ ok: false, error: { code: 'farm_unreachable', message: expect.stringContaining('studio:***@127.0.0.1:1'), issues: [{ path: ['queueUrl'] }] } })
      expect(JSON.stringify(r)).not.toContain(PASSWORD)
    }
    expect(await call('farm/get', {})).toEqual({ ok: true, value: { queueUrl: null, hasPassword: false, sharedDir: null } })
    expect(await call('farm/status', {})).toMatchObject({ ok: false, error: { code: 'farm_not_connected' } })
  })

  it('connect keeps the password with the keys (never in studio.db, never answered); status and test use it; disconnect forgets both', async () => {
    const { call, secrets, dataDir, studio } = open()
    const url = await freshDatabase()
    await farmInit(url)
    const connected = await call('farm/connect', { queueUrl: withPassword(url) })
    expect(connected).toEqual({ ok: true, value: { queueUrl: url, hasPassword: true, sharedDir: null } })
    expect(secrets.get({ kind: 'farm' })).toBe(PASSWORD)
    expect(studio.settings.get().farm).toEqual({ queueUrl: url, sharedDir: null })

    const answers = [await call('farm/get', {}), await call('farm/status', {}), await call('farm/test', {}), await call('settings/get', {})]
    expect(answers[1]).toMatchObject({ ok: true, value: { schemaVersion: FARM_SCHEMA_VERSION, workers: [] } })
    expect(answers[2]).toMatchObject({ ok: true, value: { reachable: true, schemaVersion: FARM_SCHEMA_VERSION } })
    for (const a of answers) expect(JSON.stringify(a)).not.toContain(PASSWORD)
    await studio.close(100)
    for (const file of ['studio.db', 'studio.db-wal']) {
      const path = join(dataDir, file)
      if (existsSync(path)) expect(readFileSync(path).includes(PASSWORD), file).toBe(false)
    }
  })

  it('disconnect forgets the URL and the password; status then says there is no farm', async () => {
    const { call, secrets } = open()
    const url = await freshDatabase()
    await call('farm/connect', { queueUrl: withPassword(url) })
    expect(await call('farm/disconnect', {})).toEqual({ ok: true, value: { queueUrl: null, hasPassword: false, sharedDir: null } })
    expect(secrets.get({ kind: 'farm' })).toBeUndefined()
    expect(await call('farm/status', {})).toMatchObject({ ok: false, error: { code: 'farm_not_connected', issues: [{ path: ['queueUrl'] }] } })
    // Connecting again without a password leaves none stored.
    expect(await call('farm/connect', { queueUrl: url })).toEqual({ ok: true, value: { queueUrl: url, hasPassword: false, sharedDir: null } })
  })

  it('a bare engine (test pipelines) answers farm/* as unavailable', async () => {
    const engine = track(openTestEngine(), (e) => e.close(0))
    expect(await dispatch(createHandlers(engine), 'farm/get', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } })
  })
})
