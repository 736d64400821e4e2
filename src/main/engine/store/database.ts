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
