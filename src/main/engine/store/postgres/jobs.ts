/**
 * The user's side of the queue on the studio farm's PostgreSQL: what SqliteJobStore does
 * (store/jobs.ts), with the same queue order (priority, the user's manual order, FIFO), the same
 * transitions and refusals (the same QueueError codes and words), the same log lines (a code and
 * its values) and the same events, so the CLI, the window and batches work on either backend.
 * tests/farm/job-store-semantics.test.ts runs one list of cases on both.
 *
 * What a network database changes:
 *  - every method returns a Promise (AsyncJobStore);
 *  - a single-job change locks its job's row (FOR UPDATE) before checking its status: a worker's
 *    claim (FOR UPDATE SKIP LOCKED) passes it by meanwhile, and what was checked is what changes;
 *  - reorderings from several machines are serialised by a transaction-level advisory lock (each
 *    reads the queue's order, then re-deals positions);
 *  - each committed change is also NOTIFYed (job-events.ts) for the other machines' windows, and
 *    what makes a job claimable wakes the workers (wake.ts).
 * Steps' work folders are stored relative to the shared data folder (the schema refuses anything
 * else); files are removed only once the transaction that let them go has committed.
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type pg from 'pg'
import type { BulkOutcome, BulkResult, JobSelection } from '../../../../shared/bulk'
import { logEntry, logText } from '../../../../shared/log-lines'
import { progressOfDoneSteps } from '../../../../shared/progress'
import { MoveDirectionSchema, Priority, type EnqueueRequest, type JobFilter } from '../../../../shared/schemas'
import type { JobDetail, JobStatus, JobView, JsonValue, LogLine, MoveDirection, QueueStats } from '../../../../shared/types'
import { QueueError } from '../../errors'
import { toStoredPayload } from '../../farm/shared-json'
import type { EventBus } from '../../events'
import type { PipelineRegistry } from '../../pipelines/registry'
import { planMove, planPlacement, type MoveOutcome, type QueueSlot } from '../../queue/ordering'
import { JobIds } from '../job-ids'
import { parseOrRefuse, prepareEnqueue, storedLogMessage } from '../job-requests'
import type { AsyncJobStore, LogMessage } from '../jobs'
import type { JobRow } from '../rows'
import { getJob, jobLogs, listJobs, QUEUE_PAUSED_KEY, queuePaused, queueStats, requireJobRow, stepRowsOf } from './job-reads'
import { JOB_COLUMNS, jobColumnsOf, jobRow, localJobView } from './job-rows'
import { inJobTransaction, inSavepoint, type JobTx } from './job-transaction'

/** Key of the advisory lock that serialises reorderings across the farm ("studiomv"). */
export const QUEUE_ORDER_LOCK = 0x73747564696f6d76n

export interface PgJobStoreOptions {
  pool: pg.Pool
  events: EventBus
  pipelines: PipelineRegistry<any>
  /** The shared data folder as this machine mounts it: steps' work folders, and the paths in results and outputs, are stored relative to it. */
  dataDir: string
  /** Folder holding each job's artifacts (`<root>/<jobId>/...`), removed with the job. */
  artifactsRoot: string
  /**
   * What a step occupying a resource needs of a machine (farm/capabilities.ts's stepNeeds), stored
   * as the job's next_needs: a worker claims only jobs whose next step it can run. Passed in, as
   * to the lease store, so the two never disagree and the store does not import the farm.
   */
  stepNeeds: (resource: string) => readonly string[]
  now?: () => number
}

type Work<T> = (tx: JobTx) => Promise<T>

export class PgJobStore implements AsyncJobStore {
  /** Names this store in its NOTIFYs, so that it skips its own when it listens. */
  readonly origin = randomUUID()
  private readonly pool: pg.Pool
  private readonly events: EventBus
  private readonly pipelines: PipelineRegistry<any>
  private readonly dataDir: string
  private readonly artifactsRoot: string
  private readonly stepNeeds: PgJobStoreOptions['stepNeeds']
  private readonly now: () => number

  constructor(options: PgJobStoreOptions) {
    this.pool = options.pool
    this.events = options.events
    this.pipelines = options.pipelines
    this.dataDir = options.dataDir
    this.artifactsRoot = options.artifactsRoot
    this.stepNeeds = options.stepNeeds
    this.now = options.now ?? Date.now
  }

  private run<T>(work: Work<T>): Promise<T> {
    return inJobTransaction(this.pool, this.origin, work)
  }

  // ---------------------------------------------------------------- reading

  get(id: string): Promise<JobDetail | null> {
    return getJob(this.pool, this.dataDir, id)
  }

  async require(id: string): Promise<JobView> {
    return this.view(await requireJobRow(this.pool, id))
  }

  list(filter: JobFilter = {}): Promise<JobView[]> {
    return listJobs(this.pool, this.dataDir, filter)
  }

  logs(id: string, options: { afterId?: number; limit?: number } = {}): Promise<LogLine[]> {
    return jobLogs(this.pool, id, options)
  }

  isPaused(): Promise<boolean> {
    return queuePaused(this.pool)
  }

  stats(): Promise<QueueStats> {
    return queueStats(this.pool, this.now())
  }

  // ---------------------------------------------------------------- enqueue

  async enqueue(request: EnqueueRequest): Promise<JobView> {
    return (await this.enqueueMany([request]))[0]!
  }

  /**
   * Enqueue several jobs in one statement: the jobs, their steps and their "queued" lines, each
   * table filled from arrays (unnest), all of them or, on a bad one, none (checked before any write,
   * the error naming it). Positions come from the queue's sequence, in the order given.
   */
  async enqueueMany(requests: readonly EnqueueRequest[]): Promise<JobView[]> {
    const prepared = this.prepare(requests)
    if (prepared.length === 0) return []
    return this.run((tx) => this.insertPrepared(tx, prepared))
  }

  /**
   * enqueueMany inside a transaction the caller holds (a batch's rows marked queued in the same
   * commit as their jobs: farm/batch-feeder.ts). Announced once that transaction commits.
   */
  enqueueManyIn(tx: JobTx, requests: readonly EnqueueRequest[]): Promise<JobView[]> {
    const prepared = this.prepare(requests)
    if (prepared.length === 0) return Promise.resolve([])
    return this.insertPrepared(tx, prepared)
  }

  /**
   * Checked as every backend checks; paths in a payload stored relative to the shared folder (a file
   * outside it refused, naming the field): the worker that runs the job mounts the folder elsewhere
   * (shared-json.ts).
   */
  private prepare(requests: readonly EnqueueRequest[]) {
    return requests.map((req, i) => {
      const prefix = requests.length > 1 ? `jobs[${i}].` : ''
      const p = prepareEnqueue(this.pipelines, req, prefix)
      return { ...p, payload: JSON.stringify(toStoredPayload(this.dataDir, JSON.parse(p.payload) as JsonValue, `${prefix}input`)) }
    })
  }

  private async insertPrepared(tx: JobTx, prepared: ReturnType<PgJobStore['prepare']>): Promise<JobView[]> {
    const job = { id: [] as string[], seq: [] as number[], project: [] as string[], type: [] as string[], title: [] as string[], payload: [] as string[] }
    const more = { priority: [] as number[], maxRetries: [] as number[], resource: [] as string[], batch: [] as (string | null)[] }
    const extra = { estimate: [] as number[], needs: [] as string[], logParams: [] as string[] }
    const step = { job: [] as number[], idx: [] as number[], name: [] as string[], title: [] as string[], resource: [] as string[] }
    for (const p of prepared) {
      const first = p.steps[0]!
      job.project.push(p.req.projectId)
      job.type.push(p.req.type)
      job.title.push(p.title)
      job.payload.push(p.payload)
      more.priority.push(p.req.priority)
      more.maxRetries.push(p.req.maxRetries)
      more.resource.push(first.resource)
      more.batch.push(p.req.batchId ?? null)
      extra.estimate.push(p.steps.reduce((sum, s) => sum + s.estimateMs, 0))
      extra.needs.push(this.stepNeeds(first.resource).join(','))
      extra.logParams.push(JSON.stringify({ priority: p.req.priority }))
      p.steps.forEach((s, idx) => {
        step.job.push(job.project.length - 1)
        step.idx.push(idx)
        step.name.push(s.name)
        step.title.push(s.title)
        step.resource.push(s.resource)
      })
    }
    const now = this.now()
    {
      // Time-ordered ids, as the SQLite store makes them (job-ids.ts): appended to the id index side
      // by side, their short id (their end) the job's number scrambled, so the numbers come first.
      const { rows: numbers } = await tx.query<{ seq: string }>(
        "SELECT nextval(pg_get_serial_sequence('jobs', 'seq')) AS seq FROM generate_series(1, $1)",
        [prepared.length]
      )
      const ids = new JobIds(now)
      job.seq = numbers.map((r) => Number(r.seq))
      job.id = job.seq.map((seq) => ids.next(seq))
      const stepJobs = step.job.map((at) => job.id[at]!)
      const { rows } = await tx.query(
        `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[],
                                $9::text[], $10::bigint[], $11::text[], $12::text[], $19::bigint[])
                    WITH ORDINALITY AS t(id, project_id, type, title, payload, priority, max_retries, next_resource,
                                         batch_id, estimate, needs, log_params, seq, ord)
         ), new_jobs AS (
           -- ORDER BY: the positions are drawn in the order the jobs were given. The numbers were
           -- drawn from seq's own sequence above, hence OVERRIDING SYSTEM VALUE.
           INSERT INTO jobs (id, seq, project_id, type, title, payload, status, priority, position, max_retries, next_resource,
                             next_needs, batch_id, estimated_duration_ms, created_at, updated_at)
           OVERRIDING SYSTEM VALUE
           SELECT id, seq, project_id, type, title, payload, 'pending', priority, nextval('jobs_position_seq'), max_retries, next_resource,
                  COALESCE(string_to_array(NULLIF(needs, ''), ','), '{}'), batch_id, estimate, $18, $18
             FROM input ORDER BY ord
           RETURNING ${JOB_COLUMNS}
         ), new_steps AS (
           INSERT INTO steps (job_id, idx, name, title, resource, status)
           SELECT job_id, idx, name, title, resource, 'pending' FROM unnest($13::text[], $14::int[], $15::text[], $16::text[], $17::text[])
                    AS s(job_id, idx, name, title, resource)
         ), new_logs AS (
           INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params)
           SELECT n.seq, n.id, $18, 'info', NULL, '', 'queued', i.log_params FROM new_jobs n JOIN input i ON i.id = n.id
         )
         SELECT n.* FROM new_jobs n JOIN input i ON i.id = n.id ORDER BY i.ord`,
        [
          job.id, job.project, job.type, job.title, job.payload, more.priority, more.maxRetries, more.resource,
          more.batch, extra.estimate, extra.needs, extra.logParams,
          stepJobs, step.idx, step.name, step.title, step.resource, now, job.seq
        ]
      )
      for (const id of job.id) tx.changed.add(id)
      tx.wake = true
      const views = rows.map((r) => this.view(jobRow(r)))
      // As on SQLite: one event per job, only when someone takes them.
      if (this.events.wants('job.changed')) tx.after.push(() => {
        for (const view of views) this.events.emit({ type: 'job.changed', job: view })
      })
      return views
    }
  }

  // ---------------------------------------------------------------- ordering

  async setPriority(id: string, priority: number): Promise<JobView> {
    const p = parseOrRefuse(Priority, priority, 'priority')
    return this.run((tx) => this.setPriorityIn(tx, id, p))
  }

  private async setPriorityIn(tx: JobTx, id: string, p: number, refuseUnchanged = false): Promise<JobView> {
    const row = await requireJobRow(tx, id, true)
    if (refuseUnchanged && row.priority === p) throw new QueueError('unchanged', `job already has priority ${p}`)
    refuseWhileProcessing(row, 'its priority cannot be changed')
    if (row.status === 'completed') throw new QueueError('finished', 'job is already completed; its priority no longer matters')
    return this.change(tx, row.id, 'UPDATE jobs SET priority = $2, updated_at = $3 WHERE id = $1', [p, this.now()], [
      'info',
      logEntry('prioritySet', { priority: p })
    ])
  }

  async move(id: string, direction: MoveDirection): Promise<JobView> {
    const dir = parseOrRefuse(MoveDirectionSchema, direction, 'direction')
    return this.run((tx) =>
      this.reorder(tx, id, (queued, jobId) => planMove(queued, jobId, dir), (change) =>
        change ? logEntry('movedPriority', { direction: dir, ...change }) : logEntry('moved', { direction: dir })
      )
    )
  }

  /** Drop a job right before or after another queued job, in one step (the end of a drag). */
  async place(id: string, target: { before: string } | { after: string }): Promise<JobView> {
    const before = 'before' in target
    const anchorId = before ? target.before : target.after
    return this.run(async (tx) => {
      const anchor = await requireJobRow(tx, anchorId)
      if (anchor.status !== 'pending' && anchor.status !== 'paused') {
        throw new QueueError('not_queued', `the job to place it next to is ${anchor.status}; only queued jobs can be reordered`)
      }
      return this.reorder(tx, id, (queued, jobId) => planPlacement(queued, jobId, anchor.id, before), (change) =>
        change
          ? logEntry(before ? 'placedBeforePriority' : 'placedAfterPriority', { title: anchor.title, ...change })
          : logEntry(before ? 'placedBefore' : 'placedAfter', { title: anchor.title })
      )
    })
  }

  /**
   * One reordering, in one transaction: only queued jobs move, never one being processed (a job a
   * worker claims meanwhile keeps its place: the updates touch queued jobs only).
   */
  private async reorder(
    tx: JobTx,
    id: string,
    plan: (queued: QueueSlot[], jobId: string) => MoveOutcome,
    message: (priority: { was: number; priority: number } | null) => LogMessage
  ): Promise<JobView> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [QUEUE_ORDER_LOCK.toString()])
    const row = await requireJobRow(tx, id, true)
    refuseWhileProcessing(row, 'it cannot be reordered')
    if (row.status !== 'pending' && row.status !== 'paused') {
      throw new QueueError('not_queued', `job is ${row.status}; only queued jobs can be reordered`)
    }
    const { rows } = await tx.query<{ id: string; priority: number; position: string }>(
      "SELECT id, priority, position FROM jobs WHERE status IN ('pending','paused') ORDER BY priority, position, seq"
    )
    const queued = rows.map((r) => ({ id: r.id, priority: r.priority, position: Number(r.position) }))
    const outcome = plan(queued, row.id)
    if (!outcome.ok) {
      const where = outcome.reason === 'first' ? 'already first in the queue' : outcome.reason === 'last' ? 'already last in the queue' : 'no longer queued'
      throw new QueueError('cannot_move', `job is ${where}`)
    }
    const now = this.now()
    const moved = outcome.updates.find((u) => u.id === row.id)
    await this.logIn(tx, row.id, 'info', message(moved && moved.priority !== row.priority ? { was: row.priority, priority: moved.priority } : null))
    let mine: JobRow | undefined
    if (outcome.updates.length) {
      const { rows: changed } = await tx.query(
        `UPDATE jobs j SET priority = u.priority, position = u.position, updated_at = $4
           FROM unnest($1::text[], $2::int[], $3::bigint[]) AS u(id, priority, position)
          WHERE j.id = u.id AND j.status IN ('pending','paused')
          RETURNING ${jobColumnsOf('j')}`,
        [outcome.updates.map((u) => u.id), outcome.updates.map((u) => u.priority), outcome.updates.map((u) => u.position), now]
      )
      const byId = new Map(changed.map((r) => [r.id as string, jobRow(r)]))
      // Announced in the plan's order, as the SQLite store does.
      for (const u of outcome.updates) {
        const r = byId.get(u.id)
        if (!r) continue
        if (r.id === row.id) mine = r
        this.announce(tx, r)
      }
    }
    return this.view(mine ?? row)
  }

  // ---------------------------------------------------------------- lifecycle

  /** A queued job is cancelled at once; a running one too, its lease revoked in the same transaction. */
  cancel(id: string): Promise<JobView> {
    return this.run((tx) => this.cancelIn(tx, id))
  }

  private async cancelIn(tx: JobTx, id: string): Promise<JobView> {
    const row = await requireJobRow(tx, id, true)
    if (row.status === 'completed' || row.status === 'failed' || row.status === 'cancelled') {
      throw new QueueError('finished', `job is already ${row.status}; nothing to cancel`)
    }
    const now = this.now()
    await tx.query("UPDATE steps SET status = 'cancelled' WHERE job_id = $1 AND status = 'running'", [row.id])
    return this.change(
      tx,
      row.id,
      `UPDATE jobs SET status = 'cancelled', error = NULL, completed_at = $2, updated_at = $2, lease_token = NULL,
         lease_owner = NULL, lease_expires_at = NULL, waiting_reason = NULL, waiting_provider = NULL, pause_requested = FALSE
       WHERE id = $1`,
      [now],
      ['warn', row.status === 'processing' ? logEntry('cancelledWhileRunning', { step: row.current_step ?? 'a step' }) : logEntry('cancelled')]
    )
  }

  /**
   * Put a failed or cancelled job back in the queue, resuming at its first unfinished step; with
   * `fromStep`, that step and every later one are cleared with their files (a completed job too).
   */
  retry(id: string, options: { fromStep?: string } = {}): Promise<JobView> {
    return this.run((tx) => this.retryIn(tx, id, options))
  }

  private async retryIn(tx: JobTx, id: string, options: { fromStep?: string }): Promise<JobView> {
    const row = await requireJobRow(tx, id, true)
    if (row.status === 'pending' || row.status === 'processing' || row.status === 'paused') {
      throw new QueueError('not_finished', `job is ${row.status}; only failed, cancelled or completed jobs can be retried`)
    }
    const steps = await stepRowsOf(tx, row)
    let from: number
    if (options.fromStep !== undefined) {
      const step = steps.find((s) => s.name === options.fromStep || String(s.idx + 1) === options.fromStep)
      if (!step) {
        throw new QueueError('bad_request', `fromStep: job has no step "${options.fromStep}"; its steps are ${steps.map((s) => s.name).join(', ')}`)
      }
      from = step.idx
    } else {
      if (row.status === 'completed') {
        throw new QueueError('finished', 'job is already completed; name a step to redo it from (retry --from STEP)')
      }
      from = steps.find((s) => s.status !== 'completed')?.idx ?? steps.length - 1
    }
    const cleared = steps.filter((s) => s.idx >= from && s.work_dir).map((s) => this.inDataDir(s.work_dir!))
    const clearFrom = options.fromStep !== undefined ? from : steps.length
    await tx.query(
      `UPDATE steps SET status = 'pending', attempts = 0, progress = 0, error = NULL,
         output = CASE WHEN idx >= $2 THEN NULL ELSE output END,
         files = CASE WHEN idx >= $2 THEN NULL ELSE files END,
         work_dir = CASE WHEN idx >= $2 THEN NULL ELSE work_dir END,
         cost_usd = CASE WHEN idx >= $2 THEN NULL ELSE cost_usd END,
         provider = CASE WHEN idx >= $2 THEN NULL ELSE provider END,
         fallback = CASE WHEN idx >= $2 THEN FALSE ELSE fallback END,
         started_at = NULL, completed_at = NULL, duration_ms = NULL
       WHERE job_id = $1 AND (idx >= $2 OR status <> 'completed')`,
      [row.id, clearFrom]
    )
    // What the kept steps say once cleared: the same rule as SQLite's (a step kept is a completed one before the cut).
    const kept = steps.map((s) => (s.idx >= clearFrom || s.status !== 'completed' ? { ...s, status: 'pending' as const } : s))
    const done = kept.filter((s) => s.status === 'completed').length
    const firstOpen = kept.find((s) => s.status !== 'completed')
    const fromName = steps[from]?.name ?? 'the start'
    // Redoing from a late step still runs first any earlier one that never finished: said so.
    const resume = steps.find((st) => st.idx < from && st.status !== 'completed')
    const line =
      options.fromStep === undefined
        ? logEntry('retryResumes', { step: fromName })
        : resume
          ? logEntry('retryFromResumesEarlier', { step: fromName, resume: resume.name })
          : logEntry('retryFrom', { step: fromName })
    const view = await this.change(
      tx,
      row.id,
      `UPDATE jobs SET status = 'pending', error = NULL, result = NULL, completed_at = NULL, actual_duration_ms = NULL,
         -- A new run: "started" is when it starts, not when the first one did.
         started_at = NULL, run_after = 0, waiting_reason = NULL, waiting_provider = NULL, pause_requested = FALSE, current_step = NULL,
         progress = $2, next_resource = $3, next_needs = $4::text[], updated_at = $5,
         -- The steps redone no longer count: the cost is what the kept ones cost.
         cost_usd = (SELECT COALESCE(sum(s.cost_usd), 0) FROM steps s WHERE s.job_id = jobs.id),
         cost_unknown = EXISTS (SELECT 1 FROM steps s WHERE s.job_id = jobs.id AND s.status = 'completed' AND s.cost_usd IS NULL)
       WHERE id = $1`,
      [progressOfDoneSteps(steps.length, done), firstOpen?.resource ?? null, firstOpen ? [...this.stepNeeds(firstOpen.resource)] : [], this.now()],
      ['info', line]
    )
    tx.wake = true
    tx.after.push(() => {
      for (const dir of cleared) rmSync(dir, { recursive: true, force: true })
    })
    return view
  }

  /** Delete a job, its steps, its log and its artifacts. A running job is stopped (its lease goes with its row). */
  async remove(id: string): Promise<void> {
    await this.run(async (tx) => {
      const row = await requireJobRow(tx, id, true)
      await this.deleteIn(tx, row.id)
    })
  }

  private async deleteIn(tx: JobTx, id: string): Promise<void> {
    await tx.query('DELETE FROM jobs WHERE id = $1', [id])
    this.forget(tx, id)
  }

  /** After commit: the job's files go and its removal is announced. */
  private forget(tx: JobTx, id: string): void {
    tx.removed.add(id)
    tx.after.push(() => {
      rmSync(join(this.artifactsRoot, id), { recursive: true, force: true })
      this.events.emit({ type: 'job.removed', jobId: id })
    })
  }

  /** Pausing a queued job holds it; pausing a running one takes effect when its current step ends. */
  pauseJob(id: string): Promise<JobView> {
    return this.run((tx) => this.pauseIn(tx, id))
  }

  private async pauseIn(tx: JobTx, id: string): Promise<JobView> {
    const row = await requireJobRow(tx, id, true)
    const now = this.now()
    if (row.status === 'pending') {
      return this.change(tx, row.id, "UPDATE jobs SET status = 'paused', updated_at = $2 WHERE id = $1", [now], ['info', logEntry('paused')])
    }
    if (row.status === 'processing') {
      return this.change(tx, row.id, 'UPDATE jobs SET pause_requested = TRUE, updated_at = $2 WHERE id = $1', [now], [
        'info',
        logEntry('pausing', { step: row.current_step ?? 'the current step' })
      ])
    }
    throw new QueueError('cannot_pause', `job is ${row.status}; only queued or running jobs can be paused`)
  }

  resumeJob(id: string): Promise<JobView> {
    return this.run((tx) => this.resumeIn(tx, id))
  }

  private async resumeIn(tx: JobTx, id: string): Promise<JobView> {
    const row = await requireJobRow(tx, id, true)
    const now = this.now()
    if (row.status === 'paused') {
      tx.wake = true
      return this.change(tx, row.id, "UPDATE jobs SET status = 'pending', pause_requested = FALSE, updated_at = $2 WHERE id = $1", [now], [
        'info',
        logEntry('resumed')
      ])
    }
    if (row.status === 'processing' && row.pause_requested) {
      return this.change(tx, row.id, 'UPDATE jobs SET pause_requested = FALSE, updated_at = $2 WHERE id = $1', [now], ['info', logEntry('pauseWithdrawn')])
    }
    throw new QueueError('not_paused', `job is ${row.status}, not paused`)
  }

  /** Whole-queue pause, for every machine of the farm: no new job or step starts. */
  async setQueuePaused(paused: boolean): Promise<void> {
    await this.run(async (tx) => {
      await tx.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
        QUEUE_PAUSED_KEY,
        String(paused)
      ])
      tx.paused = paused
      tx.wake = !paused
      tx.after.push(() => this.events.emit({ type: 'queue.changed', paused }))
    })
  }

  /** Delete finished jobs (and their artifacts) older than the given age. Returns how many went. */
  async cleanup(options: { olderThanMs: number; statuses?: JobStatus[] }): Promise<number> {
    const statuses = options.statuses ?? ['completed', 'cancelled']
    for (const s of statuses) {
      if (s !== 'completed' && s !== 'cancelled' && s !== 'failed') {
        throw new QueueError('bad_request', `statuses: cleanup only removes finished jobs, not ${s}`)
      }
    }
    const cutoff = this.now() - options.olderThanMs
    return this.run(async (tx) => {
      const { rows } = await tx.query<{ id: string }>('DELETE FROM jobs WHERE status = ANY($1::text[]) AND completed_at < $2 RETURNING id', [
        statuses,
        cutoff
      ])
      for (const r of rows) this.forget(tx, r.id)
      return rows.length
    })
  }

  // ---------------------------------------------------------------- many jobs at once

  /**
   * The same change to many jobs, in one transaction: each job done or skipped with the reason the
   * single-job command gives, in a savepoint of its own; an unexpected error rolls the whole
   * request back. Events go out once it has committed.
   */
  private applyMany(selection: JobSelection, act: (tx: JobTx, id: string) => Promise<unknown>): Promise<BulkResult> {
    return this.run(async (tx) => {
      const results: BulkOutcome[] = []
      const seen = new Set<string>()
      for (const given of await this.selectIds(tx, selection)) {
        let id = given
        try {
          id = (await requireJobRow(tx, given)).id
          if (seen.has(id)) continue
          seen.add(id)
          await inSavepoint(tx, (child) => act(child, id), (err) => err instanceof QueueError)
          results.push({ id, outcome: 'done' })
        } catch (err) {
          if (!(err instanceof QueueError)) throw err
          results.push({ id, outcome: 'skipped', code: err.code, reason: err.message })
        }
      }
      const done = results.filter((r) => r.outcome === 'done').length
      return { done, skipped: results.length - done, results }
    })
  }

  /** The ids a selection names: as given, or those in the status(es), in queue order. */
  private async selectIds(tx: JobTx, selection: JobSelection): Promise<string[]> {
    if (selection.ids) return selection.ids
    if (!selection.status) throw new QueueError('bad_request', 'give either ids (a list of job ids) or status (a job status or a list of them)')
    const statuses = Array.isArray(selection.status) ? selection.status : [selection.status]
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM jobs WHERE status = ANY($1::text[]) ORDER BY priority, position, seq', [statuses])
    return rows.map((r) => r.id)
  }

  cancelMany(selection: JobSelection): Promise<BulkResult> {
    return this.applyMany(selection, (tx, id) => this.cancelIn(tx, id))
  }

  retryMany(selection: JobSelection): Promise<BulkResult> {
    return this.applyMany(selection, async (tx, id) => {
      const row = await requireJobRow(tx, id, true)
      // A completed job is redone only when a step is named (retry --from); not in bulk.
      if (row.status !== 'failed' && row.status !== 'cancelled') {
        throw new QueueError('not_retryable', `job is ${row.status}; only failed or cancelled jobs are retried`)
      }
      return this.retryIn(tx, row.id, {})
    })
  }

  pauseMany(selection: JobSelection): Promise<BulkResult> {
    return this.applyMany(selection, (tx, id) => this.pauseIn(tx, id))
  }

  resumeMany(selection: JobSelection): Promise<BulkResult> {
    return this.applyMany(selection, (tx, id) => this.resumeIn(tx, id))
  }

  setPriorityMany(selection: JobSelection, priority: number): Promise<BulkResult> {
    return this.applyMany(selection, (tx, id) => this.setPriorityIn(tx, id, priority, true))
  }

  removeMany(selection: JobSelection): Promise<BulkResult> {
    return this.applyMany(selection, (tx, id) => this.deleteIn(tx, id))
  }

  // ---------------------------------------------------------------- helpers

  /** Append a line to a job's log and announce it (nothing when the job is gone). */
  async log(jobId: string, level: LogLine['level'], message: LogMessage, step: string | null = null): Promise<void> {
    await this.run((tx) => this.logIn(tx, jobId, level, message, step))
  }

  private async logIn(tx: JobTx, jobId: string, level: LogLine['level'], message: LogMessage, step: string | null = null): Promise<void> {
    const ts = this.now()
    const { text, code, params } = storedLogMessage(message)
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params)
       SELECT seq, id, $2, $3, $4, $5, $6, $7 FROM jobs WHERE id = $1 RETURNING id`,
      [jobId, ts, level, step, text, code, params]
    )
    // The job is gone (deleted while its worker still had a word to say): nothing to file it under.
    if (!rows[0]) return
    tx.logged.add(jobId)
    if (!this.events.wants('job.log')) return
    const id = Number(rows[0].id)
    const line: LogLine =
      typeof message === 'string'
        ? { id, jobId, ts, level, step, message, code: null, params: null }
        : { id, jobId, ts, level, step, message: logText(message.code, message.params), code: message.code, params: message.params }
    tx.after.push(() => this.events.emit({ type: 'job.log', line }))
  }

  /**
   * One job's change: its log line first (as SQLite files it inside the change), then the update
   * (`set`, whose $1 is the job's id), its new row announced after commit.
   */
  private async change(tx: JobTx, jobId: string, set: string, values: unknown[], line: [LogLine['level'], LogMessage]): Promise<JobView> {
    await this.logIn(tx, jobId, line[0], line[1])
    const { rows } = await tx.query(`${set} RETURNING ${JOB_COLUMNS}`, [jobId, ...values])
    return this.announce(tx, jobRow(rows[0]!))
  }

  /** A job as this machine shows it: its result's paths under this machine's mount of the shared folder. */
  private view(row: JobRow): JobView {
    return localJobView(row, this.dataDir)
  }

  private announce(tx: JobTx, row: JobRow): JobView {
    const job = this.view(row)
    tx.changed.add(row.id)
    tx.after.push(() => this.events.emit({ type: 'job.changed', job }))
    return job
  }

  /** A stored work folder on this machine: relative to the shared data folder (an absolute one is kept as it is). */
  private inDataDir(path: string): string {
    return isAbsolute(path) ? path : join(this.dataDir, path)
  }
}

function refuseWhileProcessing(row: JobRow, what: string): void {
  if (row.status === 'processing') {
    throw new QueueError('processing', `job is being processed; ${what} until it finishes, is paused or is cancelled`)
  }
}
