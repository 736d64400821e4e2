/**
 * Plain data shared by the engine, the CLI, the Electron glue and the renderer.
 * No Node, no DOM: this file is imported on both sides of every boundary.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

export const JOB_STATUSES = ['pending', 'processing', 'paused', 'completed', 'failed', 'cancelled'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]

export const STEP_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const
export type StepStatus = (typeof STEP_STATUSES)[number]

/** Statuses that still belong to the queue (can be reordered unless processing). */
export const QUEUED_STATUSES: readonly JobStatus[] = ['pending', 'paused']
export const FINISHED_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled']

export const MIN_PRIORITY = 1
export const MAX_PRIORITY = 10
/** Seed 0: `priority: int = 10` — new jobs go last unless the user says otherwise. */
export const DEFAULT_PRIORITY = 10

export type MoveDirection = 'up' | 'down' | 'top' | 'bottom'

export interface StepView {
  index: number
  name: string
  title: string
  resource: string
  status: StepStatus
  attempts: number
  progress: number
  output: JsonValue | null
  files: Record<string, string>
  error: string | null
  cost: number | null
  provider: string | null
  fallback: boolean
  startedAt: number | null
  completedAt: number | null
  durationMs: number | null
}

export interface JobView {
  id: string
  projectId: string
  /** Pipeline name or single-step job type (video, text, image...). */
  type: string
  title: string
  payload: Record<string, unknown>
  status: JobStatus
  progress: number
  currentStep: string | null
  result: JsonValue | null
  error: string | null
  priority: number
  /** Manual order inside a priority (lower first). */
  position: number
  retryCount: number
  maxRetries: number
  /** Set when a pending job is held back: provider down, backoff before a retry. */
  waitingReason: string | null
  /** Epoch ms before which the job will not start (backoff / provider wait). */
  runAfter: number
  pauseRequested: boolean
  batchId: string | null
  estimatedDurationMs: number | null
  actualDurationMs: number | null
  costUsd: number
  createdAt: number
  startedAt: number | null
  completedAt: number | null
  updatedAt: number
}

export interface JobDetail extends JobView {
  steps: StepView[]
}

export interface LogLine {
  id: number
  jobId: string
  ts: number
  level: 'debug' | 'info' | 'warn' | 'error'
  step: string | null
  message: string
}

export interface QueueStats {
  total: number
  byStatus: Record<JobStatus, number>
  /** Pending jobs held back by a provider outage or a backoff. */
  waiting: number
  byType: Record<string, Partial<Record<JobStatus, number>>>
  avgDurationMsByType: Record<string, number>
  /** Completed / (completed + failed) among jobs finished in the last 24 h; null when none finished. */
  successRate24h: number | null
  finished24h: number
  paused: boolean
}

export interface JobEta {
  jobId: string
  /** Milliseconds of work left in this job's own steps. */
  remainingWorkMs: number
  /** Milliseconds from now until it should finish, counting the jobs ahead of it. */
  finishInMs: number
}

export interface QueueEta {
  /** Milliseconds until every queued and running job should be finished. */
  totalMs: number
  concurrency: number
  jobs: JobEta[]
}

export type CircuitState = 'closed' | 'open' | 'half-open'

export interface ProviderHealth {
  provider: string
  state: CircuitState
  consecutiveFailures: number
  lastError: string | null
  lastResponseMs: number | null
  lastCheckedAt: number | null
  /** When an open circuit will let a probe through. */
  retryAt: number | null
  successRate24h: number | null
  calls24h: number
  avgDurationMs24h: number | null
}

export interface ResourceStatus {
  resource: string
  running: number
  concurrency: number
  minIntervalMs: number
}

/** Everything the engine tells its observers. The UI, the CLI and the bridge consume these. */
export type EngineEvent =
  | { type: 'job.changed'; job: JobView }
  | { type: 'job.removed'; jobId: string }
  | { type: 'job.progress'; jobId: string; progress: number; step: string | null; stepProgress: number; message: string | null }
  | { type: 'job.log'; line: LogLine }
  | { type: 'queue.changed'; paused: boolean }
  | { type: 'provider.changed'; health: ProviderHealth }

export type EngineEventType = EngineEvent['type']
