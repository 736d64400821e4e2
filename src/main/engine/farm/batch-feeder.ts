/**
 * Feeding the farm's running batches, as the local BatchManager.feed does: each batch keeps a
 * window of open jobs in the queue (enough to keep the farm's workers busy, few enough that other
 * batches and single jobs interleave with it), and its ready rows become jobs as that window
 * drains. Every worker runs one, on its safety sweep, when a batch job it ran ends and when woken
 * for batches (BATCHES_WAKE); the machine that starts or resumes a batch feeds it once too.
 *
 * Several feeders may look at one batch at once: a feed is one transaction that takes the batch's
 * row with SKIP LOCKED (another feeder holding it, this one passes), plans the rows' jobs with the
 * pipelines it was given and writes them with the farm job store's enqueue, and marks the rows
 * queued — all in that transaction, so a row never gets two jobs. A batch with no ready row and
 * no open job left is marked completed in the same way.
 */
import type pg from 'pg'
import type { EnqueueRequest } from '../../../shared/schemas'
import { rowTitle } from '../batch/row-title'
import type { PipelineRegistry } from '../pipelines/registry'
import { inJobTransaction } from '../store/postgres/job-transaction'
import { PgJobStore } from '../store/postgres/jobs'
import { EventBus } from '../events'
import { stepNeeds } from './capabilities'
import {
  completeFarmBatchIfDone,
  liveWorkerCount,
  lockRunningBatch,
  markFarmRowsQueued,
  notifyBatchesChanged,
  openBatchJobs,
  readyFarmRows,
  runningFarmBatches
} from '../store/postgres/batches'
import { DEFAULT_STALE_AFTER_MS } from '../store/postgres/workers'
import { fromStoredJson } from './shared-json'
import type { JsonValue } from '../../../shared/types'

export interface FarmBatchFeederOptions {
  pool: pg.Pool
  /** The farm's job store: the rows' jobs are written with its enqueue, in the feed's transaction. */
  jobs: PgJobStore
  /** What plans each row's job (the same registry the store checks inputs against). */
  pipelines: PipelineRegistry<any>
  /** The shared data folder as this machine mounts it (rows store paths in the farm's form). */
  dataDir: string
  /**
   * Slots of one worker (its concurrency): a batch keeps twice the farm's slots open, the farm's
   * slots being this times the live workers (at least one).
   */
  slotsPerWorker: number
  staleAfterMs?: number
  log?: (line: string) => void
  now?: () => number
}

export interface FeedOutcome {
  /** Rows given a job by this feed. */
  queued: number
  /** This feed recorded the batch's completion. */
  completed: boolean
}

const NOTHING: FeedOutcome = { queued: 0, completed: false }

export class FarmBatchFeeder {
  private readonly now: () => number
  private readonly log: (line: string) => void
  /** Each batch's feed running here, and whether another was asked for meanwhile. */
  private readonly running = new Map<string, { again: boolean; done: Promise<FeedOutcome> }>()
  private closed = false
  /** The last failure said, so a farm out of reach is said once, not at every sweep. */
  private lastFailure: string | null = null

  constructor(private readonly o: FarmBatchFeederOptions) {
    this.now = o.now ?? Date.now
    this.log = o.log ?? (() => undefined)
  }

  /** Feed every running batch (the sweep, a wake-up). Never throws: a failure is logged once. */
  async feedAll(): Promise<void> {
    if (this.closed) return
    let ids: string[]
    try {
      ids = await runningFarmBatches(this.o.pool)
    } catch (err) {
      this.failed(err)
      return
    }
    for (const id of ids) await this.feed(id)
  }

  /**
   * Top one batch up. A feed asked for while this machine's previous one for the batch still runs
   * runs once more after it (a job that ended meanwhile is counted). Never throws.
   */
  feed(id: string): Promise<FeedOutcome> {
    const current = this.running.get(id)
    if (current) {
      current.again = true
      return current.done
    }
    // Registered before it runs, so that the run's own end (possibly at once, once closed) removes it.
    const entry = { again: false, done: Promise.resolve(NOTHING) }
    this.running.set(id, entry)
    entry.done = (async () => {
      let total: FeedOutcome = { queued: 0, completed: false }
      try {
        do {
          entry.again = false
          if (this.closed) break
          const once = await this.feedOnce(id)
          total = { queued: total.queued + once.queued, completed: total.completed || once.completed }
        } while (entry.again)
        this.lastFailure = null
      } catch (err) {
        this.failed(err)
      } finally {
        this.running.delete(id)
      }
      return total
    })()
    return entry.done
  }

  /** Stop feeding; resolves once the feeds under way have ended. */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.running.values()].map((r) => r.done))
  }

  private async window(): Promise<number> {
    const workers = await liveWorkerCount(this.o.pool, this.now(), this.o.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)
    return Math.max(2, 2 * Math.max(1, this.o.slotsPerWorker) * Math.max(1, workers))
  }

  private async feedOnce(id: string): Promise<FeedOutcome> {
    const window = await this.window()
    return inJobTransaction(this.o.pool, this.o.jobs.origin, async (tx) => {
      const b = await lockRunningBatch(tx, id)
      if (!b) return NOTHING
      const open = await openBatchJobs(tx, id)
      let queued = 0
      const room = window - open
      if (room > 0) {
        const ready = await readyFarmRows(tx, id, room)
        if (ready.length) {
          const type = (JSON.parse(b.config) as { pipeline: string }).pipeline
          const pipeline = this.o.pipelines.get(type)
          // A worker running other pipelines (a bench's) leaves the batch to those that have it.
          if (!pipeline) return NOTHING
          const mainField = pipeline.mainField ?? 'idea'
          const requests: EnqueueRequest[] = ready.map((r) => ({
            type,
            // Paths in the farm's stored form, read under this machine's mount (the job store stores them again).
            input: fromStoredJson(this.o.dataDir, r.input as JsonValue) as Record<string, unknown>,
            projectId: b.projectId,
            batchId: id,
            priority: r.priority,
            title: rowTitle(r.input[mainField], r.cells, b.name, r.rowNumber)
          }))
          const jobs = await this.o.jobs.enqueueManyIn(tx, requests)
          await markFarmRowsQueued(tx, id, jobs.map((job, i) => ({ rowNumber: ready[i]!.rowNumber, jobId: job.id })))
          queued = jobs.length
        }
      }
      const completed = queued === 0 && open === 0 && (await completeFarmBatchIfDone(tx, id, this.now()))
      if (queued || completed) await notifyBatchesChanged(tx, [id])
      return { queued, completed }
    })
  }

  private failed(err: unknown): void {
    const message = (err as Error).message
    if (message !== this.lastFailure) this.log(`batches: could not queue the next rows (${message}); trying again at the next sweep`)
    this.lastFailure = message
  }
}

/**
 * A worker's feeder: over the worker's connections, with a job store of its own whose events
 * nobody here hears (the jobs it queues are announced to the farm by NOTIFY, and wake the workers).
 */
export function farmBatchFeeder(o: {
  pool: pg.Pool
  dataDir: string
  artifactsRoot: string
  pipelines: PipelineRegistry<any>
  slotsPerWorker: number
  staleAfterMs: number
  log: (line: string) => void
}): FarmBatchFeeder {
  const jobs = new PgJobStore({ pool: o.pool, events: new EventBus(), pipelines: o.pipelines, dataDir: o.dataDir, artifactsRoot: o.artifactsRoot, stepNeeds })
  return new FarmBatchFeeder({ pool: o.pool, jobs, pipelines: o.pipelines, dataDir: o.dataDir, slotsPerWorker: o.slotsPerWorker, staleAfterMs: o.staleAfterMs, log: o.log })
}
