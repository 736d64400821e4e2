import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrate, openDatabase } from '../../src/main/engine/store/database'
import { MIGRATIONS } from '../../src/main/engine/store/migrations'
import { tempDir } from '../helpers/engine'

describe('database and migrations', () => {
  it('creates the schema once, in WAL mode, and reopening applies nothing', () => {
    const file = join(tempDir(), 'studio.db')
    const db = openDatabase(file)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version)
    db.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run()
    db.close()
    const again = openDatabase(file)
    expect(migrate(again, MIGRATIONS)).toBe(0)
    expect(again.prepare('SELECT value FROM settings').get()).toEqual({ value: 'v' })
    again.close()
  })

  it('refuses a database written by a newer build instead of touching it', () => {
    const file = join(tempDir(), 'studio.db')
    const raw = new Database(file)
    raw.pragma('user_version = 99')
    raw.close()
    expect(() => openDatabase(file)).toThrow(/newer Creative Studio \(schema 99/)
  })

  it('a failing migration leaves the database as it was', () => {
    const file = join(tempDir(), 'studio.db')
    const db = openDatabase(file)
    const broken = [...MIGRATIONS, { version: 99, name: 'broken', sql: 'CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);' }]
    expect(() => migrate(db, broken)).toThrow(/nowhere/)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version)
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'extra'").get()).toEqual({ n: 0 })
    db.close()
  })
})
