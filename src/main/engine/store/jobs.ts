import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { EnqueueRequest, JobFilter, MoveDirectionSchema, Priority } from '../../../shared/schemas'
import {
  JOB_STATUSES,
  type JobDetail,
  type JobStatus,
  type JobView,
  type LogLine,
  type MoveDirection,
  type QueueStats
} from '../../../shared/types'
import { QueueError } from '../errors'
import type { EventBus } from '../events'
import type { PipelineRegistry } from '../pipelines/registry'
import { afterCommit, inTransaction, inTransactionFlushedAfter, prep, type Db } from './database'
import type { Awaitable } from './awaitable'
import { parseOrRefuse, prepareEnqueue, storedLogMessage } from './job-requests'
import { BulkInsert } from './bulk-insert'
import { JobIds } from './job-ids'
import { SHORT_ID_LENGTH, SHORT_ID_START } from '../../../shared/job-id'
import { JOB_COST, JOB_COST_UNKNOWN } from './provider-calls'
import { planMove, planPlacement, type MoveOutcome, type QueueSlot } from '../queue/ordering'
import { JOB_ROW, jobDetail, jobView, logLine, STEP_ROW, type JobRow, type LogRow, type StepRow } from './rows'
import { readRows } from './row-reader'
import { logEntry, logText, type LogEntry } from '../../../shared/log-lines'
import { progressOfDoneSteps } from '../../../shared/progress'
import type { BulkOutcome, BulkResult, JobSelection } from '../../../shared/bulk'

const QUEUE_PAUSED_KEY = 'queue.paused'

/** SQL: the row's id is time-ordered (shared/job-id.ts isTimeOrderedJobId). */
const TIME_ORDERED_ID = "(length(id) = 36 AND substr(id, 15, 1) = '7' AND substr(id, 9, 1) = '-')"

export interface QueueOptions {
  db: Db
  events: EventBus
  pipelines: PipelineRegistry<any>
  /** Folder holding each job's artifacts (`<root>/<jobId>/...`), removed with the job. */
  artifactsRoot: string
  now?: () => number
}

/**
 * The user's side of the queue: everything a person can ask of it (the CLI, the window, batches,
 * storyboards). Every operation is one transaction, then one event per changed job, sent once it
 * has committed. Worker-side writes live in the LeaseStore (leases.ts). It takes and returns
 * domain types only (shared/types); rows stay in the store.
 *
 * A second backend: every method reads or writes the database, so on a network backend
 * (PostgreSQL) each returns a Promise of the same value; the bulk operations (`*Many`) keep one
 * transaction per request with a savepoint per job, as here. Enqueue validation (the pipeline's
 * input schema, the plan of steps) is the same for every backend and happens before any write.
 */
export interface JobStore {
  get(id: string): JobDetail | null
  /** Like get, but a missing job is a clear error. Accepts a unique id prefix, as git does. */
  require(id: string): JobView
  list(filter?: JobFilter): JobView[]
  logs(id: string, options?: { afterId?: number; limit?: number }): LogLine[]
  isPaused(): boolean
  stats(): QueueStats
  enqueue(request: EnqueueRequest): JobView
  enqueueMany(requests: readonly EnqueueRequest[]): JobView[]
  setPriority(id: string, priority: number): JobView
  move(id: string, direction: MoveDirection): JobView
  place(id: string, target: { before: string } | { after: string }): JobView
  cancel(id: string): JobView
  retry(id: string, options?: { fromStep?: string }): JobView
  remove(id: string): void
  pauseJob(id: string): JobView
  resumeJob(id: string): JobView
  setQueuePaused(paused: boolean): void
  cleanup(options: { olderThanMs: number; statuses?: JobStatus[] }): number
  cancelMany(selection: JobSelection): BulkResult
  retryMany(selection: JobSelection): BulkResult
  pauseMany(selection: JobSelection): BulkResult
  resumeMany(selection: JobSelection): BulkResult
  setPriorityMany(selection: JobSelection, priority: number): BulkResult
  removeMany(selection: JobSelection): BulkResult
  /** Append a line to a job's log (nothing when the job is gone). */
  log(jobId: string, level: LogLine['level'], message: LogMessage, step?: string | null): void
}

/**
 * The job store as code that serves either backend sees it (the api routers, the shared semantics
 * tests): the same methods as JobStore, each giving its value or a promise of it. PgJobStore's
 * methods return Promises; SqliteJobStore's return values and satisfies it as it is.
 *
 * Why Awaitable rather than wrapping SQLite in Promises: SQLite's store is synchronous on purpose —
 * its speed comes from it, and its transaction rules depend on it (a batch enqueues inside its own
 * transaction, a claim starts its first step in the claim's commit, events go out after commit
 * within the same tick). Its callers inside the engine keep calling it synchronously; code meant for
 * both backends writes `await store.x()`, which costs SQLite one microtask and changes nothing else.
 * Derived from JobStore, so the two faces cannot drift apart. One caution the type cannot give:
 * a method that returns nothing (remove, setQueuePaused, log) must be awaited too, or a network
 * backend's error goes unhandled.
 */
export type AsyncJobStore = {
  [K in keyof JobStore]: (...args: Parameters<JobStore[K]>) => Awaitable<ReturnType<JobStore[K]>>
}

/**
 * The job store on the engine's SQLite file. Its row-level methods (getRow, stepRows, emitRow…)
 * are for the other SQLite stores (leases.ts, external-changes.ts), not part of JobStore.
 */
export class SqliteJobStore implements JobStore {
  readonly db: Db
  private readonly events: EventBus
  private readonly pipelines: PipelineRegistry<any>
  private readonly artifactsRoot: string
  private readonly now: () => number

  constructor(options: QueueOptions) {
    this.db = options.db
    this.events = options.events
    this.pipelines = options.pipelines
    this.artifactsRoot = options.artifactsRoot
    this.now = options.now ?? Date.now
  }

  // ---------------------------------------------------------------- reading

  getRow(id: string): JobRow | undefined {
    return readRows<[string], JobRow>(this.db, 'SELECT * FROM jobs WHERE id = ?', JOB_ROW).get(id)
  }

  /** A job's steps, in order, found by the job's number (their key, migration 16). */
  stepRows(seq: number): StepRow[] {
    return readRows<[number], StepRow>(this.db, 'SELECT * FROM steps WHERE job_seq = ? ORDER BY idx', STEP_ROW).all(seq)
  }

  get(id: string): JobDetail | null {
    const row = this.getRow(id)
    return row ? jobDetail(row, this.stepRows(row.seq)) : null
  }

  require(id: string): JobView {
    return jobView(this.requireRow(id))
  }

  /** Like get, but a missing job is a clear error. Accepts a unique id prefix, as git does. */
  private requireRow(id: string): JobRow {
    const row = this.getRow(id) ?? this.byPrefix(id)
    if (!row) {
      const hint = id.length < 4 ? ' (a short id needs at least 4 of its characters)' : ''
      throw new QueueError('not_found', `no job with id ${id}${hint}`)
    }
    return row
  }

  /**
   * A job by the start of its id or of its short id (shared/job-id.ts): a time-ordered id's short
   * id is its end, so its start names the time of its enqueue, not the job.
   */
  private byPrefix(prefix: string): JobRow | undefined {
    if (prefix.length < 4) return undefined
    // Compared as characters: with LIKE, `%` and `_` were wildcards and `studio rm %%%%` removed a job.
    const rows = readRows<[string, string, number, string, string], JobRow>(
      this.db,
      `SELECT * FROM jobs WHERE substr(id, 1, length(?)) = ?
         OR (? <= ${SHORT_ID_LENGTH} AND ${TIME_ORDERED_ID} AND substr(id, ${SHORT_ID_START + 1}, length(?)) = ?) LIMIT 2`,
      JOB_ROW
    ).all(prefix.toLowerCase(), prefix.toLowerCase(), prefix.length, prefix.toLowerCase(), prefix.toLowerCase())
    if (rows.length > 1) throw new QueueError('ambiguous', `more than one job id starts with ${prefix}; give more characters`)
    return rows[0]
  }

  /**
   * Jobs in the order a person reads a render queue: running first, then the queue in the order
   * it will run, then finished jobs, newest first.
   */
  list(filter: JobFilter = {}): JobView[] {
    const f = parseOrRefuse(JobFilter, filter, 'filter')
    const where: string[] = []
    const params: unknown[] = []
    if (f.status !== undefined) {
      const statuses = Array.isArray(f.status) ? f.status : [f.status]
      where.push(`status IN (${statuses.map(() => '?').join(',')})`)
      params.push(...statuses)
    }
    if (f.type) (where.push('type = ?'), params.push(f.type))
    if (f.projectId) (where.push('project_id = ?'), params.push(f.projectId))
    if (f.batchId) (where.push('batch_id = ?'), params.push(f.batchId))
    if (f.text) {
      // instr, not LIKE: a search for "100%" or "a_b" finds those characters, not a pattern.
      where.push(
        `(instr(lower(title), lower(?)) > 0 OR instr(lower(payload), lower(?)) > 0 OR substr(id, 1, length(?)) = lower(?)
          OR (length(?) <= ${SHORT_ID_LENGTH} AND ${TIME_ORDERED_ID} AND substr(id, ${SHORT_ID_START + 1}, length(?)) = lower(?)))`
      )
      params.push(f.text, f.text, f.text, f.text, f.text, f.text, f.text)
    }
    const sql = `SELECT * FROM jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY CASE status WHEN 'processing' THEN 0 WHEN 'pending' THEN 1 WHEN 'paused' THEN 1 ELSE 2 END,
               CASE WHEN status IN ('pending','paused','processing') THEN priority END,
               CASE WHEN status IN ('pending','paused','processing') THEN position END,
               completed_at DESC, created_at DESC, seq DESC
      LIMIT ? OFFSET ?`
    return readRows<unknown[], JobRow>(this.db, sql, JOB_ROW)
      .all(...params, f.limit, f.offset)
      .map(jobView)
  }

  logs(id: string, options: { afterId?: number; limit?: number } = {}): LogLine[] {
    const job = this.requireRow(id)
    return prep<[number, number, number], LogRow>(this.db, 'SELECT * FROM job_logs WHERE job_seq = ? AND id > ? ORDER BY id LIMIT ?')
      .all(job.seq, options.afterId ?? 0, options.limit ?? 10_000)
      .map(logLine)
  }

  isPaused(): boolean {
    const row = prep<[string], { value: string }>(this.db, 'SELECT value FROM settings WHERE key = ?').get(QUEUE_PAUSED_KEY)
    return row?.value === 'true'
  }

  stats(): QueueStats {
    const now = this.now()
    const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>
    const byType: QueueStats['byType'] = {}
    let total = 0
    for (const r of prep<[], { type: string; status: JobStatus; n: number }>(this.db, 'SELECT type, status, COUNT(*) AS n FROM jobs GROUP BY type, status')
      .all()) {
      byStatus[r.status] += r.n
      total += r.n
      ;(byType[r.type] ??= {})[r.status] = r.n
    }
    const waiting = prep<[number], { n: number }>(this.db, 
        "SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending' AND (waiting_reason IS NOT NULL OR run_after > ?)"
      )
      .get(now)!.n
    const avgDurationMsByType: Record<string, number> = {}
    for (const r of prep<[], { type: string; avg: number }>(this.db, 
        "SELECT type, AVG(actual_duration_ms) AS avg FROM jobs WHERE status = 'completed' AND actual_duration_ms IS NOT NULL GROUP BY type"
      )
      .all()) {
      avgDurationMsByType[r.type] = Math.round(r.avg)
    }
    const finished = prep<[number], { done: number; failed: number }>(this.db, 
        `SELECT COALESCE(SUM(status = 'completed'), 0) AS done, COALESCE(SUM(status = 'failed'), 0) AS failed
         FROM jobs WHERE completed_at >= ? AND status IN ('completed','failed')`
      )
      .get(now - 24 * 3600_000)!
    const finished24h = finished.done + finished.failed
    return {
      total,
      byStatus,
      waiting,
      byType,
      avgDurationMsByType,
      successRate24h: finished24h ? finished.done / finished24h : null,
      finished24h,
      paused: this.isPaused()
    }
  }

  // ---------------------------------------------------------------- enqueue

  enqueue(request: EnqueueRequest): JobView {
    return this.enqueueMany([request])[0]!
  }

  /**
   * Enqueue several jobs in one transaction: all of them or, on a bad one, none (the error names
   * it). The rows are not read back: what they hold is what was inserted, plus the columns'
   * defaults (migrations 1 and 4), so the views are built from that.
   */
  enqueueMany(requests: readonly EnqueueRequest[]): JobView[] {
    const prepared = requests.map((req, i) => this.prepareEnqueue(req, requests.length > 1 ? `jobs[${i}].` : ''))
    const now = this.now()
    // Positional parameters: binding thirteen named ones from an object cost more than the insert.
    // Many rows per statement (BulkInsert): per job, three statements cost more than their rows.
    const insertAll = () => {
      const jobs = new BulkInsert(
        this.db,
        `INSERT INTO jobs (id, seq, project_id, type, title, payload, status, priority, position, max_retries,
                           next_resource, batch_id, estimated_duration_ms, created_at, updated_at) VALUES`,
        "(?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)"
      )
      const steps = new BulkInsert(this.db, 'INSERT INTO steps (job_seq, idx, job_id, name, title, resource, status) VALUES', "(?, ?, ?, ?, ?, ?, 'pending')")
      const logs = new BulkInsert(
        this.db,
        'INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params) VALUES',
        "(?, ?, ?, 'info', NULL, '', 'queued', ?)"
      )
      let { position, seq } = prep<[], { position: number; seq: number }>(
        this.db,
        'SELECT IFNULL(MAX(position), 0) AS position, (SELECT IFNULL(MAX(seq), 0) FROM jobs) AS seq FROM jobs'
      ).get()!
      // Time-ordered ids (job-ids.ts): appended to the id index, where random UUIDs each took an
      // out-of-order insert.
      const ids = new JobIds(now)
      const views: JobView[] = new Array(prepared.length)
      for (let i = 0; i < prepared.length; i++) {
        const p = prepared[i]!
        position += 1
        seq += 1
        const id = ids.next(seq)
        let estimate = 0
        for (const s of p.steps) estimate += s.estimateMs
        const { projectId, type, priority, maxRetries, batchId } = p
        const nextResource = p.steps[0]!.resource
        jobs.values.push(id, seq, projectId, type, p.title, p.payload, priority, position, maxRetries, nextResource, batchId, estimate, now, now)
        jobs.added()
        for (let idx = 0; idx < p.steps.length; idx++) {
          const s = p.steps[idx]!
          steps.values.push(seq, idx, id, s.name, s.title, s.resource)
          steps.added()
        }
        logs.values.push(seq, id, now, queuedParams(priority))
        logs.added()
        // The view of the row as inserted plus the columns' defaults (migrations 1 and 4), as
        // jobView would read it back; one literal, every field (a spread made a slow object).
        views[i] = {
          id,
          projectId,
          type,
          title: p.title,
          payload: JSON.parse(p.payload) as Record<string, unknown>,
          status: 'pending',
          progress: 0,
          currentStep: null,
          result: null,
          error: null,
          priority,
          position,
          retryCount: 0,
          maxRetries,
          waitingReason: null,
          runAfter: 0,
          pauseRequested: false,
          batchId,
          estimatedDurationMs: estimate,
          actualDurationMs: null,
          costUsd: 0,
          costKnown: true,
          createdAt: now,
          startedAt: null,
          completedAt: null,
          updatedAt: now
        }
      }
      jobs.flush()
      steps.flush()
      logs.flush()
      return views
    }
    // Fsynced after its commit, off the thread, as a paid step's checkpoint is: the caller does
    // not wait for the disk (a bulk enqueue did, for most of its time on a busy disk), a crash
    // loses nothing, and the engine's close waits for the flush. Inside a caller's transaction
    // (a batch marking its rows queued), the jobs commit with it.
    const views = this.db.inTransaction ? inTransaction(this.db, insertAll) : inTransactionFlushedAfter(this.db, insertAll).value
    // One event per job, built only when someone takes them (the window, the CLI's printer, a
    // running pool): a script or a bench enqueuing into an engine nobody watches skips them.
    if (this.events.wants('job.changed')) {
      afterCommit(this.db, () => {
        for (const job of views) this.events.emit({ type: 'job.changed', job })
      })
    }
    return views
  }

  private prepareEnqueue(raw: EnqueueRequest, prefix: string) {
    const { req, title, payload, steps } = prepareEnqueue(this.pipelines, raw, prefix)
    // Flat, without the request: what a bulk enqueue keeps of each job until it writes them
    // (the request and its input copies die young instead of being moved to the old heap).
    return {
      projectId: req.projectId,
      type: req.type,
      priority: req.priority,
      maxRetries: req.maxRetries,
      batchId: req.batchId ?? null,
      title,
      payload,
      steps
    }
  }

  // ---------------------------------------------------------------- ordering

  setPriority(id: string, priority: number): JobView {
    const p = parseOrRefuse(Priority, priority, 'priority')
    const row = this.requireRow(id)
    this.refuseWhileProcessing(row, 'its priority cannot be changed')
    if (row.status === 'completed') throw new QueueError('finished', 'job is already completed; its priority no longer matters')
    return this.mutate(row.id, () => {
      prep(this.db, 'UPDATE jobs SET priority = ?, updated_at = ? WHERE id = ?').run(p, this.now(), row.id)
      this.log(row.id, 'info', logEntry('prioritySet', { priority: p }))
    })
  }

  move(id: string, direction: MoveDirection): JobView {
    const dir = parseOrRefuse(MoveDirectionSchema, direction, 'direction')
    return this.reorder(id, (queued, jobId) => planMove(queued, jobId, dir), (change) =>
      change ? logEntry('movedPriority', { direction: dir, ...change }) : logEntry('moved', { direction: dir })
    )
  }

  /** Drop a job right before or after another queued job, in one step (the end of a drag). */
  place(id: string, target: { before: string } | { after: string }): JobView {
    const anchorId = 'before' in target ? target.before : target.after
    const anchor = this.requireRow(anchorId)
    if (anchor.status !== 'pending' && anchor.status !== 'paused') {
      throw new QueueError('not_queued', `the job to place it next to is ${anchor.status}; only queued jobs can be reordered`)
    }
    const before = 'before' in target
    return this.reorder(id, (queued, jobId) => planPlacement(queued, jobId, anchor.id, before), (change) =>
      change
        ? logEntry(before ? 'placedBeforePriority' : 'placedAfterPriority', { title: anchor.title, ...change })
        : logEntry(before ? 'placedBefore' : 'placedAfter', { title: anchor.title })
    )
  }

  /**
   * One reordering, in one transaction: only queued jobs move, never one being processed. The
   * log line says when the move changed the job's priority (`message` gets the change).
   */
  private reorder(
    id: string,
    plan: (queued: QueueSlot[], jobId: string) => MoveOutcome,
    message: (priority: { was: number; priority: number } | null) => LogMessage
  ): JobView {
    const row = this.requireRow(id)
    this.refuseWhileProcessing(row, 'it cannot be reordered')
    if (row.status !== 'pending' && row.status !== 'paused') {
      throw new QueueError('not_queued', `job is ${row.status}; only queued jobs can be reordered`)
    }
    const changed: string[] = []
    inTransaction(this.db, () => {
      const queued = prep<[], QueueSlot>(
        this.db,
        "SELECT id, priority, position FROM jobs WHERE status IN ('pending','paused') ORDER BY priority, position"
      ).all()
      const outcome = plan(queued, row.id)
      if (!outcome.ok) {
        const where = outcome.reason === 'first' ? 'already first in the queue' : outcome.reason === 'last' ? 'already last in the queue' : 'no longer queued'
        throw new QueueError('cannot_move', `job is ${where}`)
      }
      const update = prep(this.db, 'UPDATE jobs SET priority = ?, position = ?, updated_at = ? WHERE id = ?')
      const now = this.now()
      for (const u of outcome.updates) {
        update.run(u.priority, u.position, now, u.id)
        changed.push(u.id)
      }
      const moved = outcome.updates.find((u) => u.id === row.id)
      this.log(row.id, 'info', message(moved && moved.priority !== row.priority ? { was: row.priority, priority: moved.priority } : null))
    })
    for (const jobId of changed) this.emitChanged(jobId)
    return jobView(this.getRow(row.id)!)
  }


  // ---------------------------------------------------------------- lifecycle

  /**
   * A queued job is cancelled at once. A running one too: its lease is revoked in the same
   * transaction, which is what stops its worker (abort signal in this process, a failed
   * lease renewal in another) — and no later step can start, since every worker write is fenced.
   */
  cancel(id: string): JobView {
    const row = this.requireRow(id)
    if (row.status === 'completed' || row.status === 'failed' || row.status === 'cancelled') {
      throw new QueueError('finished', `job is already ${row.status}; nothing to cancel`)
    }
    return this.mutate(row.id, () => {
      const now = this.now()
      prep(this.db, 
          `UPDATE jobs SET status = 'cancelled', error = NULL, completed_at = ?, updated_at = ?, lease_token = NULL,
             lease_owner = NULL, lease_expires_at = NULL, waiting_reason = NULL, waiting_provider = NULL, pause_requested = 0
           WHERE id = ?`
        )
        .run(now, now, row.id)
      prep(this.db, "UPDATE steps SET status = 'cancelled' WHERE job_seq = ? AND status = 'running'").run(row.seq)
      this.log(row.id, 'warn', row.status === 'processing' ? logEntry('cancelledWhileRunning', { step: row.current_step ?? 'a step' }) : logEntry('cancelled'))
    })
  }

  /**
   * Put a failed or cancelled job back in the queue. By default it resumes at its first unfinished
   * step and finished steps are kept (never paid for twice). `fromStep` clears that step and every
   * step after it, including their artifacts — also allowed on a completed job, to redo its end.
   */
  retry(id: string, options: { fromStep?: string } = {}): JobView {
    const row = this.requireRow(id)
    if (row.status === 'pending' || row.status === 'processing' || row.status === 'paused') {
      throw new QueueError('not_finished', `job is ${row.status}; only failed, cancelled or completed jobs can be retried`)
    }
    const steps = this.stepRows(row.seq)
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
    const cleared = steps.filter((s) => s.idx >= from && s.work_dir).map((s) => s.work_dir!)
    const view = this.mutate(row.id, () => {
      const now = this.now()
      prep(this.db, 
          `UPDATE steps SET status = 'pending', attempts = 0, progress = 0, error = NULL,
             output = CASE WHEN idx >= @clearFrom THEN NULL ELSE output END,
             files = CASE WHEN idx >= @clearFrom THEN NULL ELSE files END,
             work_dir = CASE WHEN idx >= @clearFrom THEN NULL ELSE work_dir END,
             cost_usd = CASE WHEN idx >= @clearFrom THEN NULL ELSE cost_usd END,
             provider = CASE WHEN idx >= @clearFrom THEN NULL ELSE provider END,
             fallback = CASE WHEN idx >= @clearFrom THEN 0 ELSE fallback END,
             started_at = NULL, completed_at = NULL, duration_ms = NULL
           WHERE job_seq = @seq AND (idx >= @clearFrom OR status != 'completed')`
        )
        .run({ seq: row.seq, clearFrom: options.fromStep !== undefined ? from : steps.length })
      const done = prep<[number], { n: number }>(this.db, "SELECT COUNT(*) AS n FROM steps WHERE job_seq = ? AND status = 'completed'")
        .get(row.seq)!.n
      const firstOpen = prep<[number], { resource: string }>(this.db, "SELECT resource FROM steps WHERE job_seq = ? AND status != 'completed' ORDER BY idx LIMIT 1")
        .get(row.seq)
      prep(this.db, 
          `UPDATE jobs SET status = 'pending', error = NULL, result = NULL, completed_at = NULL, actual_duration_ms = NULL,
             -- A new run: "started" is when it starts, not when the first one did.
             started_at = NULL, run_after = 0, waiting_reason = NULL, waiting_provider = NULL, pause_requested = 0, current_step = NULL,
             progress = @progress, next_resource = @resource, updated_at = @now,
             -- The steps redone no longer count: the cost is what the kept ones cost.
             cost_usd = ${JOB_COST}, cost_unknown = ${JOB_COST_UNKNOWN}
           WHERE id = @jobId`
        )
        .run({ progress: progressOfDoneSteps(steps.length, done), resource: firstOpen?.resource ?? null, now, jobId: row.id })
      const fromName = steps[from]?.name ?? 'the start'
      // Redoing from a late step still runs first any earlier one that never finished: said so.
      const resume = steps.find((st) => st.idx < from && st.status !== 'completed')
      const line =
        options.fromStep === undefined
          ? logEntry('retryResumes', { step: fromName })
          : resume
            ? logEntry('retryFromResumesEarlier', { step: fromName, resume: resume.name })
            : logEntry('retryFrom', { step: fromName })
      this.log(row.id, 'info', line)
    })
    for (const dir of cleared) rmSync(dir, { recursive: true, force: true })
    return view
  }

  /** Delete a job, its steps, its log and its artifacts. A running job is stopped first (lease revoked). */
  remove(id: string): void {
    const row = this.requireRow(id)
    prep(this.db, 'DELETE FROM jobs WHERE id = ?').run(row.id)
    rmSync(join(this.artifactsRoot, row.id), { recursive: true, force: true })
    this.events.emit({ type: 'job.removed', jobId: row.id })
  }

  /** Pausing a queued job holds it; pausing a running one takes effect when its current step ends (a paid call is never thrown away). */
  pauseJob(id: string): JobView {
    const row = this.requireRow(id)
    if (row.status === 'pending') {
      return this.mutate(row.id, () => {
        prep(this.db, "UPDATE jobs SET status = 'paused', updated_at = ? WHERE id = ?").run(this.now(), row.id)
        this.log(row.id, 'info', logEntry('paused'))
      })
    }
    if (row.status === 'processing') {
      return this.mutate(row.id, () => {
        prep(this.db, 'UPDATE jobs SET pause_requested = 1, updated_at = ? WHERE id = ?').run(this.now(), row.id)
        this.log(row.id, 'info', logEntry('pausing', { step: row.current_step ?? 'the current step' }))
      })
    }
    throw new QueueError('cannot_pause', `job is ${row.status}; only queued or running jobs can be paused`)
  }

  resumeJob(id: string): JobView {
    const row = this.requireRow(id)
    if (row.status === 'paused') {
      return this.mutate(row.id, () => {
        prep(this.db, "UPDATE jobs SET status = 'pending', pause_requested = 0, updated_at = ? WHERE id = ?").run(this.now(), row.id)
        this.log(row.id, 'info', logEntry('resumed'))
      })
    }
    if (row.status === 'processing' && row.pause_requested) {
      return this.mutate(row.id, () => {
        prep(this.db, 'UPDATE jobs SET pause_requested = 0, updated_at = ? WHERE id = ?').run(this.now(), row.id)
        this.log(row.id, 'info', logEntry('pauseWithdrawn'))
      })
    }
    throw new QueueError('not_paused', `job is ${row.status}, not paused`)
  }

  /** Whole-queue pause: no new job or step starts; running steps finish and their jobs wait in the queue. */
  setQueuePaused(paused: boolean): void {
    prep(this.db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(QUEUE_PAUSED_KEY, String(paused))
    this.events.emit({ type: 'queue.changed', paused })
  }

  /** Delete finished jobs (and their artifacts) older than the given age. Returns how many went. */
  cleanup(options: { olderThanMs: number; statuses?: JobStatus[] }): number {
    const statuses = options.statuses ?? ['completed', 'cancelled']
    for (const s of statuses) {
      if (s !== 'completed' && s !== 'cancelled' && s !== 'failed') {
        throw new QueueError('bad_request', `statuses: cleanup only removes finished jobs, not ${s}`)
      }
    }
    const cutoff = this.now() - options.olderThanMs
    const ids = prep<unknown[], { id: string }>(this.db, 
        `SELECT id FROM jobs WHERE status IN (${statuses.map(() => '?').join(',')}) AND completed_at < ?`
      )
      .all(...statuses, cutoff)
      .map((r) => r.id)
    inTransaction(this.db, () => {
      const del = prep(this.db, 'DELETE FROM jobs WHERE id = ?')
      for (const id of ids) del.run(id)
    })
    for (const id of ids) {
      rmSync(join(this.artifactsRoot, id), { recursive: true, force: true })
      this.events.emit({ type: 'job.removed', jobId: id })
    }
    return ids.length
  }

  // ---------------------------------------------------------------- many jobs at once

  /**
   * The same change to many jobs, in one transaction: each job is done or skipped with the reason
   * the single-job command would give (already finished, being processed…); an unexpected error
   * rolls the whole request back. Events go out once it has committed.
   */
  private applyMany(selection: JobSelection, act: (id: string) => void): BulkResult {
    const results: BulkOutcome[] = []
    const seen = new Set<string>()
    inTransaction(this.db, () => {
      for (const given of this.selectIds(selection)) {
        let id = given
        try {
          id = this.requireRow(given).id
          if (seen.has(id)) continue
          seen.add(id)
          // Each job in its own savepoint: one refused half-way leaves nothing behind.
          inTransaction(this.db, () => act(id))
          results.push({ id, outcome: 'done' })
        } catch (err) {
          if (!(err instanceof QueueError)) throw err
          results.push({ id, outcome: 'skipped', code: err.code, reason: err.message })
        }
      }
    })
    const done = results.filter((r) => r.outcome === 'done').length
    return { done, skipped: results.length - done, results }
  }

  /** The ids a selection names: as given (each resolved by the single-job lookup), or those in the status(es), in queue order. */
  private selectIds(selection: JobSelection): string[] {
    if (selection.ids) return selection.ids
    if (!selection.status) throw new QueueError('bad_request', 'give either ids (a list of job ids) or status (a job status or a list of them)')
    const statuses = Array.isArray(selection.status) ? selection.status : [selection.status]
    return prep<unknown[], { id: string }>(
      this.db,
      `SELECT id FROM jobs WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY priority, position`
    )
      .all(...statuses)
      .map((r) => r.id)
  }

  cancelMany(selection: JobSelection): BulkResult {
    return this.applyMany(selection, (id) => void this.cancel(id))
  }

  retryMany(selection: JobSelection): BulkResult {
    return this.applyMany(selection, (id) => {
      const row = this.requireRow(id)
      // A completed job is redone only when a step is named (retry --from); not in bulk.
      if (row.status !== 'failed' && row.status !== 'cancelled') {
        throw new QueueError('not_retryable', `job is ${row.status}; only failed or cancelled jobs are retried`)
      }
      this.retry(row.id)
    })
  }

  pauseMany(selection: JobSelection): BulkResult {
    return this.applyMany(selection, (id) => void this.pauseJob(id))
  }

  resumeMany(selection: JobSelection): BulkResult {
    return this.applyMany(selection, (id) => void this.resumeJob(id))
  }

  setPriorityMany(selection: JobSelection, priority: number): BulkResult {
    return this.applyMany(selection, (id) => {
      const row = this.requireRow(id)
      if (row.priority === priority) throw new QueueError('unchanged', `job already has priority ${priority}`)
      this.setPriority(row.id, priority)
    })
  }

  /** Delete many jobs (a running one is stopped: its lease goes with its row); files and events once committed. */
  removeMany(selection: JobSelection): BulkResult {
    const gone: string[] = []
    const result = this.applyMany(selection, (id) => {
      prep(this.db, 'DELETE FROM jobs WHERE id = ?').run(id)
      gone.push(id)
    })
    for (const id of gone) {
      rmSync(join(this.artifactsRoot, id), { recursive: true, force: true })
      this.events.emit({ type: 'job.removed', jobId: id })
    }
    return result
  }

  // ---------------------------------------------------------------- helpers

  /** Append a log line (inside the caller's transaction when there is one) and announce it. */
  log(jobId: string, level: LogLine['level'], message: LogMessage, step: string | null = null): void {
    const ts = this.now()
    const { text, code, params } = storedLogMessage(message)
    const info = prep(
      this.db,
      'INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params) SELECT seq, id, ?, ?, ?, ?, ?, ? FROM jobs WHERE id = ?'
    ).run(ts, level, step, text, code, params, jobId)
    // The job is gone (deleted while its worker still had a word to say): nothing to file it under.
    if (info.changes === 0) return
    this.announceLine(Number(info.lastInsertRowid), jobId, ts, level, step, message)
  }

  /**
   * A line for a job known to exist, by its number (a worker holding its lease, in the transaction
   * that checked it): no lookup of the number by id.
   */
  logFiled(seq: number, jobId: string, level: LogLine['level'], message: LogMessage, step: string | null): void {
    const ts = this.now()
    const { text, code, params } = storedLogMessage(message)
    const info = prep(this.db, 'INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(seq, jobId, ts, level, step, text, code, params)
    this.announceLine(Number(info.lastInsertRowid), jobId, ts, level, step, message)
  }

  /** A stored line goes out once its transaction has committed (never if it rolls back). */
  private announceLine(id: number, jobId: string, ts: number, level: LogLine['level'], step: string | null, message: LogMessage): void {
    // Nobody takes log lines (the pool alone, a CLI run without a log): none is built.
    if (!this.events.wants('job.log')) return
    afterCommit(this.db, () => {
      const line: LogLine =
        typeof message === 'string'
          ? { id, jobId, ts, level, step, message, code: null, params: null }
          : { id, jobId, ts, level, step, message: logText(message.code, message.params), code: message.code, params: message.params }
      this.events.emit({ type: 'job.log', line })
    })
  }

  /** Run a change in one transaction, then announce the job and its new log lines. */
  mutate(jobId: string, change: () => void): JobView {
    inTransaction(this.db, change)
    return this.emitChanged(jobId)
  }

  emitChanged(jobId: string): JobView {
    return this.emitRow(this.getRow(jobId)!)
  }

  /** Announce a row the caller already has (RETURNING *): no second read. */
  emitRow(row: JobRow): JobView {
    return this.emitView(jobView(row))
  }

  /** Announce a view the caller built from what its statement returned (see VIEW_COLUMNS). */
  emitView(job: JobView): JobView {
    afterCommit(this.db, () => this.events.emit({ type: 'job.changed', job }))
    return job
  }

  private refuseWhileProcessing(row: JobRow, what: string): void {
    if (row.status === 'processing') {
      throw new QueueError('processing', `job is being processed; ${what} until it finishes, is paused or is cancelled`)
    }
  }
}

/** The enqueue log line's values for each priority, made once (one JSON.stringify per job showed). */
const QUEUED_PARAMS = new Map<number, string>()
function queuedParams(priority: number): string {
  let params = QUEUED_PARAMS.get(priority)
  if (params === undefined) QUEUED_PARAMS.set(priority, (params = JSON.stringify({ priority })))
  return params
}

/** What a log line is given as: free text, or an engine template with its values. */
export type LogMessage = string | LogEntry

