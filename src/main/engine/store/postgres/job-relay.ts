/**
 * Other machines' changes to the farm's queue, as this machine's events: a window here shows a job
 * another machine cancelled, reordered or removed as if it had happened here. Each notice
 * (job-events.ts) is turned into the events the SQLite store would have sent — the named jobs'
 * current views (job.changed), their removals (job.removed), the queue's pause (queue.changed) —
 * read once the notice arrives, so they say what the queue is now. Notices are handled one at a
 * time, in the order they were committed.
 *
 * A notice too large to name its jobs (`all`: a bulk enqueue, a cleanup) is answered with every
 * job changed and every removal since the previous notice, less a minute: a job's updated_at is
 * written by the clock of the machine that changed it, and machines' clocks differ a little. A job
 * sent twice is harmless (its view is its current one).
 *
 * A worker relays only what concerns the jobs it runs (`only`): a cancel or a removal stops their
 * step, a pause holds its claims; what makes work claimable wakes it on its own channel (wake.ts),
 * and everything else in a notice is for windows. Without `only`, each of W workers would read and
 * announce every job a notice names (a bulk enqueue: every job it queued), W reads per job.
 */
import type pg from 'pg'
import type { EventBus } from '../../events'
import { listenForJobChanges, type FarmJobNotice, type JobChangeListener } from './job-events'
import { JOB_COLUMNS, jobRow, localJobView } from './job-rows'

/** Clock skew allowed between machines when a notice names no jobs. */
const SKEW_MS = 60_000

export interface RelayOptions {
  url: string
  pool: pg.Pool
  events: EventBus
  /** The shared data folder as this machine mounts it: the relayed jobs' results show their paths under it. */
  dataDir: string
  /** This machine's job store's origin: its own notices are not relayed (it already emitted them). */
  ownOrigin: string
  /** Notices from these origins are not relayed either (a worker skips FARM_STATUS_ORIGIN's and FARM_PROGRESS_ORIGIN's). */
  skipOrigins?: readonly string[]
  /** Only these jobs' changes and removals are relayed, asked at each notice (a worker's running jobs); every pause is. Absent: every job's. */
  only?: () => readonly string[]
  onError?: (err: Error) => void
  now?: () => number
}

export async function relayFarmChanges(o: RelayOptions): Promise<JobChangeListener> {
  const now = o.now ?? Date.now
  let since = now()
  let chain = Promise.resolve()
  const handle = async (notice: FarmJobNotice): Promise<void> => {
    const from = since - SKEW_MS
    since = now()
    const only = o.only?.()
    const concerned = only ? (id: string) => only.includes(id) : () => true
    if (notice.all) {
      if (!only || only.length) {
        // Read by id when only a few jobs concern this machine, rather than every job changed lately.
        const mine = only ? ' AND id = ANY($2::text[])' : ''
        const values = only ? [from, only] : [from]
        const changed = await o.pool.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE updated_at >= $1${mine} ORDER BY seq`, values)
        for (const r of changed.rows) o.events.emit({ type: 'job.changed', job: localJobView(jobRow(r), o.dataDir) })
        const removed = await o.pool.query<{ id: string }>(`SELECT DISTINCT id FROM removed_jobs WHERE removed_at >= $1${mine}`, values)
        for (const r of removed.rows) o.events.emit({ type: 'job.removed', jobId: r.id })
      }
    } else {
      const ids = notice.changed?.filter(concerned)
      if (ids?.length) {
        const { rows } = await o.pool.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ANY($1::text[])`, [ids])
        const byId = new Map(rows.map((r) => [r.id as string, r]))
        // In the notice's order; a job removed since is left to its own notice.
        for (const id of ids) {
          const r = byId.get(id)
          if (r) o.events.emit({ type: 'job.changed', job: localJobView(jobRow(r), o.dataDir) })
        }
      }
      for (const id of notice.removed ?? []) if (concerned(id)) o.events.emit({ type: 'job.removed', jobId: id })
    }
    if (notice.paused !== undefined) o.events.emit({ type: 'queue.changed', paused: notice.paused })
  }
  return listenForJobChanges(
    o.url,
    (notice) => {
      chain = chain.then(() => handle(notice)).catch((err: Error) => o.onError?.(err))
    },
    { ownOrigin: o.ownOrigin, ...(o.skipOrigins ? { skipOrigins: o.skipOrigins } : {}), ...(o.onError ? { onError: o.onError } : {}) }
  )
}
