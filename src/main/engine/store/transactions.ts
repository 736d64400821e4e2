import { inTransaction, type Db } from './database'

/**
 * The one way a domain module groups changes of several aggregates into one commit (a batch row
 * marked queued in the same commit as its job; a storyboard render recorded with its job).
 * Changes inside one aggregate stay inside that aggregate's store methods.
 *
 * Synchronous on SQLite. A network database (PostgreSQL) needs `run` async, with the
 * transaction's connection handed to the stores used inside it; `active` and `open` then
 * become properties of that connection.
 */
export interface Transactions {
  /** `fn` in one transaction; inside another one, a savepoint of it (see inTransaction). */
  run<T>(fn: () => T): T
  /** A transaction is open on this connection: what is announced now would precede its commit. */
  readonly active: boolean
  /** The connection is still open (false once the engine closed it). */
  readonly open: boolean
}

export class SqliteTransactions implements Transactions {
  constructor(private readonly db: Db) {}

  run<T>(fn: () => T): T {
    return inTransaction(this.db, fn)
  }

  get active(): boolean {
    return this.db.inTransaction
  }

  get open(): boolean {
    return this.db.open
  }
}
