import type Database from 'better-sqlite3'
import type { Db } from './database'

/** Finds a column of a statement's result by name, once, when the reader is made. */
export type ColumnAt = (name: string) => number

/** Given where each column is, returns the function that builds one row from SQLite's array. */
export type RowBuilder<R> = (at: ColumnAt) => (values: unknown[]) => R

export interface RowReader<P extends unknown[], R> {
  get(...params: P): R | undefined
  all(...params: P): R[]
}

const readers = new WeakMap<Db, Map<string, RowReader<unknown[], unknown>>>()

/**
 * A statement whose rows come back as arrays and are built into objects by a literal of known
 * shape. better-sqlite3's own row objects are made column by column through V8's C++ API, which
 * for a 33-column job row costs ~40 % more per row read, and twice as much for a list of them —
 * the claim, every checkpoint and every job list read such rows. Compiled once per connection;
 * a column the builder names but the statement lacks is an error at once, not an undefined field.
 */
export function readRows<P extends unknown[], R>(db: Db, sql: string, build: RowBuilder<R>): RowReader<P, R> {
  let cache = readers.get(db)
  if (!cache) readers.set(db, (cache = new Map()))
  let reader = cache.get(sql)
  if (!reader) {
    // A statement of its own: raw mode is a property of the statement, which `prep` shares.
    const stmt = db.prepare(sql).raw(true) as Database.Statement<unknown[], unknown[]>
    const names = stmt.columns().map((c) => c.name)
    const row = build((name) => {
      const i = names.indexOf(name)
      if (i < 0) throw new Error(`readRows: the statement has no column "${name}": ${sql}`)
      return i
    })
    reader = {
      get: (...params) => {
        const values = stmt.get(...params)
        return values === undefined ? undefined : row(values)
      },
      all: (...params) => stmt.all(...params).map(row)
    }
    cache.set(sql, reader)
  }
  return reader as unknown as RowReader<P, R>
}
