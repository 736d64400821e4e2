/**
 * A database of its own for one bench run: on the server `--url` names, or on a private cluster
 * started for the run (scripts/test-postgres.sh) and stopped after it. Closing waits for the
 * database's sessions to end before dropping it: pool.end() resolves before its sockets close, and
 * worker processes and graphile-worker end theirs on their own time; a forced drop before then
 * cuts one mid-close (an unhandled 'terminating connection' error that ends the bench).
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

const SCRIPT = new URL('../../scripts/test-postgres.sh', import.meta.url).pathname

export interface BenchDatabase {
  /** The database's connection URL. */
  url: string
  /** Drop the database once its sessions have ended; stop the private cluster if one was started. */
  close(): Promise<void>
}

async function admin<T extends pg.QueryResultRow>(serverUrl: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: serverUrl })
  await c.connect()
  try {
    return (await c.query<T>(sql, values)).rows
  } finally {
    await c.end()
  }
}

export async function benchDatabase(serverUrl?: string): Promise<BenchDatabase> {
  let cluster: string | undefined
  let server = serverUrl
  if (!server) {
    cluster = mkdtempSync(join(tmpdir(), 'studio-bench-pg-'))
    server = execFileSync(SCRIPT, ['start', cluster], { encoding: 'utf8' }).trim()
  }
  const name = `studio_bench_${randomBytes(4).toString('hex')}`
  await admin(server, `CREATE DATABASE ${name}`)
  const u = new URL(server)
  u.pathname = `/${name}`
  const close = async () => {
    for (let i = 0; i < 500; i++) {
      const [row] = await admin<{ n: number }>(server, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])
      if (row!.n === 0) break
      await new Promise((r) => setTimeout(r, 20))
    }
    await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    if (cluster) execFileSync(SCRIPT, ['stop', cluster])
  }
  return { url: u.toString(), close }
}
