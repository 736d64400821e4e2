import type { JobDetail, JobStatus, JobView, JsonValue, LogLine, StepStatus, StepView } from '../../../shared/types'
import type { RowBuilder } from './row-reader'
import { isLogLineCode, logText, parseLogLine, type LogLineParams } from '../../../shared/log-lines'

/** A `jobs` row exactly as SQLite returns it. */
export interface JobRow {
  id: string
  /** The job's number in queueing order (never changes): files its log lines. */
  seq: number
  project_id: string
  type: string
  title: string
  payload: string
  status: JobStatus
  progress: number
  current_step: string | null
  result: string | null
  error: string | null
  priority: number
  position: number
  retry_count: number
  max_retries: number
  next_resource: string | null
  run_after: number
  waiting_reason: string | null
  waiting_provider: string | null
  pause_requested: number
  lease_token: string | null
  lease_owner: string | null
  lease_expires_at: number | null
  batch_id: string | null
  estimated_duration_ms: number | null
  actual_duration_ms: number | null
  cost_usd: number
  /** 1 when a finished step's price was unknown: cost_usd is a lower bound. */
  cost_unknown: number
  created_at: number
  started_at: number | null
  completed_at: number | null
  updated_at: number
}

export interface StepRow {
  job_seq: number
  job_id: string
  idx: number
  name: string
  title: string
  resource: string
  status: StepStatus
  attempts: number
  progress: number
  output: string | null
  files: string | null
  work_dir: string | null
  error: string | null
  cost_usd: number | null
  provider: string | null
  fallback: number
  started_at: number | null
  completed_at: number | null
  duration_ms: number | null
}

/** Builds JobRows from `SELECT *` / `RETURNING *` of jobs (see readRows). */
export const JOB_ROW: RowBuilder<JobRow> = (at) => {
  const c: Record<keyof JobRow, number> = {
    id: at('id'),
    seq: at('seq'),
    project_id: at('project_id'),
    type: at('type'),
    title: at('title'),
    payload: at('payload'),
    status: at('status'),
    progress: at('progress'),
    current_step: at('current_step'),
    result: at('result'),
    error: at('error'),
    priority: at('priority'),
    position: at('position'),
    retry_count: at('retry_count'),
    max_retries: at('max_retries'),
    next_resource: at('next_resource'),
    run_after: at('run_after'),
    waiting_reason: at('waiting_reason'),
    waiting_provider: at('waiting_provider'),
    pause_requested: at('pause_requested'),
    lease_token: at('lease_token'),
    lease_owner: at('lease_owner'),
    lease_expires_at: at('lease_expires_at'),
    batch_id: at('batch_id'),
    estimated_duration_ms: at('estimated_duration_ms'),
    actual_duration_ms: at('actual_duration_ms'),
    cost_usd: at('cost_usd'),
    cost_unknown: at('cost_unknown'),
    created_at: at('created_at'),
    started_at: at('started_at'),
    completed_at: at('completed_at'),
    updated_at: at('updated_at')
  }
  return (r) => ({
    id: r[c.id] as string,
    seq: r[c.seq] as number,
    project_id: r[c.project_id] as string,
    type: r[c.type] as string,
    title: r[c.title] as string,
    payload: r[c.payload] as string,
    status: r[c.status] as JobStatus,
    progress: r[c.progress] as number,
    current_step: r[c.current_step] as string | null,
    result: r[c.result] as string | null,
    error: r[c.error] as string | null,
    priority: r[c.priority] as number,
    position: r[c.position] as number,
    retry_count: r[c.retry_count] as number,
    max_retries: r[c.max_retries] as number,
    next_resource: r[c.next_resource] as string | null,
    run_after: r[c.run_after] as number,
    waiting_reason: r[c.waiting_reason] as string | null,
    waiting_provider: r[c.waiting_provider] as string | null,
    pause_requested: r[c.pause_requested] as number,
    lease_token: r[c.lease_token] as string | null,
    lease_owner: r[c.lease_owner] as string | null,
    lease_expires_at: r[c.lease_expires_at] as number | null,
    batch_id: r[c.batch_id] as string | null,
    estimated_duration_ms: r[c.estimated_duration_ms] as number | null,
    actual_duration_ms: r[c.actual_duration_ms] as number | null,
    cost_usd: r[c.cost_usd] as number,
    cost_unknown: r[c.cost_unknown] as number,
    created_at: r[c.created_at] as number,
    started_at: r[c.started_at] as number | null,
    completed_at: r[c.completed_at] as number | null,
    updated_at: r[c.updated_at] as number
  })
}

/** A claim's `RETURNING rowid AS row_id, *`: the job's row and where it is stored. */
export const CLAIMED_ROW: RowBuilder<{ row: number; job: JobRow }> = (at) => {
  const rowAt = at('row_id')
  const job = JOB_ROW(at)
  return (r) => ({ row: r[rowAt] as number, job: job(r) })
}

/**
 * The columns a JobView is made of, but its payload. A claim and a worker's write name them in
 * their RETURNING instead of `*`: SQLite copies each returned value into a temporary table and
 * then into JavaScript, and the lease and routing columns (token, owner, expiry, next resource,
 * waiting provider) were read back on every claim and checkpoint for nothing. The payload, fixed
 * at enqueue, is read once per claim (see JOB_VIEW and SqliteLeaseStore).
 */
export const VIEW_COLUMNS =
  'id, project_id, type, title, status, progress, current_step, result, error, priority, position, retry_count, max_retries, ' +
  'waiting_reason, run_after, pause_requested, batch_id, estimated_duration_ms, actual_duration_ms, cost_usd, cost_unknown, ' +
  'created_at, started_at, completed_at, updated_at'

/**
 * Builds a JobView straight from VIEW_COLUMNS (no JobRow in between), its payload parsed from
 * `payload` text the caller gives: the column when the statement returns it, or the text a claim
 * read before. Same literal shape as jobView's.
 */
export const JOB_VIEW: RowBuilder<(payload: string) => JobView> = (at) => {
  const c = {
    id: at('id'),
    project_id: at('project_id'),
    type: at('type'),
    title: at('title'),
    status: at('status'),
    progress: at('progress'),
    current_step: at('current_step'),
    result: at('result'),
    error: at('error'),
    priority: at('priority'),
    position: at('position'),
    retry_count: at('retry_count'),
    max_retries: at('max_retries'),
    waiting_reason: at('waiting_reason'),
    run_after: at('run_after'),
    pause_requested: at('pause_requested'),
    batch_id: at('batch_id'),
    estimated_duration_ms: at('estimated_duration_ms'),
    actual_duration_ms: at('actual_duration_ms'),
    cost_usd: at('cost_usd'),
    cost_unknown: at('cost_unknown'),
    created_at: at('created_at'),
    started_at: at('started_at'),
    completed_at: at('completed_at'),
    updated_at: at('updated_at')
  }
  return (r) => (payload) => ({
    id: r[c.id] as string,
    projectId: r[c.project_id] as string,
    type: r[c.type] as string,
    title: r[c.title] as string,
    payload: parseJson<Record<string, unknown>>(payload) ?? {},
    status: r[c.status] as JobStatus,
    progress: r[c.progress] as number,
    currentStep: r[c.current_step] as string | null,
    result: parseJson(r[c.result] as string | null),
    error: r[c.error] as string | null,
    priority: r[c.priority] as number,
    position: r[c.position] as number,
    retryCount: r[c.retry_count] as number,
    maxRetries: r[c.max_retries] as number,
    waitingReason: r[c.waiting_reason] as string | null,
    runAfter: r[c.run_after] as number,
    pauseRequested: r[c.pause_requested] === 1,
    batchId: r[c.batch_id] as string | null,
    estimatedDurationMs: r[c.estimated_duration_ms] as number | null,
    actualDurationMs: r[c.actual_duration_ms] as number | null,
    costUsd: r[c.cost_usd] as number,
    costKnown: r[c.cost_unknown] !== 1,
    createdAt: r[c.created_at] as number,
    startedAt: r[c.started_at] as number | null,
    completedAt: r[c.completed_at] as number | null,
    updatedAt: r[c.updated_at] as number
  })
}

/** A claim's `RETURNING rowid AS row_id, seq, payload, VIEW_COLUMNS`: where the job is, its number, payload and view. */
export const CLAIMED_VIEW: RowBuilder<{ row: number; seq: number; payload: string; view: JobView }> = (at) => {
  const rowAt = at('row_id')
  const seqAt = at('seq')
  const payloadAt = at('payload')
  const view = JOB_VIEW(at)
  return (r) => {
    const payload = r[payloadAt] as string
    return { row: r[rowAt] as number, seq: r[seqAt] as number, payload, view: view(r)(payload) }
  }
}

/** Builds StepRows from `SELECT *` of steps (see readRows). */
export const STEP_ROW: RowBuilder<StepRow> = (at) => {
  const c: Record<keyof StepRow, number> = {
    job_seq: at('job_seq'),
    job_id: at('job_id'),
    idx: at('idx'),
    name: at('name'),
    title: at('title'),
    resource: at('resource'),
    status: at('status'),
    attempts: at('attempts'),
    progress: at('progress'),
    output: at('output'),
    files: at('files'),
    work_dir: at('work_dir'),
    error: at('error'),
    cost_usd: at('cost_usd'),
    provider: at('provider'),
    fallback: at('fallback'),
    started_at: at('started_at'),
    completed_at: at('completed_at'),
    duration_ms: at('duration_ms')
  }
  return (r) => ({
    job_seq: r[c.job_seq] as number,
    job_id: r[c.job_id] as string,
    idx: r[c.idx] as number,
    name: r[c.name] as string,
    title: r[c.title] as string,
    resource: r[c.resource] as string,
    status: r[c.status] as StepStatus,
    attempts: r[c.attempts] as number,
    progress: r[c.progress] as number,
    output: r[c.output] as string | null,
    files: r[c.files] as string | null,
    work_dir: r[c.work_dir] as string | null,
    error: r[c.error] as string | null,
    cost_usd: r[c.cost_usd] as number | null,
    provider: r[c.provider] as string | null,
    fallback: r[c.fallback] as number,
    started_at: r[c.started_at] as number | null,
    completed_at: r[c.completed_at] as number | null,
    duration_ms: r[c.duration_ms] as number | null
  })
}

export interface LogRow {
  id: number
  job_seq: number
  job_id: string
  ts: number
  level: LogLine['level']
  step: string | null
  /** Empty for a line stored as a code (since schema 15); the English text for free text and older lines. */
  message: string
  code: string | null
  /** The code's values as a JSON object. */
  params: string | null
}

export function parseJson<T = JsonValue>(text: string | null): T | null {
  if (text === null) return null
  return JSON.parse(text) as T
}

export function jobView(row: JobRow): JobView {
  return {
    id: row.id,
    projectId: row.project_id,
    type: row.type,
    title: row.title,
    payload: parseJson<Record<string, unknown>>(row.payload) ?? {},
    status: row.status,
    progress: row.progress,
    currentStep: row.current_step,
    result: parseJson(row.result),
    error: row.error,
    priority: row.priority,
    position: row.position,
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
    waitingReason: row.waiting_reason,
    runAfter: row.run_after,
    pauseRequested: row.pause_requested === 1,
    batchId: row.batch_id,
    estimatedDurationMs: row.estimated_duration_ms,
    actualDurationMs: row.actual_duration_ms,
    costUsd: row.cost_usd,
    costKnown: row.cost_unknown !== 1,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    updatedAt: row.updated_at
  }
}

export function stepView(row: StepRow): StepView {
  return {
    index: row.idx,
    name: row.name,
    title: row.title,
    resource: row.resource,
    status: row.status,
    attempts: row.attempts,
    progress: row.progress,
    output: parseJson(row.output),
    files: parseJson<Record<string, string>>(row.files) ?? {},
    error: row.error,
    cost: row.cost_usd,
    // A finished step stores NULL only when its provider had no price for the model.
    costKnown: !(row.status === 'completed' && row.cost_usd === null),
    provider: row.provider,
    fallback: row.fallback === 1,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    durationMs: row.duration_ms
  }
}

export function jobDetail(row: JobRow, steps: StepRow[]): JobDetail {
  return { ...jobView(row), steps: steps.map(stepView) }
}

/**
 * A stored line for the contract: its code and values, and the English they render to. A line
 * stored before codes were (English text only) is recognised by its template, here, once per read;
 * a line no template matches is free text (code null).
 */
export function logLine(row: LogRow): LogLine {
  const line = { id: row.id, jobId: row.job_id, ts: row.ts, level: row.level, step: row.step }
  if (row.code !== null && isLogLineCode(row.code)) {
    const params = parseJson<LogLineParams>(row.params) ?? {}
    return { ...line, message: logText(row.code, params), code: row.code, params }
  }
  // A code this build does not know (a newer release wrote it): its stored words, or the code itself.
  if (row.code !== null) return { ...line, message: row.message || row.code, code: null, params: null }
  const parsed = parseLogLine(row.message)
  return { ...line, message: row.message, code: parsed?.code ?? null, params: parsed?.params ?? null }
}
