import type { PushEvent } from '../../../shared/contract'
import type { BatchView, JobEta, JobStatus, JobView, LogLine, QueueEta, QueueStats, QueueSummary } from '../../../shared/types'
import { affectsOrder, compareJobs } from './order'
import type { BatchSample, EtaState, LiveProgress, StudioState } from './types'

export const RECENT_LOG_LIMIT = 3_000
export const JOB_LOG_LIMIT = 20_000
export const BATCH_SAMPLE_LIMIT = 240

/**
 * Route a frame's worth of push events to the slices, as one state change. Pure: the store calls
 * it inside `set`, tests call it directly. Objects are copied only when something changed, so
 * selectors of untouched data keep their identity and their components do not re-render.
 */
export function reduceEvents(state: StudioState, events: readonly PushEvent[]): Partial<StudioState> {
  let jobs: Record<string, JobView> | null = null
  let live: Record<string, LiveProgress> | null = null
  // Jobs whose place in the list may have changed: re-placed by a merge, not a sort of every job.
  let moved: Set<string> | null = null
  let removed: Set<string> | null = null
  let recent: LogLine[] | null = null
  let jobLogs: Record<string, LogLine[]> | null = null
  let providers: StudioState['providers'] | null = null
  let batches: Record<string, BatchView> | null = null
  let samples: Record<string, BatchSample[]> | null = null
  let queuePaused = state.queuePaused
  let details: StudioState['details'] | null = null
  let summary: QueueSummary | null = null
  // A job filed under a project this window has not listed (the first job of `default`, a CLI
  // --project): the project exists from then on, as the engine's projects/list says.
  let projects: StudioState['projects'] | null = null
  // Counts per status follow the job events between two summaries (which come at most once a
  // second): the header never says "Idle" next to a job the list already shows as processing.
  let counts: { byStatus: QueueStats['byStatus']; total: number } | null = null
  const count = (status: JobStatus | undefined, delta: number) => {
    const base = counts ?? (state.stats && { byStatus: state.stats.byStatus, total: state.stats.total })
    if (!status || !base) return
    counts ??= { byStatus: { ...base.byStatus }, total: base.total }
    counts.byStatus[status] = Math.max(0, counts.byStatus[status] + delta)
  }

  for (const e of events) {
    switch (e.type) {
      case 'job.changed': {
        const current = (jobs ?? state.jobs)[e.job.id]
        // An event older than what a snapshot already holds (it was buffered before the snapshot).
        if (current && current.updatedAt > e.job.updatedAt) break
        jobs ??= copy(state.jobs)
        if (affectsOrder(current, e.job)) (moved ??= new Set()).add(e.job.id)
        // A job this window does not hold is counted only when it is new (just enqueued); an old
        // one beyond the loaded list is left to the next summary.
        if (current ? current.status !== e.job.status : e.job.createdAt === e.job.updatedAt) {
          count(current?.status, -1)
          count(e.job.status, +1)
          if (!current && counts) counts.total++
        }
        jobs[e.job.id] = e.job
        removed?.delete(e.job.id)
        if (!current && !(projects ?? state.projects).some((p) => p.id === e.job.projectId)) {
          projects = [...(projects ?? state.projects), { id: e.job.projectId, name: e.job.projectId, jobCount: 0, assetCount: 0, createdAt: e.job.createdAt }]
        }
        if (e.job.status !== 'processing') {
          const l = (live ?? state.live)[e.job.id]
          if (l) {
            live ??= copy(state.live)
            delete live[e.job.id]
          }
        }
        const detail = (details ?? state.details)[e.job.id]
        if (detail) {
          details ??= copy(state.details)
          details[e.job.id] = { ...detail, ...e.job }
        }
        break
      }
      case 'job.removed': {
        const gone = (jobs ?? state.jobs)[e.jobId]
        if (!gone) break
        count(gone.status, -1)
        if (counts) counts.total = Math.max(0, counts.total - 1)
        jobs ??= copy(state.jobs)
        delete jobs[e.jobId]
        ;(removed ??= new Set()).add(e.jobId)
        if ((live ?? state.live)[e.jobId]) {
          live ??= copy(state.live)
          delete live[e.jobId]
        }
        if ((details ?? state.details)[e.jobId]) {
          details ??= copy(state.details)
          delete details[e.jobId]
        }
        break
      }
      case 'job.progress': {
        const job = (jobs ?? state.jobs)[e.jobId]
        if (job && job.status !== 'processing') break
        live ??= copy(state.live)
        live[e.jobId] = { progress: e.progress, step: e.step, stepProgress: e.stepProgress, message: e.message }
        break
      }
      case 'job.log': {
        recent ??= state.recentLogs.slice()
        recent.push(e.line)
        const lines = (jobLogs ?? state.jobLogs)[e.line.jobId]
        if (lines && (lines.length === 0 || lines[lines.length - 1]!.id < e.line.id)) {
          jobLogs ??= { ...state.jobLogs }
          const next = lines.concat(e.line)
          jobLogs[e.line.jobId] = next.length > JOB_LOG_LIMIT ? next.slice(-JOB_LOG_LIMIT) : next
        }
        break
      }
      case 'queue.changed':
        queuePaused = e.paused
        break
      case 'provider.changed':
        providers ??= { ...state.providers }
        providers[e.health.provider] = e.health
        break
      case 'queue.summary':
        summary = e
        // The engine's list is whole: a provider the settings dropped leaves the panel.
        providers = Object.fromEntries(e.providers.map((h) => [h.provider, h]))
        // Authoritative: the job events before it are in it; those after it count from it.
        counts = { byStatus: { ...e.stats.byStatus }, total: e.stats.total }
        break
      case 'batch.changed': {
        batches ??= { ...state.batches }
        batches[e.batch.id] = e.batch
        samples ??= { ...state.batchSamples }
        samples[e.batch.id] = extendSamples(samples[e.batch.id], e.batch)
        break
      }
    }
  }

  const patch: Partial<StudioState> = {}
  if (jobs) {
    patch.jobs = jobs
    if (moved) patch.order = replace(state.order, jobs, moved, removed)
    else if (removed && removed.size) patch.order = state.order.filter((id) => !removed!.has(id))
  }
  if (live) patch.live = live
  if (projects) patch.projects = projects
  if (recent) patch.recentLogs = recent.length > RECENT_LOG_LIMIT ? recent.slice(-RECENT_LOG_LIMIT) : recent
  if (jobLogs) patch.jobLogs = jobLogs
  if (details) patch.details = details
  if (queuePaused !== state.queuePaused) patch.queuePaused = queuePaused
  if (summary) {
    // The latest summary of the frame wins; it replaces what the snapshots loaded.
    patch.stats = summary.stats
    patch.eta = etaState(summary.eta, summary.at)
    patch.pool = summary.pool
    patch.queuePaused = summary.stats.paused
  }
  if (counts) {
    const stats = patch.stats ?? state.stats
    if (stats) patch.stats = { ...stats, byStatus: counts.byStatus, total: counts.total }
  }
  if (providers) patch.providers = providers
  if (batches) patch.batches = batches
  if (samples) patch.batchSamples = samples
  return patch
}

/**
 * The list order after some jobs changed: the others keep their (sorted) order, the moved ones are
 * sorted among themselves and merged in. O(n + k log k) instead of sorting all n jobs on every
 * batch of events (20 000 jobs, a hundred finishing a second: the sort was most of the frame).
 */
export function replace(order: readonly string[], jobs: Record<string, JobView>, moved: ReadonlySet<string>, removed: ReadonlySet<string> | null): string[] {
  const changed = [...moved].filter((id) => jobs[id]).sort((a, b) => compareJobs(jobs[a]!, jobs[b]!))
  const out: string[] = []
  let c = 0
  for (const id of order) {
    if (moved.has(id) || removed?.has(id) || !jobs[id]) continue
    const job = jobs[id]!
    while (c < changed.length && compareJobs(jobs[changed[c]!]!, job) < 0) out.push(changed[c++]!)
    out.push(id)
  }
  while (c < changed.length) out.push(changed[c++]!)
  return out
}

export function sortIds(jobs: Record<string, JobView>): string[] {
  return Object.values(jobs)
    .sort(compareJobs)
    .map((j) => j.id)
}

/**
 * A batch's chart points after a fresh view of it. The first time a batch is seen (a reload, a
 * batch opened mid-run) the points start from the engine's history, which knows the past that
 * live events never showed this window; after that, each view adds the present.
 */
export function extendSamples(list: BatchSample[] | undefined, b: BatchView): BatchSample[] {
  if (list) return addSample(list, b)
  const seeded = b.history.slice(-BATCH_SAMPLE_LIMIT).map((p) => ({ t: p.t, done: p.done, failed: p.failed, cost: p.costUsd }))
  return addSample(seeded, b)
}

function addSample(list: BatchSample[], b: BatchView): BatchSample[] {
  const t = b.updatedAt
  const point: BatchSample = { t, done: b.doneRows, failed: b.failedRows, cost: b.metrics.costUsd }
  const last = list[list.length - 1]
  if (last && last.done === point.done && last.failed === point.failed && last.cost === point.cost) return list
  const next = list.concat(point)
  return next.length > BATCH_SAMPLE_LIMIT ? next.slice(-BATCH_SAMPLE_LIMIT) : next
}

/** The queue's ETA as the store keeps it: by job id, with the moment it was computed. */
export function etaState(eta: Pick<QueueEta, 'totalMs' | 'concurrency' | 'jobs'>, at: number): EtaState {
  // A plain loop: Object.fromEntries of 20 000 pairs took tens of milliseconds, once a second.
  const byId: Record<string, JobEta> = {}
  for (const j of eta.jobs) byId[j.jobId] = j
  return { totalMs: eta.totalMs, concurrency: eta.concurrency, byId, fetchedAt: at }
}

/**
 * A shallow copy of a map of jobs by id. Object.assign, not a spread: with 20 000 ids the spread
 * was several times slower (tens of milliseconds), and it ran on every batch of events.
 */
function copy<T>(byId: Record<string, T>): Record<string, T> {
  return Object.assign({}, byId)
}
