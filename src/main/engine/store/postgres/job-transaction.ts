/**
 * One operation of the farm's job store is one PostgreSQL transaction, as on SQLite: what it
 * changed is announced only once it has committed (local events run after COMMIT; the NOTIFYs for
 * other machines are sent just before it, so PostgreSQL delivers them at commit and drops them on
 * rollback). A bulk operation gives each job a savepoint and a child of its transaction: a job
 * refused half-way leaves neither rows nor announcements behind.
 */
import type pg from 'pg'
import { notifyJobChanges } from './job-events'
import { checkOut } from './transaction'
import { wakeWorkers } from './wake'

export class JobTx {
  /** Run after COMMIT, in order (the local events). */
  readonly after: Array<() => void> = []
  readonly changed = new Set<string>()
  readonly removed = new Set<string>()
  readonly logged = new Set<string>()
  paused: boolean | undefined
  /** Something became claimable (enqueued, retried, resumed): wake idle workers. */
  wake = false

  constructor(readonly client: pg.PoolClient) {}

  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(text, values)
  }

  /** A transaction of its own for one job of a bulk operation, merged into this one if it succeeds. */
  child(): JobTx {
    return new JobTx(this.client)
  }

  merge(child: JobTx): void {
    this.after.push(...child.after)
    for (const id of child.changed) this.changed.add(id)
    for (const id of child.removed) this.removed.add(id)
    for (const id of child.logged) this.logged.add(id)
    if (child.paused !== undefined) this.paused = child.paused
    this.wake ||= child.wake
  }
}

/**
 * PostgreSQL aborts one of two transactions that wait on each other's rows (a bulk cancel walking
 * the queue while another machine re-deals positions) with 40P01, and a serialisation failure with
 * 40001: nothing of it was written, so the operation is simply run again, from the start.
 */
const RETRIED = new Set(['40P01', '40001'])
export const JOB_TX_ATTEMPTS = 3

/**
 * Run `fn` in one transaction on a connection of `pool`; announce what it changed once committed.
 * `fn` may run more than once (see RETRIED): it must do its work through `tx` only.
 */
export async function inJobTransaction<T>(pool: pg.Pool, origin: string, fn: (tx: JobTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptJobTransaction(pool, origin, fn)
    } catch (err) {
      if (attempt >= JOB_TX_ATTEMPTS || !RETRIED.has((err as { code?: string }).code ?? '')) throw err
      // A moment apart, at random: two operations retried in step could meet the same way again.
      await new Promise((r) => setTimeout(r, Math.random() * 50 * attempt))
    }
  }
}

async function attemptJobTransaction<T>(pool: pg.Pool, origin: string, fn: (tx: JobTx) => Promise<T>): Promise<T> {
  const { client, release } = await checkOut(pool)
  const tx = new JobTx(client)
  let value: T
  try {
    await client.query('BEGIN')
    value = await fn(tx)
    if (tx.changed.size || tx.removed.size || tx.logged.size || tx.paused !== undefined) {
      await notifyJobChanges(client, {
        origin,
        ...(tx.changed.size ? { changed: [...tx.changed] } : {}),
        ...(tx.removed.size ? { removed: [...tx.removed] } : {}),
        ...(tx.logged.size ? { logged: [...tx.logged] } : {}),
        ...(tx.paused === undefined ? {} : { paused: tx.paused })
      })
    }
    if (tx.wake) await wakeWorkers(client)
    await client.query('COMMIT')
  } catch (err) {
    let broken: Error | undefined
    await client.query('ROLLBACK').catch((e: Error) => (broken = e))
    release(broken)
    throw err
  }
  release()
  for (const announce of tx.after) announce()
  return value
}

/** Run `fn` for one job of a bulk operation in a savepoint; a refusal (`isRefusal`) rolls back only it. */
export async function inSavepoint<T>(tx: JobTx, fn: (child: JobTx) => Promise<T>, isRefusal: (err: unknown) => boolean): Promise<T> {
  const child = tx.child()
  await tx.query('SAVEPOINT job')
  try {
    const value = await fn(child)
    await tx.query('RELEASE SAVEPOINT job')
    tx.merge(child)
    return value
  } catch (err) {
    if (isRefusal(err)) await tx.query('ROLLBACK TO SAVEPOINT job')
    throw err
  }
}
