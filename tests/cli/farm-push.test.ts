/**
 * `studio farm push` refusing, as a person runs it (the built CLI in its own process): its help,
 * a missing or relative shared folder, a folder that is not the farm's share, and a farm that is
 * down, not initialised or on a newer schema — each refused with the farm's own error before
 * anything here changes.
 */
import { readdirSync } from 'node:fs'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { workerPreflight } from '../../src/main/engine/farm/commands'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { FARM_SCHEMA_VERSION } from '../../src/main/engine/store/postgres/schema'
import { builtStudio } from '../helpers/cli'
import { tempDir } from '../helpers/engine'
import { usePostgres, useFreshDatabases } from '../helpers/postgres'

const db = usePostgres()
const freshDatabase = useFreshDatabases(db)
const studio = (args: string[], env: Record<string, string> = {}) => builtStudio(args, env, 'studio-push-cli-')

/** A local studio with one queued job; returns its folder and the job as `list --json` shows it. */
async function localWithJob(): Promise<{ dir: string; job: { id: string; updatedAt: number; status: string } }> {
  const dir = tempDir('studio-push-refused-')
  const added = await studio(['--data-dir', dir, '--json', 'add', 'text', '--input', '{"prompt":"One line about lighthouses"}'])
  expect(added.code, added.err).toBe(0)
  return { dir, job: JSON.parse(added.out) }
}

async function listed(dir: string): Promise<Array<{ id: string; updatedAt: number; status: string; runAfter: number }>> {
  const r = await studio(['--data-dir', dir, '--json', 'list'])
  return JSON.parse(r.out)
}

describe('studio farm push refuses', () => {
  it('has a help of its own, saying what moves, what stays and how it is kept safe', async () => {
    const r = await studio(['farm', 'push', '--help'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^usage: studio farm push --farm-data-dir SHARED/)
    for (const words of ['Completed, failed and cancelled jobs stay here', 'one transaction', '--dry-run', 'already has (same id)', 'relative to it']) {
      expect(r.out).toContain(words)
    }
    const all = await studio(['--help'])
    expect(all.out).toContain('farm push --farm-data-dir SHARED')
  })

  it('without the shared folder, or with a relative one (exit 2)', async () => {
    const url = await freshDatabase()
    const none = await studio(['--json', '--queue-url', url, 'farm', 'push'])
    expect(none.code).toBe(2)
    expect(JSON.parse(none.err).error).toEqual({ code: 'usage', message: expect.stringContaining('give --farm-data-dir SHARED') })
    const relative = await studio(['--json', '--queue-url', url, 'farm', 'push', '--farm-data-dir', 'shared'])
    expect(relative.code).toBe(2)
    expect(JSON.parse(relative.err).error.message).toContain('--farm-data-dir must be an absolute path')
  })

  it('a farm that is down, not initialised or newer: the farm errors, and nothing here changes (exit 1)', async () => {
    const { dir, job } = await localWithJob()
    const shared = tempDir('studio-push-shared-')
    const before = await listed(dir)
    const down = new URL(db.url)
    down.port = '1'
    const blank = await freshDatabase()
    const newer = await freshDatabase()
    await farmInit(newer)
    const c = new pg.Client({ connectionString: newer })
    await c.connect()
    await c.query("INSERT INTO farm_migrations (version, name) VALUES ($1, 'from a newer studio')", [FARM_SCHEMA_VERSION + 1])
    await c.end()
    const cases: Array<[string, string, RegExp]> = [
      [down.toString(), 'farm-unreachable', /cannot connect to postgres:\/\//],
      [blank, 'farm-not-initialised', /run `studio farm init` first/],
      [newer, 'farm-schema-mismatch', /is newer than this studio knows/]
    ]
    for (const [url, code, message] of cases) {
      const r = await studio(['--json', '--queue-url', url, 'farm', 'push', '--data-dir', dir, '--farm-data-dir', shared])
      expect(r.code, code).toBe(1)
      expect(JSON.parse(r.err).error, code).toEqual({ code, message: expect.stringMatching(message) })
    }
    expect(await listed(dir)).toEqual(before)
    expect(before.map((j) => j.id)).toEqual([job.id])
  })

  it('a shared folder that is not the farm’s share (an empty mount point, another farm’s): refused before anything is copied (exit 1)', async () => {
    const { dir, job } = await localWithJob()
    const url = await freshDatabase()
    await farmInit(url)
    // A worker has marked the farm's share; this machine names an empty folder (the share not mounted here).
    const share = tempDir('studio-push-share-')
    expect((await workerPreflight(url, share, { env: { PATH: process.env.PATH } })).ok).toBe(true)
    const notMounted = tempDir('studio-push-not-mounted-')
    const before = await listed(dir)
    const r = await studio(['--json', '--queue-url', url, 'farm', 'push', '--data-dir', dir, '--farm-data-dir', notMounted])
    expect(r.code, r.err).toBe(1)
    expect(JSON.parse(r.err).error).toEqual({ code: 'farm-share-refused', message: expect.stringMatching(/^--farm-data-dir: the shared data folder .* is not the folder this farm's machines write into/) })
    expect(await listed(dir)).toEqual(before)
    expect(readdirSync(notMounted)).toEqual([])
    // The share itself is taken: the job moves.
    const ok = await studio(['--json', '--queue-url', url, 'farm', 'push', '--data-dir', dir, '--farm-data-dir', share])
    expect(ok.code, ok.err).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({ jobs: 1 })
    expect((await listed(dir)).map((j) => j.id)).not.toContain(job.id)
  })
})
