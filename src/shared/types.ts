/**
 * Plain data shared by the engine, the CLI, the Electron glue and the renderer.
 * No Node, no DOM: this file is imported on both sides of every boundary.
 */
import type { LogLineCode, LogLineParams } from './log-lines'

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
  /**
   * False when the step ran but its provider has no price for the model: `cost` is then null
   * (unknown, not free) and the job's `costUsd` is only a lower bound. Absent counts as known.
   */
  costKnown?: boolean
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
  /** False when a finished step had no known price: `costUsd` is then a lower bound ("≥ $x"). */
  costKnown: boolean
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
  /** In English, as the CLI and exports show it (rendered from `code` when there is one). */
  message: string
  /** The engine's template for this line and its values (shared/log-lines): the app shows it in the user's language. Null: free text. */
  code?: LogLineCode | null
  params?: LogLineParams | null
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
  /** Spend against each cap that is set (studio only). */
  spend?: SpendLine[]
}

/** One spend cap and what was spent against it in the current period. */
export interface SpendLine {
  /** null: the overall budget. */
  provider: string | null
  period: 'day' | 'month'
  capUsd: number
  spentUsd: number
  /** When the period turns (ms since epoch). */
  resetsAt: number
}

export interface JobEta {
  jobId: string
  /** Milliseconds of work left in this job's own steps. */
  remainingWorkMs: number
  /**
   * Milliseconds from now until it should finish, counting the jobs ahead of it; null when it
   * will not finish before the queue is resumed (it waits, and waiting for a click has no length).
   */
  finishInMs: number | null
}

export interface QueueEta {
  /** The whole queue is paused: nothing new starts until it is resumed. */
  paused: boolean
  /** Milliseconds until every queued and running job should be finished; null while paused. */
  totalMs: number | null
  concurrency: number
  jobs: JobEta[]
  /**
   * Rows of running batches not queued yet (a batch keeps only a few jobs in the queue at a
   * time): counted in totalMs, each at its pipeline's typical duration.
   */
  batchRowsWaiting: number
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
  /** Its last calls (at most 20, none older than an hour): what its failure alert is judged on. */
  recentCalls: number
  recentFailureRate: number | null
  lastCallAt: number | null
  /** The settings still send steps to it; a replaced provider is shown a while but never alerts. */
  inUse: boolean
}

/** What a provider's health probe answered, and how long it took. */
export interface ProviderTestResult {
  ok: boolean
  provider: string
  ms: number
  /** The provider's error when it failed; null when it answered. */
  message: string | null
}

export interface ResourceStatus {
  resource: string
  running: number
  concurrency: number
  minIntervalMs: number
}

/** Everything the engine tells its observers. The UI, the CLI and the bridge consume these. */
export interface PoolStatus {
  state: 'idle' | 'running' | 'stopping'
  running: string[]
  concurrency: number
  resources: ResourceStatus[]
}

/**
 * The figures derived from the whole queue, pushed rather than polled: after the changes that
 * move them (at most about once a second) and, while work runs, now and then (ETAs drift).
 */
export interface QueueSummary {
  stats: QueueStats
  eta: QueueEta
  pool: PoolStatus
  providers: ProviderHealth[]
  /** When it was computed (ETAs count from here). */
  at: number
}

export type EngineEvent =
  | { type: 'job.changed'; job: JobView }
  | { type: 'job.removed'; jobId: string }
  | { type: 'job.progress'; jobId: string; progress: number; step: string | null; stepProgress: number; message: string | null }
  | { type: 'job.log'; line: LogLine }
  | { type: 'queue.changed'; paused: boolean }
  | { type: 'provider.changed'; health: ProviderHealth }
  | { type: 'batch.changed'; batch: BatchView }
  /** The settings were saved by another process (the CLI next to the app): fetch them again. */
  | { type: 'settings.changed' }
  /** A storyboard was edited (here or by another process): fetch it again if it is open. */
  | { type: 'storyboard.changed'; id: string; projectId: string; revision: number }
  | ({ type: 'queue.summary' } & QueueSummary)
  /**
   * The engine's process stopped ('lost') and was started again ('reconnected'): the window says
   * so; running jobs resume through their leases. Emitted by the client of the engine host.
   */
  | { type: 'engine.connection'; state: 'lost' | 'reconnected'; restarts: number }
  /** The window's queue moved (to a farm, back to this computer's), or the farm's link went down or came back. */
  | { type: 'farm.queue'; queueUrl: string | null; connected: boolean; problem: string | null; chosenBy?: 'flag' | 'settings'; sharedDir?: string }

export type EngineEventType = EngineEvent['type']

// ------------------------------------------------------------------ batches (seed 3)

export const BATCH_STATUSES = ['idle', 'running', 'paused', 'completed', 'stopped', 'error'] as const
export type BatchStatus = (typeof BATCH_STATUSES)[number]

/** Seed 3's pipeline configuration, as stored with a batch (defaults filled in). */
export interface BatchConfigView {
  pipeline: string
  selective: 'lightEnhancement' | 'standardEnhancement' | 'fullEnhancement' | 'personalityFocus' | 'fluidityFocus'
  adversarial: 'none' | 'light' | 'standard' | 'heavy' | 'adaptive'
  humanSimulation: 'none' | 'lightSimulation' | 'personalityFocus' | 'adaptive'
  patternBreaking: 'none' | 'syntaxFocus' | 'connectorsFocus' | 'adaptive'
  intensity: number
  rowRange?: { start: number; end: number }
  saveIntermediateSteps: boolean
  mapping?: Record<string, string | null>
  template?: unknown
}

export interface BatchRowError {
  rowNumber: number
  reason: string
  jobId: string | null
}

export interface BatchLastResult {
  rowNumber: number
  jobId: string
  outputPath: string | null
  wordCount: number | null
  durationMs: number | null
}

export interface BatchMetrics {
  /** Average wall time of a finished row. */
  avgRowMs: number | null
  avgStepMs: Record<string, number>
  costUsd: number
  /** False when a row's job had a step without a known price: `costUsd` (and the projection) are floors. */
  costKnown: boolean
  projectedCostUsd: number | null
  /** Failed rows / finished rows. */
  errorRate: number
  /** Seed 4: failure rate over the last 20 rows above 20 %. */
  alert: boolean
}

/** A batch row in the results table: 'ready' not queued yet, 'deleted' its job was removed, else its job's status. */
export const BATCH_ROW_STATUSES = ['ready', 'pending', 'processing', 'paused', 'completed', 'failed', 'cancelled', 'invalid', 'deleted'] as const
export type BatchRowStatus = (typeof BATCH_ROW_STATUSES)[number]

export interface BatchRowView {
  rowNumber: number
  /** The row's main cell (its idea), else its first non-empty cell. */
  main: string
  status: BatchRowStatus
  jobId: string | null
  outputPath: string | null
  durationMs: number | null
  costUsd: number | null
  costKnown: boolean
  error: string | null
  /** A `storyboard-idea` row: the storyboard its job wrote (result output's storyboardId). */
  storyboardId: string | null
}

/** One page of a batch's rows, with every status's count (for the filter). */
export interface BatchRowsPage {
  total: number
  counts: Partial<Record<BatchRowStatus, number>>
  offset: number
  rows: BatchRowView[]
}

export interface BatchView {
  id: string
  name: string
  status: BatchStatus
  /** File name or URL (without secrets) the rows came from. */
  source: string
  sheet: string | null
  projectId: string
  config: BatchConfigView
  totalRows: number
  doneRows: number
  failedRows: number
  /** Rows refused before any job ran (validation). */
  invalidRows: number
  /** Rows whose job was cancelled (the batch stopped, or the job cancelled by hand): settled, not done. */
  cancelledRows: number
  progress: number
  currentRows: number[]
  startedAt: number | null
  estimatedEndAt: number | null
  finishedAt: number | null
  lastResult: BatchLastResult | null
  metrics: BatchMetrics
  /**
   * Where the dashboard's charts start after a reload or when a batch is opened mid-run: rows
   * done, failed and their cost so far (cumulative) at the end of each of at most 60 equal time
   * buckets from the batch's start to its last finished row. Live events extend it.
   */
  history: { t: number; done: number; failed: number; costUsd: number }[]
  /** The sheet's columns that no field of the pipeline reads (nor the priority): left out of every job. */
  ignoredColumns: string[]
  /** While the rows are still being read in (a large sheet takes seconds): how many so far. */
  importing: { rowsRead: number } | null
  errors: BatchRowError[]
  createdAt: number
  updatedAt: number
}

export interface BatchPreview {
  headers: string[]
  format: string
  encoding: string | null
  delimiter: string | null
  sampleRows: { rowNumber: number; values: Record<string, string> }[]
  /** Pipeline field → column the batch would use. */
  mapping: Record<string, string | null>
  sheets: string[]
}

// ------------------------------------------------------------------ projects and settings

export interface AssetView {
  id: string
  projectId: string
  name: string
  kind: 'image' | 'audio' | 'video' | 'other'
  path: string
  bytes: number
  createdAt: number
  /** Who made a stock medium, under which licence, and where it came from (absent: the user's own). */
  credit?: AssetCredit
}

export interface AssetCredit {
  author: string
  authorUrl: string | null
  licence: string
  licenceUrl: string | null
  /** The medium's page at the library (Pexels). */
  sourceUrl: string
}

export interface ProjectView {
  id: string
  name: string
  jobCount: number
  assetCount: number
  createdAt: number
}

export type ProviderKindName = 'text' | 'image' | 'speech'

export interface ProviderChoiceView {
  kind: 'offline' | 'openai' | 'elevenlabs' | 'automatic1111' | 'comfyui' | 'suno' | 'pexels' | 'none'
  baseURL?: string
  model?: string
  /** The server was marked as not charging: its calls cost a known $0. */
  free?: boolean
  /** True when a key is stored; the key itself never leaves main. */
  hasKey: boolean
  /** Offline speech: the engine chosen ('auto', 'espeak-ng', 'rhvoice'…). */
  engine?: string
  /** Speech: the chosen voice's id. */
  voice?: string
  /** ComfyUI: a workflow of the user's own is set (else the built-in one runs). */
  hasWorkflow?: boolean
}

/** Spend caps in USD (null: no cap), overall and per provider id or prefix ("openai", "elevenlabs"). */
export interface BudgetView {
  dailyUsd: number | null
  monthlyUsd: number | null
  providers: Record<string, { dailyUsd: number | null; monthlyUsd: number | null }>
}

/** Caption style (seed 2 defaults), lengths given for a 1080 px wide frame and scaled to the video. */
export interface SubtitleStyleView {
  /** Family fallback list, first found wins. */
  fonts: string[]
  bold: boolean
  fontSize: number
  color: string
  strokeColor: string
  strokeWidth: number
  /** Colour of the spoken word in karaoke mode. */
  highlightColor: string
  bottomOffset: number
  margin: number
  /** Word-by-word highlight (ASS \k). */
  karaoke: boolean
}

export interface SettingsView {
  /** Music and stock are present when the engine knows them (issue 19). */
  providers: Record<ProviderKindName, ProviderChoiceView> & { music?: ProviderChoiceView; stock?: ProviderChoiceView }
  ffmpegPath: string | null
  concurrency: number
  resources: Record<string, { concurrency: number; minIntervalMs: number }>
  captionRenderer: 'libass' | 'imagemagick'
  subtitleStyle: SubtitleStyleView
  videoPreset: 'short' | 'landscape'
  budget?: BudgetView
}

export interface ToolReport {
  name: string
  ok: boolean
  detail: string
}
