/**
 * Real PostgreSQL for the farm's tests. scripts/test.sh starts one private cluster for the whole
 * run and exports its URL as STUDIO_TEST_PG_URL; each test file gets a database of its own (a
 * random name, created at the start, dropped at the end), so files running at once never see each
 * other's rows. When a single file is run by hand (`npx vitest run tests/farm/…`) with no URL set,
 * the file starts its own private cluster the same way and stops it at the end.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL('../../scripts/test-postgres.sh', import.meta.url))

export interface TestDatabase {
  /** Connection URL of this file's own database. */
  url: string
  name: string
}

/** The URL of `url`'s server with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * Drop a file's database once the file's own connections have closed. `pool.end()` resolves
 * before its clients' sockets are closed (pg-pool forgets a client when it asks it to end, not
 * when it has), so a DROP … WITH (FORCE) right after it could terminate a client still closing:
 * that client then emits "terminating connection due to administrator command" to a pool that no
 * longer listens, an unhandled error in a file whose tests all passed. Connections still open
 * after the deadline are a failed test's leftovers: FORCE ends them.
 */
async function dropWhenClosed(serverUrl: string, name: string, deadlineMs = 15_000): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    const until = Date.now() + deadlineMs
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name]
      )
      if (rows[0]!.n === 0 || Date.now() > until) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

/**
 * Registers the hooks that give this test file a fresh database; call at the top of a file (or a
 * describe) and read `.url` inside tests.
 */
export function usePostgres(): TestDatabase {
  const db: TestDatabase = { url: '', name: '' }
  let serverUrl = process.env.STUDIO_TEST_PG_URL
  let ownCluster: string | undefined
  beforeAll(async () => {
    if (!serverUrl) {
      ownCluster = mkdtempSync(join(tmpdir(), 'studio-test-pg-'))
      const { stdout } = await run(SCRIPT, ['start', ownCluster], { timeout: 300_000 })
      serverUrl = stdout.trim()
    }
    db.name = `studio_test_${randomBytes(6).toString('hex')}`
    await adminQuery(serverUrl, `CREATE DATABASE ${db.name}`)
    db.url = withDatabase(serverUrl, db.name)
  }, 300_000)
  afterAll(async () => {
    try {
      if (serverUrl && db.name) await dropWhenClosed(serverUrl, db.name)
    } finally {
      if (ownCluster) await run(SCRIPT, ['stop', ownCluster], { timeout: 120_000 })
    }
  }, 180_000)
  return db
}

/**
 * More databases on the file's server, for tests that start from nothing or play several farms:
 * call at the top of the file after usePostgres; each call of the returned function creates one
 * and gives its URL. All are dropped after the file, once their connections have closed.
 */
export function useFreshDatabases(db: TestDatabase): () => Promise<string> {
  const made: string[] = []
  afterAll(async () => {
    const server = withDatabase(db.url, 'postgres')
    for (const name of made) await dropWhenClosed(server, name)
  }, 180_000)
  return async () => {
    const name = `${db.name}_${made.length + 1}`
    await adminQuery(db.url, `CREATE DATABASE ${name}`)
    made.push(name)
    return withDatabase(db.url, name)
  }
}
