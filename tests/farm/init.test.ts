import pg from 'pg'
import { beforeAll, describe, expect, it } from 'vitest'
import { FarmError } from '../../src/main/engine/farm/errors'
import { farmInit, migrate, parseQueueUrl, redactQueueUrl } from '../../src/main/engine/store/postgres/init'
import { FARM_MIGRATIONS, FARM_SCHEMA_VERSION } from '../../src/main/engine/store/postgres/schema'
import { usePostgres, useFreshDatabases } from '../helpers/postgres'

const db = usePostgres()

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

/** A second fresh database on the same server, for tests that need to start from nothing. */
const freshDatabase = useFreshDatabases(db)

describe('farm init', () => {
  let tables: string[] = []
  beforeAll(async () => {
    const result = await farmInit(db.url)
    expect(result).toEqual({ applied: FARM_MIGRATIONS.map((m) => m.version), version: FARM_SCHEMA_VERSION })
    tables = await withClient(db.url, async (c) =>
      (await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t)
    )
  })

  it('creates every aggregate the SQLite schema has, plus workers and its own version table', () => {
    expect(tables).toEqual(
      [
        // farm_windows: the windows open on the farm's queue (migration 6).
        'artifacts', 'assets', 'batch_rows', 'batches', 'farm_migrations', 'farm_windows', 'job_logs', 'jobs', 'projects', 'provider_calls',
        'removed_jobs', 'settings', 'steps', 'storyboard_renders', 'storyboard_revisions', 'storyboards', 'workers',
        'resource_lanes', 'resource_slots'
      ].sort()
    )
  })

  it('a second run changes nothing and keeps the rows', async () => {
    await withClient(db.url, (c) => c.query(`INSERT INTO settings (key, value) VALUES ('kept', '"yes"')`))
    expect(await farmInit(db.url)).toEqual({ applied: [], version: FARM_SCHEMA_VERSION })
    const rows = await withClient(db.url, (c) => c.query(`SELECT value FROM settings WHERE key = 'kept'`))
    expect(rows.rows).toEqual([{ value: '"yes"' }])
  })

  it('two machines running init at once on a fresh database both succeed, and the schema is applied once', async () => {
    const url = await freshDatabase()
    // Each init holds its own connection, as two machines would; started together.
    const results = await Promise.all([farmInit(url), farmInit(url), farmInit(url)])
    for (const r of results) expect(r.version).toBe(FARM_SCHEMA_VERSION)
    const appliedCounts = results.map((r) => r.applied.length).sort()
    expect(appliedCounts).toEqual([0, 0, FARM_MIGRATIONS.length])
    const versions = await withClient(url, (c) => c.query('SELECT version FROM farm_migrations ORDER BY version'))
    expect(versions.rows.map((r) => r.version)).toEqual(FARM_MIGRATIONS.map((m) => m.version))
  })

  it('applies only what is missing when the schema is older (a later version added)', async () => {
    const url = await freshDatabase()
    const next = { version: FARM_SCHEMA_VERSION + 1, name: 'test: a later column', sql: 'ALTER TABLE jobs ADD COLUMN later TEXT' }
    await withClient(url, (c) => migrate(c))
    const r = await withClient(url, (c) => migrate(c, [...FARM_MIGRATIONS, next]))
    expect(r).toEqual({ applied: [next.version], version: next.version })
    // And this program, knowing less, refuses rather than running against a schema it does not know.
    await expect(farmInit(url)).rejects.toMatchObject({ code: 'farm-schema-newer' })
  })

  it('a migration that fails leaves nothing half-applied', async () => {
    const url = await freshDatabase()
    const broken = [...FARM_MIGRATIONS, { version: FARM_SCHEMA_VERSION + 1, name: 'broken', sql: 'ALTER TABLE jobs ADD COLUMN x TEXT; SELECT no_such_function()' }]
    await expect(withClient(url, (c) => migrate(c, broken))).rejects.toThrow(/no_such_function/)
    const tablesThere = await withClient(url, (c) => c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`))
    expect(tablesThere.rows[0].n).toBe(0)
  })

  it('stores paths relative to the data folder only', async () => {
    await withClient(db.url, async (c) => {
      const insert = (path: string) =>
        c.query(`INSERT INTO assets (id, project_id, name, kind, path, bytes, created_at) VALUES (gen_random_uuid()::text, 'p', 'n', 'image', $1, 1, 0)`, [path])
      await insert('projects/p/media/a.png')
      for (const bad of ['/srv/media/a.png', 'C:\\media\\a.png', '\\\\server\\share\\a.png', '../outside.png', 'projects/../../x.png']) {
        await expect(insert(bad), bad).rejects.toThrow(/assets_path_check/)
      }
    })
  })

  it('every job claim raises its fencing token, and a write with a stale one changes nothing', async () => {
    await withClient(db.url, async (c) => {
      await c.query(`INSERT INTO jobs (id, type, payload, status, position, created_at, updated_at) VALUES ('j1', 't', '{}', 'pending', 1, 0, 0)`)
      const claim = async () =>
        (await c.query<{ lease_fence: string }>(`UPDATE jobs SET status = 'processing', lease_fence = lease_fence + 1 WHERE id = 'j1' RETURNING lease_fence`)).rows[0]!.lease_fence
      const first = await claim()
      const second = await claim()
      expect(Number(second)).toBe(Number(first) + 1)
      const stale = await c.query(`UPDATE jobs SET status = 'completed' WHERE id = 'j1' AND lease_fence = $1`, [first])
      expect(stale.rowCount).toBe(0)
    })
  })

  it('job logs and steps go with their job; the removal is remembered', async () => {
    await withClient(db.url, async (c) => {
      const { rows } = await c.query(`INSERT INTO jobs (id, type, payload, status, position, created_at, updated_at) VALUES ('j2', 't', '{}', 'pending', 2, 0, 0) RETURNING seq`)
      await c.query(`INSERT INTO steps (job_id, idx, name, title, resource, status) VALUES ('j2', 0, 's', 'S', 'cpu', 'pending')`)
      await c.query(`INSERT INTO job_logs (job_seq, job_id, ts, level, message) VALUES ($1, 'j2', 0, 'info', 'hello')`, [rows[0].seq])
      await c.query(`DELETE FROM jobs WHERE id = 'j2'`)
      const left = await c.query(`SELECT (SELECT count(*) FROM steps WHERE job_id = 'j2')::int AS s, (SELECT count(*) FROM job_logs WHERE job_id = 'j2')::int AS l, (SELECT count(*) FROM removed_jobs WHERE id = 'j2')::int AS r`)
      expect(left.rows[0]).toEqual({ s: 0, l: 0, r: 1 })
    })
  })
})

describe('farm schema rules', () => {
  it('no migration drops or deletes user data', () => {
    for (const m of FARM_MIGRATIONS) {
      expect(m.sql, `migration ${m.version}`).not.toMatch(/\b(DROP\s+TABLE|DROP\s+COLUMN|TRUNCATE)\b/i)
      // The one DELETE allowed: the trigger forgetting removals older than a day.
      const deletes = m.sql.match(/\bDELETE\s+FROM\s+(\w+)/gi) ?? []
      expect(deletes.every((d) => /removed_jobs$/i.test(d)), `migration ${m.version}: ${deletes.join(', ')}`).toBe(true)
    }
  })

  it('versions are 1, 2, 3… in order', () => {
    expect(FARM_MIGRATIONS.map((m) => m.version)).toEqual(FARM_MIGRATIONS.map((_, i) => i + 1))
  })
})

describe('queue URL', () => {
  it('refuses what is not a postgres URL, naming the field, and never echoes a password', async () => {
    for (const bad of [undefined, '', 'not a url', 'mysql://u@h/db', 'postgres:///db']) {
      expect(() => parseQueueUrl(bad), String(bad)).toThrow(FarmError)
      expect(() => parseQueueUrl(bad)).toThrow(/^queueUrl: /)
    }
    expect(redactQueueUrl('postgres://u:s3cret@h:5432/db')).toBe('postgres://u:***@h:5432/db')
    // A server that is not there: a clear error, without the password.
    const err = await farmInit('postgres://studio:s3cret@127.0.0.1:1/nowhere').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FarmError)
    expect((err as FarmError).code).toBe('farm-unreachable')
    expect((err as Error).message).not.toContain('s3cret')
  })
})
