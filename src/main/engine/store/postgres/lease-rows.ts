/**
 * Rows of the farm's jobs and steps as the shared mapping (store/rows.ts) reads them. PostgreSQL
 * hands BIGINT back as text (node-pg keeps 64-bit integers exact) and BOOLEAN as true/false, where
 * SQLite gives numbers and 0/1: these turn one into the other, so jobView and stepView serve both
 * backends and a domain type never learns which one it came from. Epoch milliseconds and job
 * numbers stay far below 2^53.
 */
import type { JobStatus, StepStatus } from '../../../../shared/types'
import type { JobRow, StepRow } from '../rows'

type Raw = Record<string, unknown>

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v))
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v))
const bit = (v: unknown): number => (v === true || v === 1 || v === 't' ? 1 : 0)

/** A `jobs` row from `RETURNING *` or `SELECT *`. */
export function pgJobRow(r: Raw): JobRow {
  return {
    id: r.id as string,
    seq: num(r.seq),
    project_id: r.project_id as string,
    type: r.type as string,
    title: r.title as string,
    payload: r.payload as string,
    status: r.status as JobStatus,
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
    pause_requested: bit(r.pause_requested),
    lease_token: (r.lease_token as string | null) ?? null,
    lease_owner: (r.lease_owner as string | null) ?? null,
    lease_expires_at: numOrNull(r.lease_expires_at),
    batch_id: (r.batch_id as string | null) ?? null,
    estimated_duration_ms: numOrNull(r.estimated_duration_ms),
    actual_duration_ms: numOrNull(r.actual_duration_ms),
    cost_usd: num(r.cost_usd),
    cost_unknown: bit(r.cost_unknown),
    created_at: num(r.created_at),
    started_at: numOrNull(r.started_at),
    completed_at: numOrNull(r.completed_at),
    updated_at: num(r.updated_at)
  }
}

/**
 * A `steps` row (from a query, or from json_agg, which gives numbers already). The farm keys
 * steps by job id; `seq` is the job's number, which the shared row type carries.
 */
export function pgStepRow(r: Raw, seq: number): StepRow {
  return {
    job_seq: seq,
    job_id: r.job_id as string,
    idx: num(r.idx),
    name: r.name as string,
    title: r.title as string,
    resource: r.resource as string,
    status: r.status as StepStatus,
    attempts: num(r.attempts),
    progress: num(r.progress),
    output: (r.output as string | null) ?? null,
    files: (r.files as string | null) ?? null,
    work_dir: (r.work_dir as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    cost_usd: numOrNull(r.cost_usd),
    provider: (r.provider as string | null) ?? null,
    fallback: bit(r.fallback),
    started_at: numOrNull(r.started_at),
    completed_at: numOrNull(r.completed_at),
    duration_ms: numOrNull(r.duration_ms)
  }
}
