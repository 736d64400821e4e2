import type Database from 'better-sqlite3'
import { prep, type Db } from './database'

/**
 * Rows per INSERT statement in a bulk write. Each statement run through better-sqlite3 costs its
 * binding, stepping and reset on top of the row: inserting 32 rows at a time cut a bulk enqueue's
 * SQL from about 13 to 8.5 µs of CPU per job (three rows per job), 128 about 0.5 µs more. 128
 * rows of the widest table (jobs, 14 values) stay far under SQLite's limit on bound values (32 766).
 */
export const ROWS_PER_INSERT = 128

/**
 * Inserts rows into one table, many per statement. Push each row's values (as many as the
 * tuple's placeholders) onto `values` in one call, then call `added()`; `flush` once at the end:
 * the rows still buffered go in one last statement. One push of all of a row's values: a bulk
 * enqueue runs mostly before the JIT has optimised it, where every call and loop counts.
 * Statements are cached by their text (`prep`): one per table for full chunks, one per remainder.
 */
export class BulkInsert {
  values: unknown[] = []
  private rows = 0
  /** The statement of a full chunk, found once: its text is long, and hashing it per chunk showed. */
  private readonly full: Database.Statement

  /**
   * @param head  `INSERT INTO t (a, b, c) VALUES`
   * @param tuple one row's values, placeholders and constants: `(?, ?, 'pending')`
   */
  constructor(
    private readonly db: Db,
    private readonly head: string,
    private readonly tuple: string
  ) {
    this.full = prep(db, this.sql(ROWS_PER_INSERT))
  }

  /** A row's values were pushed onto `values`. */
  added(): void {
    if (++this.rows === ROWS_PER_INSERT) this.write()
  }

  flush(): void {
    if (this.rows > 0) this.write()
  }

  private write(): void {
    const statement = this.rows === ROWS_PER_INSERT ? this.full : prep(this.db, this.sql(this.rows))
    // As arguments, not one array: better-sqlite3 reads an array's elements one by one through
    // the V8 API, which cost about 0.7 µs per job (three rows).
    statement.run(...this.values)
    this.values = []
    this.rows = 0
  }

  private sql(rows: number): string {
    return `${this.head} ${new Array<string>(rows).fill(this.tuple).join(', ')}`
  }
}
