/**
 * PostgreSQL's rows of jobs, steps and log lines in the shape the store's mappings read (rows.ts):
 * BIGINT columns arrive from node-postgres as strings, booleans as booleans; here they become the
 * numbers SQLite gives, so jobView, stepView, jobDetail and logLine — the one mapping from stored
 * text to domain values — serve both backends unchanged.
 *
 * Rows hold what is stored; views are this machine's: a job's result and a step's output hold
 * paths into the shared data folder in its stored form (farm/shared-json.ts), read back here under
 * the folder as this machine mounts it.
 */
import type { JobDetail, JobView, StepView } from '../../../../shared/types'
import type { JsonValue } from '../../../../shared/types'
import { fromStoredJson, hasStoredForms } from '../../farm/shared-json'
import { jobView, stepView, type JobRow, type LogRow, type StepRow } from '../rows'

type PgRow = Record<string, unknown>

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v))
const flag = (v: unknown): number => (v === true || v === 1 || v === 't' ? 1 : 0)

/** The columns of jobs every read selects (all of them but the farm's own: next_needs, lease_fence). */
export const JOB_COLUMNS = `id, seq, project_id, type, title, payload, status, progress, current_step, result, error, priority, position,
  retry_count, max_retries, next_resource, run_after, waiting_reason, waiting_provider, pause_requested, lease_token, lease_owner,
  lease_expires_at, batch_id, estimated_duration_ms, actual_duration_ms, cost_usd, cost_unknown, created_at, started_at, completed_at, updated_at`

/** The same columns qualified by a table alias (for UPDATE … FROM … RETURNING). */
export const jobColumnsOf = (alias: string): string =>
  JOB_COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ')

/** A `jobs` row from a query, `RETURNING` or json_agg (which gives numbers already). */
export function jobRow(r: PgRow): JobRow {
  return {
    id: r.id as string,
    seq: num(r.seq),
    project_id: r.project_id as string,
    type: r.type as string,
    title: r.title as string,
    payload: r.payload as string,
    status: r.status as JobRow['status'],
    progress: num(r.progress),
    current_step: (r.current_step as string | null) ?? null,
    result: (r.result as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    priority: num(r.priority),
    position: num(r.position),
    retry_count: num(r.retry_count),
    max_retries: num(r.max_retries),
    next_resource: (r.next_resource as string | null) ?? null,
    run_after: num(r.run_after),
    waiting_reason: (r.waiting_reason as string | null) ?? null,
    waiting_provider: (r.waiting_provider as string | null) ?? null,
    pause_requested: flag(r.pause_requested),
    lease_token: (r.lease_token as string | null) ?? null,
    lease_owner: (r.lease_owner as string | null) ?? null,
    lease_expires_at: numOrNull(r.lease_expires_at),
    batch_id: (r.batch_id as string | null) ?? null,
    estimated_duration_ms: numOrNull(r.estimated_duration_ms),
    actual_duration_ms: numOrNull(r.actual_duration_ms),
    cost_usd: num(r.cost_usd),
    cost_unknown: flag(r.cost_unknown),
    created_at: num(r.created_at),
    started_at: numOrNull(r.started_at),
    completed_at: numOrNull(r.completed_at),
    updated_at: num(r.updated_at)
  }
}

/** A step's row; PostgreSQL files steps by job id, so the job's number is the caller's. */
export function stepRow(r: PgRow, seq: number): StepRow {
  return {
    job_seq: seq,
    job_id: r.job_id as string,
    idx: num(r.idx),
    name: r.name as string,
    title: r.title as string,
    resource: r.resource as string,
    status: r.status as StepRow['status'],
    attempts: num(r.attempts),
    progress: num(r.progress),
    output: (r.output as string | null) ?? null,
    files: (r.files as string | null) ?? null,
    work_dir: (r.work_dir as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    cost_usd: numOrNull(r.cost_usd),
    provider: (r.provider as string | null) ?? null,
    fallback: flag(r.fallback),
    started_at: numOrNull(r.started_at),
    completed_at: numOrNull(r.completed_at),
    duration_ms: numOrNull(r.duration_ms)
  }
}

export function logRow(r: PgRow): LogRow {
  return {
    id: num(r.id),
    job_seq: num(r.job_seq),
    job_id: r.job_id as string,
    ts: num(r.ts),
    level: r.level as LogRow['level'],
    step: r.step as string | null,
    message: r.message as string,
    code: r.code as string | null,
    params: r.params as string | null
  }
}

/**
 * A job as this machine shows it and a worker runs it: the paths in its payload (a project's media,
 * a batch's image) and its result under this machine's mount of the data folder.
 */
export function localJobView(row: JobRow, dataDir: string): JobView {
  const view = jobView(row)
  // Most payloads name no file: their text says so without walking them.
  const payload = hasStoredForms(row.payload) ? fromStoredJson(dataDir, view.payload as JsonValue) as JobView['payload'] : view.payload
  return view.result === null && payload === view.payload ? view : { ...view, payload, result: fromStoredJson(dataDir, view.result) }
}

/** A step as this machine reads it: its output's paths under this machine's mount (files are the caller's: they are stored bare). */
export function localStepView(row: StepRow, dataDir: string): StepView {
  const view = stepView(row)
  return view.output === null ? view : { ...view, output: fromStoredJson(dataDir, view.output) }
}

/** A job and its steps as this machine shows them. */
export function localJobDetail(row: JobRow, steps: readonly StepRow[], dataDir: string): JobDetail {
  return { ...localJobView(row, dataDir), steps: steps.map((s) => localStepView(s, dataDir)) }
}
