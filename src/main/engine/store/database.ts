import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { MIGRATIONS, type Migration } from './migrations'

export type Db = Database.Database

/**
 * Open (or create) the studio database with the settings durability needs:
 * WAL so readers never block the writer, synchronous=FULL so a committed transaction
 * survives a power cut, a busy timeout so the CLI and the app can share the file.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db, migrations)
  return db
}

/** Apply the migrations this file has not seen yet, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0)
  if (current > newest) {
    throw new Error(
      `this database was written by a newer Creative Studio (schema ${current}, this build knows ${newest}); ` +
        'update the app instead of risking your data'
    )
  }
  let applied = 0
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue
    db.transaction(() => {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    }).immediate()
    applied++
  }
  return applied
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>()

/**
 * A prepared statement, compiled once per connection and reused: better-sqlite3 recompiles on
 * every `prepare`, which was the engine's largest CPU cost per job.
 */
export function prep<P extends unknown[] | {} = unknown[], R = unknown>(db: Db, sql: string): Database.Statement<P, R> {
  let cache = statements.get(db)
  if (!cache) statements.set(db, (cache = new Map()))
  let stmt = cache.get(sql)
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)))
  return stmt as unknown as Database.Statement<P, R>
}

const runners = new WeakMap<Db, Database.Transaction<(fn: () => unknown) => unknown>>()

/**
 * Run `fn` in one transaction (BEGIN IMMEDIATE: the write lock is taken up front, so two
 * processes never deadlock upgrading a read). Inside another transaction it becomes a savepoint.
 *
 * `durable: false` commits without waiting for the disk (synchronous=NORMAL): still atomic and
 * safe against a crash or kill -9, only a power cut can lose it. The engine uses it for claims
 * and step starts, whose loss only means a job runs again; paid work (checkpoints) and the
 * user's own changes are always fsynced. With WAL, a durable commit also makes every earlier
 * commit durable.
 */
export function inTransaction<T>(db: Db, fn: () => T, options: { durable?: boolean } = {}): T {
  let run = runners.get(db)
  if (!run) runners.set(db, (run = db.transaction((f: () => unknown) => f())))
  const relaxed = options.durable === false && !db.inTransaction
  if (relaxed) db.pragma('synchronous = NORMAL')
  try {
    return run.immediate(fn) as T
  } finally {
    if (relaxed) db.pragma('synchronous = FULL')
  }
}
