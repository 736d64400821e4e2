/**
 * `studio farm init|status` and the global --queue-url, run as a person runs them: the built CLI
 * (bin/studio.mjs) in its own process, against a real PostgreSQL (tests/helpers/postgres.ts).
 */
import { join } from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { FARM_MIGRATIONS, FARM_SCHEMA_VERSION } from '../../src/main/engine/store/postgres/schema'
import { registerWorker } from '../../src/main/engine/store/postgres/workers'
import { detectCapabilities } from '../../src/main/engine/farm/capabilities'
import { builtStudio } from '../helpers/cli'
import { tempDir } from '../helpers/engine'
import { usePostgres, useFreshDatabases } from '../helpers/postgres'

const db = usePostgres()
const PASSWORD = 'Zq7-farm-secret'

const studio = (args: string[], env: Record<string, string> = {}) => builtStudio(args, env, 'studio-farm-cli-')

/** A database of its own for one test (several machines' view of one farm), dropped at the end. */
const freshDatabase = useFreshDatabases(db)

/** The same URL with a password (the test cluster trusts loopback, so any password connects). */
function withPassword(url: string): string {
  const u = new URL(url)
  u.password = PASSWORD
  return u.toString()
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query<T>(sql)).rows
  } finally {
    await c.end()
  }
}

describe('studio farm init', () => {
  it('creates the schema, then finds it current (text and --json); STUDIO_QUEUE_URL works as the flag does', async () => {
    const url = await freshDatabase()
    const first = await studio(['farm', 'init', '--queue-url', url])
    expect(first).toMatchObject({ code: 0, err: '' })
    const versions = FARM_MIGRATIONS.map((m) => m.version)
    expect(first.out).toContain(`applied version${versions.length > 1 ? 's' : ''} ${versions.join(', ')}; now at version ${FARM_SCHEMA_VERSION}`)

    const again = await studio(['--json', 'farm', 'init'], { STUDIO_QUEUE_URL: url })
    expect(again.code).toBe(0)
    expect(JSON.parse(again.out)).toEqual({ applied: [], version: FARM_SCHEMA_VERSION })
    const text = await studio(['farm', 'init', `--queue-url=${url}`])
    expect(text.out.trim()).toBe(`farm schema at ${url} is current (version ${FARM_SCHEMA_VERSION})`)
    expect(await query(url, 'SELECT version FROM farm_migrations ORDER BY version')).toEqual(FARM_MIGRATIONS.map((m) => ({ version: m.version })))
  })

  it('two machines running init at once: both succeed, each version is applied once', async () => {
    const url = await freshDatabase()
    const runs = await Promise.all([studio(['farm', 'init', '--json', '--queue-url', url]), studio(['farm', 'init', '--json', '--queue-url', url])])
    expect(runs.map((r) => [r.code, r.err])).toEqual([
      [0, ''],
      [0, '']
    ])
    const applied = runs.map((r) => (JSON.parse(r.out) as { applied: number[] }).applied)
    // One of them did the work; the other waited on the lock and found nothing left to do.
    expect(applied.flat().sort()).toEqual(FARM_MIGRATIONS.map((m) => m.version))
    expect(applied.some((a) => a.length === 0)).toBe(true)
    expect(await query(url, 'SELECT count(*)::int AS n FROM farm_migrations')).toEqual([{ n: FARM_MIGRATIONS.length }])
  })
})

describe('studio farm status', () => {
  it('lists the workers, what each runs and the queue, as text and as JSON', async () => {
    const url = await freshDatabase()
    expect((await studio(['farm', 'init', '--queue-url', url])).code).toBe(0)
    const pool = new pg.Pool({ connectionString: url, max: 1 })
    try {
      const caps = await detectCapabilities({ env: { PATH: process.env.PATH } })
      await registerWorker(pool, { id: 'w-1', pid: 4242, version: 'test', capabilities: { ...caps, host: 'render-1', has: ['ffmpeg', 'libass'] } })
      await pool.query(
        `INSERT INTO jobs (id, type, title, payload, status, position, next_needs, lease_owner, current_step, started_at, created_at, updated_at)
         VALUES ('job-a', 'video', 'Lighthouses', '{}', 'processing', 1, '{ffmpeg}', 'w-1', 'render', 1, 0, 0),
                ('job-b', 'video', 'Harbours', '{}', 'pending', 2, '{gpu}', NULL, NULL, NULL, 0, 0)`
      )
    } finally {
      await pool.end()
    }
    const text = await studio(['farm', 'status', '--queue-url', url])
    expect(text.code).toBe(0)
    expect(text.out).toContain(`schema version ${FARM_SCHEMA_VERSION}; 1 worker alive of 1`)
    expect(text.out).toContain('render-1 w-1 pid 4242: alive; can run ffmpeg, libass; Lighthouses [render]')
    expect(text.out).toContain('queue: 1 pending, 1 running, 0 paused, 0 completed, 0 failed, 0 cancelled')
    expect(text.out).toContain('1 pending job no live worker can run (needs gpu)')

    const json = await studio(['farm', 'status', '--json', '--queue-url', url])
    expect(json.code).toBe(0)
    const status = JSON.parse(json.out)
    expect(status).toMatchObject({
      schemaVersion: FARM_SCHEMA_VERSION,
      queue: { pending: 1, processing: 1, paused: 0, completed: 0, failed: 0, cancelled: 0 },
      unrunnable: [{ needs: ['gpu'], jobs: 1 }]
    })
    expect(status.workers).toEqual([
      expect.objectContaining({ id: 'w-1', host: 'render-1', pid: 4242, alive: true, running: [{ jobId: 'job-a', title: 'Lighthouses', step: 'render' }] })
    ])
  })

  it('before init: says to run init (exit 1, stable code)', async () => {
    const url = await freshDatabase()
    const r = await studio(['farm', 'status', '--json', '--queue-url', url])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.err)).toEqual({ error: { code: 'farm-not-initialised', message: expect.stringContaining('run `studio farm init` first') } })
  })
})

describe('the queue URL: missing, malformed, unreachable, and never the password', () => {
  it('no URL: names the flag and the variable (exit 2)', async () => {
    const r = await studio(['farm', 'status', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.err).error).toEqual({ code: 'no-queue-url', message: expect.stringMatching(/--queue-url .*STUDIO_QUEUE_URL/) })
  })

  it('not a postgres:// URL, no host, no value: names where the URL came from (exit 2)', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['farm', 'init', '--queue-url', 'http://db.example/studio'], {}, /^--queue-url: the scheme must be postgres:\/\/ \(got http:\/\/\)/],
      [['farm', 'init'], { STUDIO_QUEUE_URL: 'mysql://db.example/studio' }, /^STUDIO_QUEUE_URL: the scheme must be postgres/],
      [['farm', 'init', '--queue-url', 'not a url'], {}, /^--queue-url: not a URL/],
      [['farm', 'init', '--queue-url', 'postgres:///studio'], {}, /^--queue-url: no host/],
      [['farm', 'init', '--queue-url'], {}, /^--queue-url: give a URL/],
      [['farm', 'init', '--queue-url', '--json'], {}, /^--queue-url: give a URL/],
      [['farm', 'init', '--queue-url', `postgres://studio@db.example/studio?password=${PASSWORD}`], {}, /^--queue-url: put the password after the user name/]
    ]
    for (const [args, env, message] of cases) {
      const r = await studio([...args, '--json'], env)
      expect(r.code, args.join(' ')).toBe(2)
      expect(JSON.parse(r.err).error, args.join(' ')).toEqual({ code: 'invalid-queue-url', message: expect.stringMatching(message) })
      expect(r.err).not.toContain(PASSWORD)
    }
  })

  it('cannot connect: says where, with the password masked (exit 1)', async () => {
    const url = new URL(withPassword(db.url))
    url.port = '1' // nothing listens on port 1
    for (const json of [true, false]) {
      const r = await studio(['farm', 'status', '--queue-url', url.toString(), ...(json ? ['--json'] : [])])
      expect(r.code).toBe(1)
      expect(r.err).toContain('cannot connect to postgres://studio:***@127.0.0.1:1/')
      expect(r.err + r.out).not.toContain(PASSWORD)
      if (json) expect(JSON.parse(r.err).error.code).toBe('farm-unreachable')
    }
  })

  it('the password never appears in any output, success or failure', async () => {
    const url = withPassword(await freshDatabase())
    const runs = [
      await studio(['farm', 'status', '--queue-url', url]),
      await studio(['farm', 'init', '--queue-url', url]),
      await studio(['farm', 'init', '--json', '--queue-url', url]),
      await studio(['farm', 'status', '--queue-url', url]),
      await studio(['farm', 'status', '--json'], { STUDIO_QUEUE_URL: url }),
      await studio(['list', '--queue-url', url]),
      await studio(['farm', 'nonsense', '--queue-url', url])
    ]
    expect(runs.map((r) => r.code)).toEqual([1, 0, 0, 0, 0, 0, 2])
    expect(runs[0]!.err).toContain(':***@')
    expect(runs[1]!.out).toContain(':***@')
    for (const r of runs) expect(r.out + r.err).not.toContain(PASSWORD)
  })
})

describe('--queue-url on the other commands', () => {
  it('a command that cannot run on a farm yet refuses it with a stable code, from the flag or the variable (exit 2)', async () => {
    const url = 'postgres://studio@127.0.0.1:1/studio'
    const flag = await studio(['--queue-url', url, 'eta', '--json'])
    expect(flag.code).toBe(2)
    expect(JSON.parse(flag.err).error).toEqual({ code: 'queue-url-unsupported', message: expect.stringMatching(/^studio eta cannot run on a farm's queue yet \(--queue-url is set\)/) })
    const env = await studio(['health', '--json'], { STUDIO_QUEUE_URL: url })
    expect(env.code).toBe(2)
    expect(JSON.parse(env.err).error).toEqual({ code: 'queue-url-unsupported', message: expect.stringContaining('(STUDIO_QUEUE_URL is set)') })
    // A job command on a farm that cannot be reached queues nothing locally behind the user's back.
    const dir = tempDir('studio-farm-cli-')
    expect((await studio(['add', 'video', '--input', '{"idea":"x"}'], { STUDIO_QUEUE_URL: url, STUDIO_DATA_DIR: dir })).code).toBe(1)
    const list = await studio(['list', '--json'], { STUDIO_DATA_DIR: dir })
    expect(JSON.parse(list.out)).toEqual([])
  })

  it('studio --help lists the farm commands and the option', async () => {
    const r = await studio(['--help'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('[--queue-url postgres://…]')
    expect(r.out).toMatch(/farm init +create or migrate/)
    expect(r.out).toMatch(/farm status +the workers, what each runs, and the queue/)
  })
})
