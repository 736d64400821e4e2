import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectCapabilities } from '../../src/main/engine/farm/capabilities'
import { farmInitCommand, farmStatus, formatFarmStatus, resolveQueueUrl, workerPreflight } from '../../src/main/engine/farm/commands'
import { FarmError } from '../../src/main/engine/farm/errors'
import { migrate } from '../../src/main/engine/store/postgres/init'
import { FARM_MIGRATIONS, FARM_SCHEMA_VERSION } from '../../src/main/engine/store/postgres/schema'
import { heartbeat, markStopping, registerWorker } from '../../src/main/engine/store/postgres/workers'
import { usePostgres, withDatabase } from '../helpers/postgres'
import { endPool } from '../helpers/pg-pool'

const db = usePostgres()
const dataDir = mkdtempSync(join(tmpdir(), 'studio-farm-data-'))
let pool: pg.Pool
beforeAll(() => {
  pool = new pg.Pool({ connectionString: db.url, max: 2 })
})
afterAll(async () => {
  await endPool(pool)
  rmSync(dataDir, { recursive: true, force: true })
})

async function addJob(id: string, status: string, needs: string[], extra: { owner?: string; step?: string } = {}): Promise<void> {
  await pool.query(
    `INSERT INTO jobs (id, type, title, payload, status, position, next_needs, lease_owner, current_step, started_at, created_at, updated_at)
     VALUES ($1, 'video', $1, '{}', $2, (SELECT coalesce(max(position), 0) + 1 FROM jobs), $3, $4, $5, 1, 0, 0)`,
    [id, status, needs, extra.owner ?? null, extra.step ?? null]
  )
}

describe('farm status and worker start', () => {
  it('before init: status says to run init; a worker refuses to start', async () => {
    await expect(farmStatus(db.url)).rejects.toMatchObject({ code: 'farm-not-initialised' })
    const pre = await workerPreflight(db.url, dataDir)
    expect(pre).toEqual({ ok: false, reason: expect.stringContaining('run `studio farm init`') })
  })

  it('init prints what it did, then that the schema is current', async () => {
    const first = await farmInitCommand(db.url)
    expect(first.result.applied).toEqual(FARM_MIGRATIONS.map((m) => m.version))
    expect(first.text).toMatch(/applied version/)
    const again = await farmInitCommand(db.url)
    expect(again.text).toBe(`farm schema at ${db.url} is current (version ${FARM_SCHEMA_VERSION})`)
  })

  it('lists workers, what each runs, the queue, and the jobs no live worker can run', async () => {
    const now = Date.now()
    const caps = await detectCapabilities({ env: { PATH: process.env.PATH } })
    await registerWorker(pool, { id: 'w-render', pid: 101, version: 'test', capabilities: { ...caps, host: 'render-1', has: ['ffmpeg', 'libass', 'speech'] } }, now - 1000)
    await registerWorker(pool, { id: 'w-old', pid: 102, version: 'test', capabilities: { ...caps, host: 'old-2', has: ['gpu', 'image'] } }, now - 60_000)
    await registerWorker(pool, { id: 'w-leaving', pid: 103, version: 'test', capabilities: { ...caps, host: 'leaving-3', has: ['text'] } }, now)
    await markStopping(pool, 'w-leaving')
    expect(await heartbeat(pool, 'w-render', now)).toBe(true)
    expect(await heartbeat(pool, 'w-missing', now)).toBe(false)

    await addJob('render-a', 'processing', ['ffmpeg', 'libass'], { owner: 'w-render', step: 'render' })
    await addJob('render-b', 'pending', ['ffmpeg', 'libass'])
    await addJob('gpu-a', 'pending', ['gpu', 'image']) // only the gone worker had a GPU
    await addJob('gpu-b', 'pending', ['gpu', 'image'])
    await addJob('text-a', 'pending', ['text']) // only a stopping worker can
    await addJob('done', 'completed', [])

    const s = await farmStatus(db.url, now)
    expect(s.schemaVersion).toBe(FARM_SCHEMA_VERSION)
    expect(s.queue).toEqual({ pending: 4, processing: 1, paused: 0, completed: 1, failed: 0, cancelled: 0 })
    expect(s.workers.map((w) => [w.id, w.alive, w.stopping, w.running.map((r) => r.jobId)])).toEqual([
      ['w-leaving', true, true, []],
      ['w-old', false, false, []],
      ['w-render', true, false, ['render-a']]
    ])
    expect(s.unrunnable).toEqual([
      { needs: ['gpu', 'image'], jobs: 2 },
      { needs: ['text'], jobs: 1 }
    ])
    const text = formatFarmStatus(s)
    expect(text).toContain('2 workers alive of 3')
    expect(text).toContain('render-1 w-render pid 101: alive; can run ffmpeg, libass, speech; render-a [render]')
    expect(text).toMatch(/old-2 w-old pid 102: gone \(last seen 60s ago\)/)
    expect(text).toContain('2 pending jobs no live worker can run (needs gpu, image)')
    // The stored capabilities carry key names only.
    const stored = await pool.query(`SELECT capabilities FROM workers WHERE id = 'w-render'`)
    expect(stored.rows[0].capabilities.host).toBe('render-1')
  })

  it('a worker starts when the schema is current and the data folder works; not when it is missing', async () => {
    const pre = await workerPreflight(db.url, dataDir, { env: { PATH: process.env.PATH } })
    expect(pre.ok && pre.schemaVersion).toBe(FARM_SCHEMA_VERSION)
    expect(pre.ok && pre.capabilities.has).toContain('ffmpeg')
    const missing = await workerPreflight(db.url, join(dataDir, 'not-mounted'))
    expect(missing).toEqual({ ok: false, reason: expect.stringMatching(/^cannot start a farm worker: the shared data folder .* does not exist on this machine/) })
  })

  it('a worker refuses a farm whose schema is newer than it knows', async () => {
    const name = `studio_test_${Math.random().toString(16).slice(2, 12)}`
    await pool.query(`CREATE DATABASE ${name}`)
    const url = withDatabase(db.url, name)
    try {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await migrate(c, [...FARM_MIGRATIONS, { version: FARM_SCHEMA_VERSION + 1, name: 'later', sql: 'SELECT 1' }])
      await c.end()
      const pre = await workerPreflight(url, dataDir)
      expect(pre).toEqual({ ok: false, reason: expect.stringContaining('newer than this studio knows') })
    } finally {
      await pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }
  })
})

describe('queue URL from the flag or the environment', () => {
  it('prefers --queue-url, falls back to STUDIO_QUEUE_URL, else the local queue; names the source of a bad one', () => {
    expect(resolveQueueUrl(undefined, {})).toBeUndefined()
    expect(resolveQueueUrl(undefined, { STUDIO_QUEUE_URL: 'postgres://a@h/db' })).toBe('postgres://a@h/db')
    expect(resolveQueueUrl('postgresql://b@h/db', { STUDIO_QUEUE_URL: 'postgres://a@h/db' })).toBe('postgresql://b@h/db')
    expect(() => resolveQueueUrl('http://h/db', {})).toThrow(/^--queue-url: the scheme must be postgres/)
    expect(() => resolveQueueUrl(undefined, { STUDIO_QUEUE_URL: 'nope' })).toThrow(FarmError)
    expect(() => resolveQueueUrl(undefined, { STUDIO_QUEUE_URL: 'nope' })).toThrow(/^STUDIO_QUEUE_URL: /)
  })
})
