/**
 * `studio farm init`: create or migrate the farm's schema on a PostgreSQL database.
 *
 * Every machine of a farm may run it (an install script, two people at once): the whole of it —
 * creating the version table, reading it, applying what is missing — happens in one transaction
 * holding a transaction-level advisory lock, so a second init waits for the first, then finds
 * nothing left to do. A failed migration rolls back entirely (PostgreSQL's DDL is transactional):
 * the schema is at one version or the next, never between.
 */
import pg from 'pg'
import { FarmError } from '../../farm/errors'
import { FARM_MIGRATIONS, FARM_SCHEMA_VERSION, type FarmMigration } from './schema'

/** Key of the advisory lock that serialises schema changes (any fixed 64-bit number; this spells "studiofm"). */
export const FARM_SCHEMA_LOCK = 0x73747564696f666dn

export interface FarmInitResult {
  /** Versions applied by this call, in order (empty when the schema was already current). */
  applied: number[]
  /** The schema's version after the call. */
  version: number
}

/**
 * The queue URL checked before any connection: a postgres:// or postgresql:// URL with a host.
 * Never echoes the password back (errors and logs may be shown or stored).
 */
export function parseQueueUrl(url: unknown): URL {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new FarmError('invalid-queue-url', 'queueUrl: a postgres:// URL is required', 'queueUrl')
  }
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    throw new FarmError('invalid-queue-url', 'queueUrl: not a URL (expected postgres://user@host:port/database)', 'queueUrl')
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new FarmError('invalid-queue-url', `queueUrl: the scheme must be postgres:// (got ${parsed.protocol}//)`, 'queueUrl')
  }
  if (!parsed.hostname && !parsed.searchParams.get('host')) {
    throw new FarmError('invalid-queue-url', 'queueUrl: no host (expected postgres://user@host:port/database)', 'queueUrl')
  }
  return parsed
}

/** The URL with any password replaced, for messages. */
export function redactQueueUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(unreadable URL)'
  }
}

/** Apply every migration the database lacks. Exported for tests that need an older schema first. */
export async function migrate(client: pg.ClientBase, migrations: readonly FarmMigration[] = FARM_MIGRATIONS): Promise<FarmInitResult> {
  const known = migrations.length ? migrations[migrations.length - 1]!.version : 0
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [FARM_SCHEMA_LOCK.toString()])
    // Created under the lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
    await client.query(`
      CREATE TABLE IF NOT EXISTS farm_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`)
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM farm_migrations')).rows.map((r) => r.version)
    )
    const newest = Math.max(0, ...done)
    if (newest > known) {
      throw new FarmError(
        'farm-schema-newer',
        `the farm's schema is at version ${newest}, newer than this studio knows (${known}): update studio on this machine`
      )
    }
    const applied: number[] = []
    for (const m of migrations) {
      if (done.has(m.version)) continue
      await client.query(m.sql)
      await client.query('INSERT INTO farm_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
      applied.push(m.version)
    }
    await client.query('COMMIT')
    return { applied, version: Math.max(newest, ...applied) }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  }
}

/** Create or migrate the farm's schema at `url`. Safe to run from several machines at once. */
export async function farmInit(url: string): Promise<FarmInitResult> {
  return withClient(url, migrate)
}

/** One short-lived connection to the farm for `fn`, closed after it; an unreachable farm says so, without the password. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  parseQueueUrl(url)
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 })
  try {
    await client.connect()
  } catch (err) {
    throw new FarmError('farm-unreachable', `cannot connect to ${redactQueueUrl(url)}: ${(err as Error).message}`, 'queueUrl', { cause: err })
  }
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

export { FARM_SCHEMA_VERSION }
