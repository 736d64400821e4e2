import Database from 'better-sqlite3'
import { dirname, resolve } from 'node:path'
import { MIGRATIONS, type Migration } from './migrations'
import { preparePrivateDatabase } from './private-files'
import { relocateDataRoot } from './relocate'
import { WalFlusher } from './wal-flusher'

export type Db = Database.Database

/**
 * Open (or create) the studio database with the settings durability needs:
 * WAL so readers never block the writer, synchronous=FULL so a committed transaction
 * survives a power cut, a busy timeout so the CLI and the app can share the file.
 * The file's folder is the data folder (see databaseFile): opened from another folder than last
 * time, its paths are moved along (see relocateDataRoot).
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (file !== ':memory:') preparePrivateDatabase(dirname(file), file)
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // Savepoints keep their undo pages in a statement journal, a temp file by default: a group
  // commit (checkpoints + the next claims, each in its own savepoint) wrote more pages there than
  // to the WAL. In memory it is a few hundred KB at most; at 8 jobs at once the queue runs ~20 %
  // faster (bench/queue). Temp tables and big sorts live in memory too, which our queries afford.
  db.pragma('temp_store = MEMORY')
  // A checkpoint copies every page the WAL holds back into the file (and fsyncs both). The queue
  // rewrites the same few pages commit after commit (the queue-order index, the ends of the jobs,
  // steps and log tables): at SQLite's default of 1000 pages it copied those pages again every
  // ~90 commits of two jobs. Every 4000 pages they are copied a quarter as often, for a WAL of
  // up to 16 MB (4 KB pages); the SQL alone of a no-op job costs ~15 % less at 2 jobs at once
  // (bench/queue: the SQL floor of 5000 jobs, 59–65 -> 49–50 µs/job). Durability is not changed: a commit's is its
  // own (synchronous), whenever its pages reach the file.
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`)
  migrate(db, migrations)
  if (file !== ':memory:' && migrations === MIGRATIONS) relocateDataRoot(db, dirname(resolve(file)))
  return db
}

/** Pages in the WAL that trigger an automatic checkpoint (see openDatabase). */
export const WAL_CHECKPOINT_PAGES = 4000

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

interface TxState {
  run: Database.Transaction<(fn: () => unknown) => unknown>
  /** What to announce once the outermost transaction has committed (see `afterCommit`). */
  afterCommit: Array<() => void>
  commits: CommitCounts
  /** Flushes the WAL off the thread (see inTransactionFlushedAfter); null: not a WAL file. */
  wal?: WalFlusher | null
}

/** Outermost transactions committed through `inTransaction`, by durability. */
export interface CommitCounts {
  /** Fsynced, inside the commit (synchronous=FULL) or after it (inTransactionFlushedAfter): survives a power cut. */
  durable: number
  /** Crash-safe only (synchronous=NORMAL). */
  relaxed: number
}

const txStates = new WeakMap<Db, TxState>()

function txState(db: Db): TxState {
  let state = txStates.get(db)
  if (!state) txStates.set(db, (state = { run: db.transaction((f: () => unknown) => f()), afterCommit: [], commits: { durable: 0, relaxed: 0 } }))
  return state
}

/**
 * Run `fn` in one transaction (BEGIN IMMEDIATE: the write lock is taken up front, so two
 * processes never deadlock upgrading a read). Inside another transaction it becomes a savepoint:
 * it commits or rolls back with the outer one, and a failure inside it undoes only its own part.
 *
 * `durable: false` commits without waiting for the disk (synchronous=NORMAL): still atomic and
 * safe against a crash or kill -9, only a power cut can lose it. The engine uses it for claims,
 * step starts and the checkpoints of free steps without files, whose loss only means that work
 * runs again; checkpoints with files, cost or a provider's work, and the user's own changes,
 * are always fsynced. With WAL, a durable commit also makes every earlier commit durable. A nested call takes the outer transaction's durability (SQLite cannot change
 * it inside a transaction): the whole of a relaxed transaction is lost or kept together.
 */
export function inTransaction<T>(db: Db, fn: () => T, options: { durable?: boolean } = {}): T {
  const state = txState(db)
  const outermost = !db.inTransaction
  const mark = state.afterCommit.length
  const relaxed = options.durable === false && outermost
  // Prepared once: db.pragma() compiles its statement on every call, twice per relaxed commit.
  if (relaxed) prep(db, 'PRAGMA synchronous = NORMAL').run()
  let result: T
  try {
    result = state.run.immediate(fn) as T
  } catch (err) {
    // What the rolled-back part meant to announce never happened.
    state.afterCommit.length = mark
    throw err
  } finally {
    if (relaxed) prep(db, 'PRAGMA synchronous = FULL').run()
  }
  if (outermost) {
    state.commits[relaxed ? 'relaxed' : 'durable']++
    const announce = state.afterCommit.splice(0)
    for (let i = 0; i < announce.length; i++) announce[i]!()
  }
  return result
}

/**
 * Commit `fn` as one transaction that survives a power cut, without the thread waiting for the
 * disk: it commits crash-safe at once (synchronous=NORMAL) and its WAL is flushed in the thread
 * pool (see WalFlusher); `onDisk` resolves once it is there, and what must not happen before
 * awaits it. Flushes coalesce across commits. A database that is not a WAL file (in memory, or
 * a file system that refused WAL) commits fsynced inside the commit, as inTransaction does.
 * Only as an outermost transaction: a nested one has its outer transaction's durability.
 */
export function inTransactionFlushedAfter<T>(db: Db, fn: () => T): { value: T; onDisk: Promise<void> } {
  if (db.inTransaction) throw new Error('inTransactionFlushedAfter must open the transaction, not join one')
  const state = txState(db)
  if (state.wal === undefined) state.wal = walFlusherFor(db)
  const wal = state.wal
  if (!wal) return { value: inTransaction(db, fn), onDisk: Promise.resolve() }
  const value = inTransaction(db, fn, { durable: false })
  const onDisk = wal.flush().then((flushed) => {
    // Counted as relaxed until its flush lands; then it is what a FULL commit would have been.
    if (!flushed) return
    state.commits.relaxed--
    state.commits.durable++
  })
  return { value, onDisk }
}

function walFlusherFor(db: Db): WalFlusher | null {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return null
  // Absolute: a relative data folder (--data-dir out) must not follow a later change of directory.
  return new WalFlusher(resolve(`${db.name}-wal`))
}

/** Fsyncs made after commits by inTransactionFlushedAfter, each covering one or more of them (bench). */
export function walFsyncs(db: Db): number {
  return txStates.get(db)?.wal?.fsyncs ?? 0
}

/** Every flush started by inTransactionFlushedAfter has ended (before the connection closes). */
export function walFlushed(db: Db): Promise<void> {
  return txStates.get(db)?.wal?.idle() ?? Promise.resolve()
}

/**
 * Run `fn` once the surrounding transaction has committed (at once outside a transaction), and
 * never if it rolls back: events describe only what is stored. Callers inside a transaction
 * must have opened it with `inTransaction`.
 */
export function afterCommit(db: Db, fn: () => void): void {
  if (!db.inTransaction) return fn()
  txState(db).afterCommit.push(fn)
}

/** SQLite's answer when another connection kept the write lock beyond the busy timeout. */
export function isDatabaseLocked(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
}

/** How many commits went through `inTransaction` on this connection, fsynced or not (tests, bench). */
export function commitCounts(db: Db): CommitCounts {
  return { ...txState(db).commits }
}
