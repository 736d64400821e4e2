/**
 * Transactions on the farm's database, as the lease store uses them. A transaction is a handle
 * (PgTx) passed along, not a state of the connection: on a network database the code between two
 * statements awaits, and whatever else runs meanwhile must not land in this transaction by
 * accident. That handle is also how the "claim in commit" rule (store/group-commit.ts) is kept
 * here: the claim's transaction is handed to the first step's start.
 *
 * What a write announces (events) is queued on the handle and sent after COMMIT, never on
 * ROLLBACK — as SQLite's afterCommit does.
 */
import pg from 'pg'

/** Runs statements; `afterCommit` defers a callback until the statements so far are committed. */
export interface PgTx {
  query: pg.ClientBase['query']
  afterCommit(fn: () => void): void
  /** What waits for the commit (a savepoint rolled back drops its own part). */
  readonly after: Array<() => void>
  /** True inside BEGIN … COMMIT; false for a single statement that commits on its own. */
  readonly open: boolean
}

function runAll(fns: Array<() => void>): void {
  for (const fn of fns) {
    try {
      fn()
    } catch (err) {
      // An observer's failure never undoes a committed change.
      console.error('after-commit callback failed:', err)
    }
  }
}

/**
 * A connection of `pool` for one operation. The pool listens for the errors of its idle
 * connections only: one checked out, between two of its statements (the caller computing what to
 * write next), that the server drops (a restart, `pg_terminate_backend`, a cut link) emits an
 * 'error' nobody hears, and that ends the process. So each checked-out connection is heard while
 * out; a connection that failed that way is discarded when released (its next statement fails and
 * says so to the caller, as any lost link does).
 */
export async function checkOut(pool: pg.Pool): Promise<{ client: pg.PoolClient; release(err?: Error): void }> {
  const client = await pool.connect()
  let lost: Error | undefined
  const heard = (err: Error) => (lost ??= err)
  client.on('error', heard)
  return {
    client,
    release: (err?: Error) => {
      client.off('error', heard)
      client.release(err ?? lost)
    }
  }
}

/**
 * `fn` in one transaction on a connection of `pool`, committed when this resolves; rolled back
 * (and the error rethrown) when `fn` throws. A connection whose ROLLBACK failed is discarded.
 * `durable: false`: COMMIT returns without waiting for the WAL to reach the disk (what SQLite's
 * commits that are not fsynced are): a crash may lose the transaction, never half of it.
 */
export async function inPgTransaction<T>(pool: pg.Pool, fn: (tx: PgTx) => Promise<T>, options: { durable?: boolean } = {}): Promise<T> {
  const { client, release } = await checkOut(pool)
  const after: Array<() => void> = []
  const tx: PgTx = { query: client.query.bind(client) as PgTx['query'], afterCommit: (f) => after.push(f), after, open: true }
  let broken: Error | undefined
  try {
    // One round trip: a simple query may hold several statements.
    await client.query(options.durable === false ? 'BEGIN; SET LOCAL synchronous_commit TO OFF' : 'BEGIN')
    const out = await fn(tx)
    await client.query('COMMIT')
    release()
    runAll(after)
    return out
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e))
    release(broken)
    throw err
  }
}

/** A statement and its values ($1, $2 … in its text, each with a cast naming its type). */
export interface TripStatement {
  text: string
  values: readonly unknown[]
}

/** Each statement text, by the name it is prepared under on every connection (the same name everywhere). */
const preparedNames = new Map<string, string>()
/** The names prepared on each connection so far. */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>()

/**
 * `statements` in one transaction and one round trip: BEGIN, the statements and COMMIT go to the
 * server as one message (the simple query protocol carries several statements), where sending
 * each and awaiting its answer took one round trip apiece. That protocol takes no parameters, so
 * each statement is prepared once per connection (PREPARE, in the first message that needs it) and
 * run as EXECUTE with its values written as literals: parsed and planned once, not at every job.
 * Answers each statement's result, in order, once committed. Should one fail, the server skips
 * the rest, COMMIT included: the transaction is rolled back and the connection closed (what it
 * prepared in that message is unknown), and the error rethrown. `durable: false` as inPgTransaction's.
 */
export async function inOneTrip(pool: pg.Pool, statements: readonly TripStatement[], options: { durable?: boolean } = {}): Promise<pg.QueryResult[]> {
  const { client, release } = await checkOut(pool)
  let prepared = preparedOn.get(client)
  if (!prepared) preparedOn.set(client, (prepared = new Set()))
  const head = options.durable === false ? ['BEGIN', 'SET LOCAL synchronous_commit TO OFF'] : ['BEGIN']
  const body: string[] = []
  for (const st of statements) {
    let name = preparedNames.get(st.text)
    if (!name) preparedNames.set(st.text, (name = `farm_trip_${preparedNames.size + 1}`))
    if (!prepared.has(name)) {
      head.push(`PREPARE ${name} AS ${st.text}`)
      prepared.add(name)
    }
    body.push(st.values.length ? `EXECUTE ${name}(${st.values.map(literal).join(', ')})` : `EXECUTE ${name}`)
  }
  try {
    const out = (await client.query([...head, ...body, 'COMMIT'].join(';\n'))) as unknown as pg.QueryResult[]
    release()
    return out.slice(head.length, head.length + body.length)
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    release(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

/** A value as an EXECUTE argument: the prepared statement's parameter gives it its type. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (Array.isArray(value)) return pg.escapeLiteral(arrayLiteral(value))
  if (typeof value === 'string') return pg.escapeLiteral(value)
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`)
    return `'${value}'`
  }
  throw new Error(`no literal for a ${typeof value}`)
}

/** An array's text form ({"a","b",NULL}), each element quoted. */
function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL'
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`not a finite number: ${v}`)
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`no array element for a ${typeof v}`)
    return `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`
  })
  return `{${items.join(',')}}`
}

/**
 * One statement outside a transaction (it commits by itself): `fn` runs its single write on the
 * pool, and what it queued for after the commit runs once it returns. For a caller that gives a
 * transaction, `fn` runs in it instead.
 */
export async function onePgStatement<T>(pool: pg.Pool, tx: PgTx | undefined, fn: (tx: PgTx) => Promise<T>): Promise<T> {
  if (tx) return fn(tx)
  const after: Array<() => void> = []
  const out = await fn({ query: pool.query.bind(pool) as PgTx['query'], afterCommit: (f) => after.push(f), after, open: false })
  runAll(after)
  return out
}

let savepoints = 0

/** `fn` in a savepoint of `tx`: its failure undoes its own statements only, and the transaction goes on. */
export async function inPgSavepoint<T>(tx: PgTx, fn: () => Promise<T>): Promise<T> {
  const name = `sp_${++savepoints}`
  const announced = tx.after.length
  await tx.query(`SAVEPOINT ${name}`)
  try {
    const out = await fn()
    await tx.query(`RELEASE SAVEPOINT ${name}`)
    return out
  } catch (err) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${name}`)
    tx.after.length = announced
    throw err
  }
}

/**
 * Errors after which PostgreSQL has rolled the transaction back and trying it again is safe and
 * may succeed: a serialization failure, a deadlock, a lock not available. (Not a dropped
 * connection: whether its COMMIT landed is unknown, and a checkpoint written twice would log and
 * count its provider call twice.)
 */
export function isRetryablePgError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === '40001' || code === '40P01' || code === '55P03'
}
