/**
 * What `studio farm push` reads of the local studio, and the few local writes it makes: the jobs
 * to move with their steps and log lines, the batches with their rows, the storyboards with their
 * revisions and renders, the projects and assets they need — as the store's own plain types, JSON
 * text parsed here — and the hold, release and removal of the jobs being moved.
 *
 * The hold: while the farm's transaction runs, a local engine must not claim a job being moved
 * (it would then run here and on the farm). A pending job is held by its run_after (a claim takes
 * only jobs whose run_after has passed) for a few minutes at most, marked by the hold's time in
 * updated_at; a push that dies leaves it claimable again once the hold runs out. Every write
 * after the hold names that mark: a job the user changed meanwhile is neither released over nor
 * removed.
 */
import type { JsonValue, LogLine, StepStatus } from '../../../shared/types'
import { inTransaction, prep, type Db } from './database'
import { JOB_ROW, STEP_ROW, parseJson, type JobRow, type StepRow } from './rows'
import { readRows } from './row-reader'

export interface PushStep {
  index: number
  name: string
  title: string
  resource: string
  status: StepStatus
  attempts: number
  progress: number
  output: JsonValue | null
  /** Artifact name → absolute path on this machine. */
  files: Record<string, string>
  workDir: string | null
  error: string | null
  costUsd: number | null
  provider: string | null
  fallback: boolean
  startedAt: number | null
  completedAt: number | null
  durationMs: number | null
}

/** A stored log line: its code and values when the engine wrote it from a template, else its text. */
export interface PushLogLine {
  ts: number
  level: LogLine['level']
  step: string | null
  message: string
  code: string | null
  params: JsonValue | null
}

export interface PushJob {
  id: string
  seq: number
  projectId: string
  type: string
  title: string
  payload: JsonValue
  status: JobRow['status']
  progress: number
  result: JsonValue | null
  error: string | null
  priority: number
  position: number
  retryCount: number
  maxRetries: number
  nextResource: string | null
  runAfter: number
  waitingReason: string | null
  waitingProvider: string | null
  leaseOwner: string | null
  leaseExpiresAt: number | null
  batchId: string | null
  estimatedDurationMs: number | null
  actualDurationMs: number | null
  costUsd: number
  costUnknown: boolean
  createdAt: number
  startedAt: number | null
  completedAt: number | null
  updatedAt: number
  steps: PushStep[]
  logs: PushLogLine[]
}

export interface PushBatch {
  id: string
  name: string
  status: string
  sourceLabel: string
  /** Absolute on this machine (the staged copy of the sheet). */
  sourceFile: string
  sourceFormat: string | null
  encoding: string | null
  delimiter: string | null
  sheet: string | null
  projectId: string
  /** JSON text, copied as it is (no path in it). */
  config: string
  template: string | null
  totalRows: number
  imported: boolean
  error: string | null
  ignoredColumns: string | null
  headers: string | null
  startedAt: number | null
  finishedAt: number | null
  createdAt: number
  updatedAt: number
  rows: PushBatchRow[]
}

export interface PushBatchRow {
  rowNumber: number
  state: 'ready' | 'queued' | 'invalid'
  input: JsonValue | null
  jobId: string | null
  error: string | null
  priority: number
  cells: string | null
}

export interface PushStoryboard {
  id: string
  projectId: string
  revision: number
  head: number
  createdAt: number
  updatedAt: number
  /** Every kept revision: its document and the edit that made it, JSON text copied as it is. */
  revisions: Array<{ revision: number; doc: string; edit: string; createdAt: number }>
  renders: Array<{ jobId: string; revision: number; draft: boolean; sceneId: string | null; createdAt: number }>
}

export interface PushProject {
  id: string
  name: string
  createdAt: number
}

export interface PushAsset {
  id: string
  projectId: string
  name: string
  kind: string
  /** Absolute on this machine. */
  path: string
  bytes: number
  sha256: string | null
  durationSec: number | null
  author: string | null
  authorUrl: string | null
  licence: string | null
  licenceUrl: string | null
  sourceUrl: string | null
  sourceId: string | null
  createdAt: number
}

/** Ids of the jobs not finished: queued (pending), paused, or processing (running here, or interrupted). */
export function unfinishedJobIds(db: Db): string[] {
  return prep<[], { id: string }>(db, "SELECT id FROM jobs WHERE status IN ('pending','paused','processing') ORDER BY seq")
    .all()
    .map((r) => r.id)
}

/** Ids of every job of these batches, finished or not. */
export function jobIdsOfBatches(db: Db, batchIds: readonly string[]): string[] {
  if (batchIds.length === 0) return []
  return prep<[string], { id: string }>(db, 'SELECT id FROM jobs WHERE batch_id IN (SELECT value FROM json_each(?)) ORDER BY seq')
    .all(JSON.stringify(batchIds))
    .map((r) => r.id)
}

/** Jobs that render a storyboard (storyboard_renders names them). */
export function storyboardRenderJobIds(db: Db): Set<string> {
  return new Set(prep<[], { job_id: string }>(db, 'SELECT job_id FROM storyboard_renders').all().map((r) => r.job_id))
}

/** The jobs, each with its steps and its whole log, in the order they were queued. Missing ids are left out. */
export function readPushJobs(db: Db, ids: readonly string[]): PushJob[] {
  const jobs: PushJob[] = []
  const byId = readRows<[string], JobRow>(db, 'SELECT * FROM jobs WHERE id = ?', JOB_ROW)
  const stepsOf = readRows<[number], StepRow>(db, 'SELECT * FROM steps WHERE job_seq = ? ORDER BY idx', STEP_ROW)
  const logsOf = prep<[number], { ts: number; level: LogLine['level']; step: string | null; message: string; code: string | null; params: string | null }>(
    db,
    'SELECT ts, level, step, message, code, params FROM job_logs WHERE job_seq = ? ORDER BY id'
  )
  for (const id of ids) {
    const r = byId.get(id)
    if (!r) continue
    jobs.push({
      id: r.id,
      seq: r.seq,
      projectId: r.project_id,
      type: r.type,
      title: r.title,
      payload: parseJson(r.payload) ?? {},
      status: r.status,
      progress: r.progress,
      result: parseJson(r.result),
      error: r.error,
      priority: r.priority,
      position: r.position,
      retryCount: r.retry_count,
      maxRetries: r.max_retries,
      nextResource: r.next_resource,
      runAfter: r.run_after,
      waitingReason: r.waiting_reason,
      waitingProvider: r.waiting_provider,
      leaseOwner: r.lease_owner,
      leaseExpiresAt: r.lease_expires_at,
      batchId: r.batch_id,
      estimatedDurationMs: r.estimated_duration_ms,
      actualDurationMs: r.actual_duration_ms,
      costUsd: r.cost_usd,
      costUnknown: r.cost_unknown === 1,
      createdAt: r.created_at,
      startedAt: r.started_at,
      completedAt: r.completed_at,
      updatedAt: r.updated_at,
      steps: stepsOf.all(r.seq).map(pushStep),
      logs: logsOf.all(r.seq).map((l) => ({ ...l, params: parseJson(l.params) }))
    })
  }
  return jobs.sort((a, b) => a.seq - b.seq)
}

function pushStep(s: StepRow): PushStep {
  return {
    index: s.idx,
    name: s.name,
    title: s.title,
    resource: s.resource,
    status: s.status,
    attempts: s.attempts,
    progress: s.progress,
    output: parseJson(s.output),
    files: parseJson<Record<string, string>>(s.files) ?? {},
    workDir: s.work_dir,
    error: s.error,
    costUsd: s.cost_usd,
    provider: s.provider,
    fallback: s.fallback === 1,
    startedAt: s.started_at,
    completedAt: s.completed_at,
    durationMs: s.duration_ms
  }
}

interface StoredBatch {
  id: string
  name: string
  status: string
  source_label: string
  source_file: string
  source_format: string | null
  encoding: string | null
  delimiter: string | null
  sheet: string | null
  project_id: string
  config: string
  template: string | null
  total_rows: number
  imported: number
  error: string | null
  ignored_columns: string | null
  headers: string | null
  started_at: number | null
  finished_at: number | null
  created_at: number
  updated_at: number
}

/** Every batch, with all its rows (in sheet order). */
export function readPushBatches(db: Db): PushBatch[] {
  const rowsOf = prep<[string], { row_number: number; state: PushBatchRow['state']; input: string | null; job_id: string | null; error: string | null; priority: number; cells: string | null }>(
    db,
    'SELECT row_number, state, input, job_id, error, priority, cells FROM batch_rows WHERE batch_id = ? ORDER BY row_number'
  )
  return prep<[], StoredBatch>(db, 'SELECT * FROM batches ORDER BY created_at, id')
    .all()
    .map((b) => ({
      id: b.id,
      name: b.name,
      status: b.status,
      sourceLabel: b.source_label,
      sourceFile: b.source_file,
      sourceFormat: b.source_format,
      encoding: b.encoding,
      delimiter: b.delimiter,
      sheet: b.sheet,
      projectId: b.project_id,
      config: b.config,
      template: b.template,
      totalRows: b.total_rows,
      imported: b.imported === 1,
      error: b.error,
      ignoredColumns: b.ignored_columns,
      headers: b.headers,
      startedAt: b.started_at,
      finishedAt: b.finished_at,
      createdAt: b.created_at,
      updatedAt: b.updated_at,
      rows: rowsOf.all(b.id).map((r) => ({
        rowNumber: r.row_number,
        state: r.state,
        input: parseJson(r.input),
        jobId: r.job_id,
        error: r.error,
        priority: r.priority,
        cells: r.cells
      }))
    }))
}

/** Every storyboard, with its kept revisions and its renders. */
export function readPushStoryboards(db: Db): PushStoryboard[] {
  const revisionsOf = prep<[string], { revision: number; doc: string; edit: string; created_at: number }>(
    db,
    'SELECT revision, doc, edit, created_at FROM storyboard_revisions WHERE storyboard_id = ? ORDER BY revision'
  )
  const rendersOf = prep<[string], { job_id: string; revision: number; draft: number; scene_id: string | null; created_at: number }>(
    db,
    'SELECT job_id, revision, draft, scene_id, created_at FROM storyboard_renders WHERE storyboard_id = ? ORDER BY created_at'
  )
  return prep<[], { id: string; project_id: string; revision: number; head: number; created_at: number; updated_at: number }>(
    db,
    'SELECT id, project_id, revision, head, created_at, updated_at FROM storyboards ORDER BY created_at, id'
  )
    .all()
    .map((s) => ({
      id: s.id,
      projectId: s.project_id,
      revision: s.revision,
      head: s.head,
      createdAt: s.created_at,
      updatedAt: s.updated_at,
      revisions: revisionsOf.all(s.id).map((r) => ({ revision: r.revision, doc: r.doc, edit: r.edit, createdAt: r.created_at })),
      renders: rendersOf.all(s.id).map((r) => ({ jobId: r.job_id, revision: r.revision, draft: r.draft === 1, sceneId: r.scene_id, createdAt: r.created_at }))
    }))
}

/** The projects with these ids that have a row (a job's project may be only a name on its jobs), and all their assets. */
export function readPushProjects(db: Db, ids: readonly string[]): { projects: PushProject[]; assets: PushAsset[] } {
  if (ids.length === 0) return { projects: [], assets: [] }
  const list = JSON.stringify(ids)
  const projects = prep<[string], { id: string; name: string; created_at: number }>(
    db,
    'SELECT id, name, created_at FROM projects WHERE id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id'
  )
    .all(list)
    .map((p) => ({ id: p.id, name: p.name, createdAt: p.created_at }))
  const assets = prep<[string], Record<string, unknown>>(
    db,
    `SELECT id, project_id, name, kind, path, bytes, sha256, duration_sec, author, author_url, licence, licence_url, source_url, source_id, created_at
       FROM assets WHERE project_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id`
  )
    .all(list)
    .map((a) => ({
      id: a.id as string,
      projectId: a.project_id as string,
      name: a.name as string,
      kind: a.kind as string,
      path: a.path as string,
      bytes: a.bytes as number,
      sha256: a.sha256 as string | null,
      durationSec: a.duration_sec as number | null,
      author: a.author as string | null,
      authorUrl: a.author_url as string | null,
      licence: a.licence as string | null,
      licenceUrl: a.licence_url as string | null,
      sourceUrl: a.source_url as string | null,
      sourceId: a.source_id as string | null,
      createdAt: a.created_at as number
    }))
  return { projects, assets }
}

/** A job as the push read it: its status and its last change, which the hold must find unchanged. */
export interface HeldJob {
  id: string
  status: JobRow['status']
  updatedAt: number
  /** For an interrupted job (processing, no live engine): the lease as read. */
  leaseOwner?: string | null
}

/**
 * Hold the jobs being moved, in one transaction, so that no local engine claims them meanwhile:
 * a pending job's run_after moves to `until` and its waiting reason says why; a paused one only
 * gets the mark; an interrupted one gets a lease of this process until `until` (an engine here
 * takes back at once the jobs of a process that died, so a push that dies gives them back). Every
 * job gets `heldAt` as its updated_at, the mark the later writes check. Returns the ids held: a
 * job changed since it was read is left out.
 */
export function holdJobs(db: Db, jobs: readonly HeldJob[], heldAt: number, until: number, owner: string): string[] {
  const held: string[] = []
  inTransaction(db, () => {
    for (const j of jobs) {
      const changes =
        j.status === 'pending'
          ? prep(db, `UPDATE jobs SET run_after = ?, waiting_reason = 'moving to the studio farm', updated_at = ? WHERE id = ? AND status = 'pending' AND updated_at = ?`)
              .run(until, heldAt, j.id, j.updatedAt).changes
          : j.status === 'processing'
            ? prep(db, `UPDATE jobs SET lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE id = ? AND status = 'processing' AND lease_owner IS ? AND updated_at = ?`)
                .run(owner, until, heldAt, j.id, j.leaseOwner ?? null, j.updatedAt).changes
            : prep(db, 'UPDATE jobs SET updated_at = ? WHERE id = ? AND status = ? AND updated_at = ?').run(heldAt, j.id, j.status, j.updatedAt).changes
      if (changes === 1) held.push(j.id)
    }
  })
  return held
}

/** Undo holdJobs for jobs that did not move (the farm refused, or the push stopped): each as it was read. */
export function releaseJobs(db: Db, jobs: ReadonlyArray<PushJob>, heldAt: number): void {
  inTransaction(db, () => {
    for (const j of jobs) {
      prep(db, 'UPDATE jobs SET run_after = ?, waiting_reason = ?, lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE id = ? AND updated_at = ?').run(
        j.runAfter,
        j.waitingReason,
        j.leaseOwner,
        j.leaseExpiresAt,
        j.updatedAt,
        j.id,
        heldAt
      )
    }
  })
}

/**
 * Remove the jobs now on the farm (their steps and log lines go with them) and the batches that
 * moved, in one transaction. A held job changed here meanwhile (its mark gone) stays: returned,
 * so the push says it is in both places.
 */
export function removeMoved(db: Db, jobs: ReadonlyArray<{ id: string; mark: number }>, batchIds: readonly string[]): { removed: string[]; kept: string[] } {
  const removed: string[] = []
  const kept: string[] = []
  inTransaction(db, () => {
    for (const j of jobs) {
      const changes = prep(db, 'DELETE FROM jobs WHERE id = ? AND updated_at = ?').run(j.id, j.mark).changes
      ;(changes === 1 ? removed : kept).push(j.id)
    }
    for (const id of batchIds) prep(db, 'DELETE FROM batches WHERE id = ?').run(id)
  })
  return { removed, kept }
}

/** A storyboard step's kept result (the artifact cache), as `farm push` takes it: files relative to the data folder. */
export interface PushArtifact {
  projectId: string
  key: string
  kind: string
  /** JSON text, copied as it is. */
  data: string
  files: Record<string, string>
  costUsd: number | null
  provider: string | null
  createdAt: number
}

/** The artifact cache of these projects: what a moved storyboard render, and the next ones on the farm, reuse. */
export function readPushArtifacts(db: Db, projectIds: readonly string[]): PushArtifact[] {
  if (projectIds.length === 0) return []
  return prep<[string], { project_id: string; key: string; kind: string; data: string; files: string; cost_usd: number | null; provider: string | null; created_at: number }>(
    db,
    'SELECT project_id, key, kind, data, files, cost_usd, provider, created_at FROM artifacts WHERE project_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, key'
  )
    .all(JSON.stringify(projectIds))
    .map((a) => ({
      projectId: a.project_id,
      key: a.key,
      kind: a.kind,
      data: a.data,
      files: parseJson(a.files) as Record<string, string>,
      costUsd: a.cost_usd,
      provider: a.provider,
      createdAt: a.created_at
    }))
}

/** These storyboard renders' jobs are the farm's now: the storyboard views read them there (migration 17). */
export function markRendersOnFarm(db: Db, jobIds: readonly string[]): void {
  if (jobIds.length === 0) return
  prep(db, 'UPDATE storyboard_renders SET on_farm = 1 WHERE job_id IN (SELECT value FROM json_each(?))').run(JSON.stringify(jobIds))
}
