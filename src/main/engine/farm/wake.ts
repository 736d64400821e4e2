/**
 * Waking idle workers with LISTEN/NOTIFY: whoever makes a job claimable (enqueue, retry, resume,
 * a lease released) notifies the channel in the same transaction, and PostgreSQL delivers it to
 * every listening machine at commit (and not at all on rollback). Workers then claim at once
 * instead of polling; their periodic safety sweep only covers a notification lost with a dropped
 * connection. Notifications of one transaction with the same payload arrive once.
 */
import pg from 'pg'
import type { Queryable } from './workers'

export const FARM_WAKE_CHANNEL = 'studio_farm_wake'

/** Queue a wake-up for every listening worker; delivered when the caller's transaction commits. */
export async function wakeWorkers(db: Queryable, reason = 'jobs'): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [FARM_WAKE_CHANNEL, reason])
}

export interface WakeListener {
  close(): Promise<void>
}

/**
 * Listen on a dedicated connection (a pooled one would be handed to others with the LISTEN still
 * on it). `onError` hears a lost connection: the worker falls back to its sweep and reconnects.
 */
export async function listenForWake(url: string, onWake: (reason: string) => void, onError: (err: Error) => void = () => undefined): Promise<WakeListener> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 })
  client.on('notification', (n) => {
    if (n.channel === FARM_WAKE_CHANNEL) onWake(n.payload ?? '')
  })
  client.on('error', onError)
  await client.connect()
  await client.query(`LISTEN ${FARM_WAKE_CHANNEL}`)
  return {
    close: async () => {
      client.removeAllListeners('notification')
      await client.end().catch(() => undefined)
    }
  }
}
