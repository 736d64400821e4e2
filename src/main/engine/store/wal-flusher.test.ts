import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { commitCounts, inTransaction, inTransactionFlushedAfter, openDatabase, walFlushed, type Db } from './database'
import { WalFlusher } from './wal-flusher'

let dir: string
let db: Db | null = null

function openFileDb(): Db {
  dir = mkdtempSync(join(tmpdir(), 'wal-flusher-'))
  db = openDatabase(join(dir, 'studio.db'))
  return db
}

afterEach(() => {
  db?.close()
  db = null
  rmSync(dir, { recursive: true, force: true })
})

describe('WalFlusher', () => {
  it('coalesces: flushes asked while one runs share the next, so ten commits cost two fsyncs', async () => {
    const file = openFileDb()
    inTransaction(file, () => file.prepare("INSERT INTO settings (key, value) VALUES ('a', '1')").run())
    const flusher = new WalFlusher(`${file.name}-wal`)
    const order: number[] = []
    const all = Array.from({ length: 10 }, (_, i) => flusher.flush().then((ok) => (order.push(i), ok)))
    expect(await Promise.all(all)).toEqual(Array(10).fill(true))
    // The first call starts a flush; the nine made while it ran may have been written after it
    // started, so they wait for a second one, which covers them all.
    expect(flusher.fsyncs).toBe(2)
    expect(order[0]).toBe(0)
    await flusher.flush()
    expect(flusher.fsyncs).toBe(3)
  })

  it('a journal that is gone was checkpointed into the database: nothing left to flush', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wal-flusher-'))
    const flusher = new WalFlusher(join(dir, 'never-opened.db-wal'))
    expect(await flusher.flush()).toBe(true)
  })

  it('a disk that refuses the flush is reported, and the commit is not failed for it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wal-flusher-'))
    // A folder where the journal should be: opening it for writing fails (EISDIR), as a broken disk would.
    mkdirSync(join(dir, 'studio.db-wal'))
    const errors: string[] = []
    const flusher = new WalFlusher(join(dir, 'studio.db-wal'), (err) => errors.push(err.message))
    expect(await flusher.flush()).toBe(false)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/EISDIR/)
  })
})

describe('inTransactionFlushedAfter', () => {
  it('commits at once, readable by another connection, and counts as fsynced only once its flush is done', async () => {
    const file = openFileDb()
    const before = commitCounts(file)
    const { value, onDisk } = inTransactionFlushedAfter(file, () => {
      file.prepare("INSERT INTO settings (key, value) VALUES ('paid', 'step')").run()
      return 'stored'
    })
    expect(value).toBe('stored')
    // Committed already (WAL, crash-safe): another process sees it before the flush has landed.
    const other = openDatabase(file.name)
    expect(other.prepare("SELECT value FROM settings WHERE key = 'paid'").pluck().get()).toBe('step')
    other.close()
    expect(commitCounts(file)).toEqual({ durable: before.durable, relaxed: before.relaxed + 1 })
    await onDisk
    expect(commitCounts(file)).toEqual({ durable: before.durable + 1, relaxed: before.relaxed })
    await walFlushed(file)
  })

  it('a failed transaction writes nothing and asks no flush', () => {
    const file = openFileDb()
    const before = commitCounts(file)
    expect(() =>
      inTransactionFlushedAfter(file, () => {
        file.prepare("INSERT INTO settings (key, value) VALUES ('x', 'y')").run()
        throw new Error('step output refused')
      })
    ).toThrow('step output refused')
    expect(file.prepare("SELECT COUNT(*) FROM settings WHERE key = 'x'").pluck().get()).toBe(0)
    expect(commitCounts(file)).toEqual(before)
  })

  it('an in-memory database has no journal to flush: it commits fsynced as a plain durable transaction', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wal-flusher-'))
    db = openDatabase(':memory:')
    const before = commitCounts(db)
    const { onDisk } = inTransactionFlushedAfter(db, () => db!.prepare("INSERT INTO settings (key, value) VALUES ('m', '1')").run())
    expect(commitCounts(db)).toEqual({ durable: before.durable + 1, relaxed: before.relaxed })
    await onDisk
  })

  it('refuses to join a transaction already open, whose durability it cannot choose', () => {
    const file = openFileDb()
    expect(() => inTransaction(file, () => inTransactionFlushedAfter(file, () => 1))).toThrow(/must open the transaction/)
  })
})
