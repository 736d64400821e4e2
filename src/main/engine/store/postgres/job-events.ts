/**
 * Telling every machine's UI what changed in the farm's queue. Each change the job store commits
 * (PgJobStore) is announced twice: on this process's EventBus, with the jobs' new views, as the
 * SQLite store does; and with a NOTIFY on FARM_JOBS_CHANNEL, sent in the same transaction (so
 * delivered at commit, never on rollback), naming the jobs. A payload holds at most 8000 bytes: a
 * change too large to name (a bulk enqueue, a cleanup) says `all`, and a listener reloads its list.
 * `origin` names the store that sent it, so a process skips its own (it has already emitted them).
 */
import pg from 'pg'
import type { Queryable } from './workers'

export const FARM_JOBS_CHANNEL = 'studio_farm_jobs'

/**
 * The origin of the notices the database itself sends when a job's status changes (a worker's
 * claim, completion, failure; schema.ts, migration 6). Windows need them; workers do not (they
 * listen for cancels, removals and pauses, which the job store sends) and skip them.
 */
export const FARM_STATUS_ORIGIN = 'farm-status'

/**
 * The origin of the notices a worker sends while a window is open, naming the jobs whose progress
 * or current step it changed (progress-notices.ts): at most one a second from each worker. Windows
 * relay them as the jobs' new views; workers skip them, as they skip FARM_STATUS_ORIGIN's.
 */
export const FARM_PROGRESS_ORIGIN = 'farm-progress'

/** PostgreSQL refuses a payload of 8000 bytes or more; kept well under. */
const MAX_PAYLOAD = 7_800

export interface FarmJobNotice {
  origin: string
  /** Jobs whose view changed (enqueued, reordered, cancelled…). */
  changed?: string[]
  /** Jobs deleted. */
  removed?: string[]
  /** Jobs with new log lines. */
  logged?: string[]
  /** The whole queue was paused or resumed. */
  paused?: boolean
  /** Too many jobs to name: reload. */
  all?: true
}

/** The payload of a notice, or of its `all` form when naming the jobs would not fit. */
export function noticePayload(notice: FarmJobNotice): string {
  const full = JSON.stringify(notice)
  if (Buffer.byteLength(full) <= MAX_PAYLOAD) return full
  return JSON.stringify({ origin: notice.origin, all: true, ...(notice.paused === undefined ? {} : { paused: notice.paused }) })
}

/** Queue a notice; delivered when the caller's transaction commits. */
export async function notifyJobChanges(db: Queryable, notice: FarmJobNotice): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [FARM_JOBS_CHANNEL, noticePayload(notice)])
}

export interface JobChangeListener {
  close(): Promise<void>
}

/**
 * Hear other machines' changes on a dedicated connection. Notices from `ownOrigin` are skipped;
 * an unreadable payload (a newer release's) is skipped too rather than breaking the listener.
 */
export async function listenForJobChanges(
  url: string,
  onNotice: (notice: FarmJobNotice) => void,
  options: { ownOrigin?: string; skipOrigins?: readonly string[]; onError?: (err: Error) => void } = {}
): Promise<JobChangeListener> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 })
  client.on('notification', (n) => {
    if (n.channel !== FARM_JOBS_CHANNEL || !n.payload) return
    let notice: FarmJobNotice
    try {
      notice = JSON.parse(n.payload) as FarmJobNotice
    } catch {
      return
    }
    if (notice.origin !== options.ownOrigin && !options.skipOrigins?.includes(notice.origin)) onNotice(notice)
  })
  client.on('error', options.onError ?? (() => undefined))
  await client.connect()
  await client.query(`LISTEN ${FARM_JOBS_CHANNEL}`)
  return {
    close: async () => {
      client.removeAllListeners('notification')
      await client.end().catch(() => undefined)
    }
  }
}
