import type { JobDetail, JobStatus, JobView, JsonValue, LogLine, StepStatus, StepView } from '../../../shared/types'

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

export interface LogRow {
  id: number
  job_seq: number
  job_id: string
  ts: number
  level: LogLine['level']
  step: string | null
  message: string
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

export function logLine(row: LogRow): LogLine {
  return { id: row.id, jobId: row.job_id, ts: row.ts, level: row.level, step: row.step, message: row.message }
}
