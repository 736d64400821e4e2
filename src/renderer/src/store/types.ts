import type { PipelineInfo, PoolStatus, PushEvent } from '../../../shared/contract'
import type {
  AssetView,
  BatchView,
  JobDetail,
  JobEta,
  JobStatus,
  JobView,
  LogLine,
  ProjectView,
  ProviderHealth,
  QueueStats,
  SettingsView,
  ToolReport
} from '../../../shared/types'
import type { ConnectionInfo } from '../api/connection'
import type { FarmQueueState } from '../../../shared/farm'
import type { Locale } from '../i18n'
import type { StoryboardSummary, StoryboardView } from '../../../shared/storyboard'

export interface LiveProgress {
  progress: number
  step: string | null
  stepProgress: number
  message: string | null
}

export interface EtaState {
  /** Null while the queue is paused: nothing will finish until it is resumed. */
  totalMs: number | null
  concurrency: number
  byId: Record<string, JobEta>
  /** When the answer arrived (client clock): ETAs count down from here. */
  fetchedAt: number
}

export interface JobsSlice {
  jobs: Record<string, JobView>
  /** Every job id, in queue display order. */
  order: string[]
  live: Record<string, LiveProgress>
  jobsLoaded: boolean
  /** The last few thousand log lines of every job (batch dashboard, activity). */
  recentLogs: LogLine[]
  /** Full logs of the jobs someone is looking at. */
  jobLogs: Record<string, LogLine[]>
  details: Record<string, JobDetail>
  setJobs(list: JobView[]): void
  setJobLogs(id: string, lines: LogLine[]): void
  forgetJobLogs(id: string): void
  /** Merge older lines (a backfill) into `recentLogs`, in id order, without duplicates. */
  addRecentLogs(lines: LogLine[]): void
  setDetail(detail: JobDetail): void
}

export interface QueueSlice {
  stats: QueueStats | null
  eta: EtaState | null
  pool: PoolStatus | null
  pipelines: PipelineInfo[]
  queuePaused: boolean
  setStats(stats: QueueStats): void
  setEta(eta: { totalMs: number | null; concurrency: number; jobs: JobEta[] }, fetchedAt: number): void
  setPool(pool: PoolStatus): void
  setPipelines(list: PipelineInfo[]): void
}

export interface ProvidersSlice {
  providers: Record<string, ProviderHealth>
  setProviders(list: ProviderHealth[]): void
}

export interface BatchSample {
  t: number
  done: number
  failed: number
  cost: number
}

export interface BatchesSlice {
  batches: Record<string, BatchView>
  /** Points for the dashboard's small charts, sampled from batch.changed. */
  batchSamples: Record<string, BatchSample[]>
  batchConfigs: { name: string; config: Record<string, unknown> }[]
  setBatches(list: BatchView[]): void
  upsertBatch(batch: BatchView): void
  removeBatch(id: string): void
  setBatchConfigs(list: { name: string; config: Record<string, unknown> }[]): void
}

export interface ProjectsSlice {
  projects: ProjectView[]
  assets: Record<string, AssetView[]>
  setProjects(list: ProjectView[]): void
  upsertProject(project: ProjectView): void
  /** The project's assets as listed; those made since `askedAt` (the list's request) stay too. */
  setAssets(projectId: string, list: AssetView[], askedAt?: number): void
  upsertAsset(asset: AssetView): void
  removeAsset(id: string): void
}

export interface SettingsSlice {
  settings: SettingsView | null
  doctor: ToolReport[] | null
  /**
   * Settings typed but not saved yet (waiting for the pause in typing, or refused), by field: they
   * outlive the settings page, so switching view never loses them; each leaves once saved.
   */
  settingsDrafts: Record<string, { value: unknown; error: string | null }>
  setSettings(settings: SettingsView): void
  setDoctor(report: ToolReport[]): void
  setSettingsDraft(field: string, draft: { value: unknown; error: string | null } | undefined): void
}

export type View = 'queue' | 'jobs' | 'batches' | 'providers' | 'projects' | 'settings'
export type Theme = 'system' | 'dark' | 'light'
export type QueueFilter = 'all' | 'queued' | 'finished'

export interface TrackerFilter {
  status: JobStatus | 'waiting' | 'all'
  type: string
  projectId: string
  text: string
}

import type { Picked, PickModifiers } from './pick'

export interface Notice {
  id: number
  kind: 'error' | 'info' | 'success'
  text: string
  /** A button in the notice (Undo): the notice stays longer and closes when it is used. */
  action?: { label: string; run: () => void }
}

/** A question the app asks in its own dialog (never the browser's confirm): see common/ConfirmDialog. */
export interface ConfirmRequest {
  id: number
  title: string
  message: string
  confirmLabel: string
  cancelLabel?: string
  danger?: boolean
}

export interface DroppedSheet {
  name: string
  contentBase64: string
}

export interface UiSlice {
  view: View
  selectedJobId: string | null
  selectedBatchId: string | null
  selectedProjectId: string | null
  queueFilter: QueueFilter
  trackerFilter: TrackerFilter
  theme: Theme
  locale: Locale
  queueDockOpen: boolean
  shortcutsOpen: boolean
  newJobOpen: boolean
  notices: Notice[]
  connection: ConnectionInfo
  /** Which queue the window is on: this computer's, or a farm's and whether its link is up (farm/queue). */
  farmQueue: FarmQueueState
  /** Domain (command namespace) → the server's message, when that domain answers `unavailable`. */
  unavailable: Record<string, string>
  droppedSheet: DroppedSheet | null
  /** The latest job outcome for the screen reader's live region. */
  announcement: { status: 'completed' | 'failed'; title: string; at: number } | null
  setView(view: View): void
  selectJob(id: string | null): void
  selectBatch(id: string | null): void
  selectProject(id: string | null): void
  setQueueFilter(filter: QueueFilter): void
  setTrackerFilter(patch: Partial<TrackerFilter>): void
  setTheme(theme: Theme): void
  setLocale(locale: Locale): void
  toggleQueueDock(open?: boolean): void
  setShortcutsOpen(open: boolean): void
  setNewJobOpen(open: boolean): void
  notify(kind: Notice['kind'], text: string, action?: Notice['action']): void
  dismissNotice(id: number): void
  /** The question on screen, if any; `ask` resolves true (confirmed) or false (cancelled, Escape, replaced). */
  confirmation: ConfirmRequest | null
  /** Jobs picked for an action on many (Shift/Ctrl-click, Ctrl-A); see store/pick.ts. */
  picked: Picked
  pickAnchor: string | null
  pick(ids: readonly string[], id: string, mods?: PickModifiers): void
  pickAll(ids: readonly string[]): void
  clearPicked(): void
  ask(request: Omit<ConfirmRequest, 'id'>): Promise<boolean>
  answer(confirmed: boolean): void
  setConnection(info: ConnectionInfo): void
  setFarmQueue(state: FarmQueueState): void
  markUnavailable(domain: string, message: string | null): void
  setDroppedSheet(sheet: DroppedSheet | null): void
  announce(status: 'completed' | 'failed', title: string): void
}

export interface RouterSlice {
  /** Every push event goes through here, a frame's worth at a time, in one state update. */
  applyEvents(events: readonly PushEvent[]): void
}

/** How far each of a scene's render steps is (0–100), by step kind. */
export interface SceneRenderProgress {
  voice?: number
  visual?: number
  segment?: number
}

export interface StoryboardsSlice {
  storyboards: Record<string, StoryboardView>
  /** Each project's storyboards (newest edit first), as listed. */
  storyboardLists: Record<string, StoryboardSummary[]>
  /** The storyboard the workspace shows, per project. */
  openStoryboards: Record<string, string>
  /** The scene the player is on or the user picked: its card is highlighted. */
  activeSceneId: string | null
  /** Revisions announced by `storyboard.changed` that are newer than the copy held. */
  storyboardStale: Record<string, number>
  /** Render job → storyboard, for the jobs whose progress the strip shows. */
  renderJobs: Record<string, string>
  /** Render job → step name (`voice:<sceneId>`, `segment:<sceneId>`, `music`, `assemble`) → progress. */
  renderSteps: Record<string, Record<string, number>>
  /** Finished render job → the scenes whose segment it reused unchanged (read from its steps). */
  renderReused: Record<string, string[]>
  setStoryboardList(projectId: string, list: StoryboardSummary[]): void
  setStoryboard(view: StoryboardView): void
  removeStoryboard(id: string): void
  openStoryboard(projectId: string, id: string | null): void
  setActiveScene(sceneId: string | null): void
  /** A render this window queued: its progress is followed. */
  noteRender(jobId: string, storyboardId: string): void
  /** What a finished render reused, as its steps say (`reusedScenes`). */
  setRenderReused(jobId: string, sceneIds: string[]): void
}

export type StudioState = JobsSlice & QueueSlice & ProvidersSlice & BatchesSlice & ProjectsSlice & SettingsSlice & UiSlice & RouterSlice & StoryboardsSlice
