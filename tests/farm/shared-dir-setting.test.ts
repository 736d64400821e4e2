/**
 * Settings → "Studio farm" → "Shared folder on this computer" (`farm/setSharedDir`) through the
 * contract's dispatch, as a page calls it, on a real studio and a real PostgreSQL. The folder is
 * checked before it is stored, as a worker checks its share: it exists here and takes writes, and
 * it is the farm's — an empty folder (a share not mounted), or another farm's share, is refused
 * naming the field with the reason the window words; a symlinked mount of the real share is the
 * same folder and is stored, kept across a reconnect and answered by farm/get. Only a worker marks a
 * farm's share: a window refuses a folder until one has.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { workerPreflight } from '../../src/main/engine/farm/commands'
import { proveFarmShare, SHARE_MARK_FILE } from '../../src/main/engine/farm/share-mark'
import { MemorySecrets } from '../../src/main/engine/services'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { readShareId } from '../../src/main/engine/store/postgres/share-id'
import { openStudio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'
import { usePostgres, useFreshDatabases } from '../helpers/postgres'

const db = usePostgres()
const freshDatabase = useFreshDatabases(db)
const track = closeAfterEach()

function open() {
  const dataDir = tempDir('studio-farm-share-setting-')
  const studio = track(openStudio({ dataDir, secrets: new MemorySecrets(), env: {} }), (s) => s.close(100))
  const handlers = studioHandlers(studio)
  return { dataDir, studio, call: (name: string, request: unknown) => dispatch(handlers, name, request) }
}

const refused = (reason: string) => ({ ok: false, error: { code: 'farm_share_refused', issues: [{ path: ['sharedDir'], code: 'custom', reason }] } })

describe('farm/setSharedDir', () => {
  it('refuses a folder that is not the farm’s share, naming the field and why; stores the share (a symlinked mount of it too)', async () => {
    const url = await freshDatabase()
    await farmInit(url)
    const share = tempDir('studio-farm-share-')
    // A worker has started on the share: the farm and the folder carry the same mark.
    const pre = await workerPreflight(url, share, { env: { PATH: process.env.PATH } })
    expect(pre.ok, pre.ok ? '' : pre.reason).toBe(true)

    const { call, studio } = open()
    // Not connected: nothing to check the folder against.
    expect(await call('farm/setSharedDir', { sharedDir: share })).toMatchObject(refused('farmShare.notConnected'))
    expect((await call('farm/connect', { queueUrl: url })).ok).toBe(true)

    // Wrong types and sizes: the contract's own issues, on the field.
    expect(await call('farm/setSharedDir', { sharedDir: 42 })).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: ['sharedDir'], code: 'invalid_type' }] } })
    expect(await call('farm/setSharedDir', { sharedDir: '/x'.repeat(3000) })).toMatchObject({ ok: false, error: { issues: [{ path: ['sharedDir'], code: 'too_big' }] } })

    const emptyMountPoint = tempDir('studio-farm-not-mounted-')
    const anotherFarms = tempDir('studio-farm-other-')
    writeFileSync(join(anotherFarms, SHARE_MARK_FILE), JSON.stringify({ farm: 'another-farm-id' }) + '\n')
    const aFile = join(tempDir('studio-farm-file-'), 'share.txt')
    writeFileSync(aFile, 'not a folder')
    const cases: Array<[string, string]> = [
      ['relative/share', 'farmShare.notAbsolute'],
      [join(share, 'no-such-folder'), 'farmShare.missing'],
      [aFile, 'farmShare.notAFolder'],
      [emptyMountPoint, 'farmShare.notTheShare'],
      [anotherFarms, 'farmShare.anotherFarm']
    ]
    for (const [sharedDir, reason] of cases) {
      const r = await call('farm/setSharedDir', { sharedDir })
      expect(r, sharedDir).toMatchObject(refused(reason))
      expect((r as { error: { message: string } }).error.message).toMatch(/^sharedDir: /)
    }
    // Nothing refused was stored.
    expect(studio.settings.get().farm.sharedDir).toBeNull()

    // The share as this computer mounts it (another path to the same folder): stored.
    const mount = join(tempDir('studio-farm-mnt-'), 'studio-farm')
    symlinkSync(share, mount)
    expect(await call('farm/setSharedDir', { sharedDir: ` ${mount} ` })).toMatchObject({ ok: true, value: { queueUrl: expect.any(String), sharedDir: mount } })
    expect(studio.settings.get().farm.sharedDir).toBe(mount)
    // Kept across a disconnect and a connect (it is this computer's mount, not the farm's URL).
    expect((await call('farm/disconnect', {})).ok).toBe(true)
    expect((await call('farm/connect', { queueUrl: url })).ok).toBe(true)
    expect(await call('farm/get', {})).toMatchObject({ ok: true, value: { sharedDir: mount } })
    // Emptied: forgotten (the data folder is the share again), without a check.
    expect(await call('farm/setSharedDir', { sharedDir: '' })).toMatchObject({ ok: true, value: { sharedDir: null } })
    expect(await call('farm/setSharedDir', { sharedDir: null })).toMatchObject({ ok: true, value: { sharedDir: null } })
  })

  it('a window never marks a share: before any worker has, it says to start one (a page cannot name the farm’s share)', async () => {
    const url = await freshDatabase()
    await farmInit(url)
    const { call, studio } = open()
    expect((await call('farm/connect', { queueUrl: url })).ok).toBe(true)
    const folder = tempDir('studio-farm-unmarked-')
    expect(await call('farm/setSharedDir', { sharedDir: folder })).toMatchObject(refused('farmShare.unmarked'))
    expect(existsSync(join(folder, SHARE_MARK_FILE))).toBe(false)
    expect(studio.settings.get().farm.sharedDir).toBeNull()
    // A worker started on it marks it: then the window accepts it.
    expect((await workerPreflight(url, folder, { env: { PATH: process.env.PATH } })).ok).toBe(true)
    expect(await call('farm/setSharedDir', { sharedDir: folder })).toMatchObject({ ok: true, value: { sharedDir: folder } })
  })

  it('a worker refuses an empty mount point and another farm’s share; the first to check marks a farm’s share', async () => {
    const url = await freshDatabase()
    await farmInit(url)
    const share = tempDir('studio-farm-share-')
    mkdirSync(join(share, 'jobs'))
    const first = await workerPreflight(url, share, { env: { PATH: process.env.PATH } })
    expect(first.ok).toBe(true)
    const empty = await workerPreflight(url, tempDir('studio-farm-not-mounted-'), { env: { PATH: process.env.PATH } })
    expect(empty).toEqual({ ok: false, reason: expect.stringMatching(/^cannot start a farm worker: the shared data folder .* is not the folder this farm's machines write into/) })
    // Another farm (a database of its own) finds this share marked for the first one.
    const other = await freshDatabase()
    await farmInit(other)
    const theirs = tempDir('studio-farm-theirs-')
    expect((await workerPreflight(other, theirs, { env: { PATH: process.env.PATH } })).ok).toBe(true)
    expect(await workerPreflight(other, share, { env: { PATH: process.env.PATH } })).toEqual({ ok: false, reason: expect.stringContaining('belongs to another farm') })
  })

  it('workers starting at once on an unmarked share all accept it, and mark it for one farm id', async () => {
    // Each round: a farm no worker has checked yet, and six machines proving the same folder at once
    // on connections of their own (the first to name the farm's id must have marked the folder first).
    for (let round = 0; round < 3; round++) {
      const url = await freshDatabase()
      await farmInit(url)
      const share = tempDir('studio-farm-share-race-')
      const clients = Array.from({ length: 6 }, () => new pg.Client({ connectionString: url }))
      await Promise.all(clients.map((c) => c.connect()))
      try {
        const checks = await Promise.all(clients.map((c) => proveFarmShare(c, share)))
        expect(checks.filter((c) => !c.ok), `round ${round}`).toEqual([])
        const mark = JSON.parse(readFileSync(join(share, SHARE_MARK_FILE), 'utf8')) as { farm: string }
        expect(await readShareId(clients[0]!)).toBe(mark.farm)
        expect(readdirSync(share).filter((n) => n.endsWith('.tmp')), 'no temporary mark left').toEqual([])
      } finally {
        await Promise.all(clients.map((c) => c.end()))
      }
    }
  })
})
