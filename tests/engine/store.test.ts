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
    expect(db.pragma('temp_store', { simple: true })).toBe(2) // MEMORY: savepoint journals off the disk
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

  it('an older database learns which of its jobs have a cost that is only a floor (schema 4)', () => {
    const file = join(tempDir(), 'studio.db')
    const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 3))
    const job = (id: string) =>
      old.prepare("INSERT INTO jobs (id, type, payload, status, position, cost_usd, created_at, updated_at) VALUES (?, 'three', '{}', 'completed', 1, 0.01, 1, 1)").run(id)
    const step = (jobId: string, idx: number, cost: number | null) =>
      old.prepare("INSERT INTO steps (job_id, idx, name, title, resource, status, cost_usd) VALUES (?, ?, ?, ?, 'cpu', 'completed', ?)").run(jobId, idx, `s${idx}`, `S${idx}`, cost)
    job('priced')
    step('priced', 0, 0.01)
    job('unpriced')
    step('unpriced', 0, 0.01)
    step('unpriced', 1, null)
    old.close()

    const db = openDatabase(file)
    expect(db.prepare('SELECT id, cost_usd, cost_unknown FROM jobs ORDER BY id').all()).toEqual([
      { id: 'priced', cost_usd: 0.01, cost_unknown: 0 },
      { id: 'unpriced', cost_usd: 0.01, cost_unknown: 1 }
    ])
    db.close()
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
