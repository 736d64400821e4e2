/**
 * `studio farm push`: moves this machine's unfinished work to the studio farm.
 *
 * What moves (unfinished, from the user's side): jobs queued (pending, including those waiting
 * for a retry or a provider), paused, and interrupted (processing, but no engine holds a live
 * lease on them any more). Completed, failed and cancelled jobs stay here, as history (a failed job
 * retried here first becomes pending, and moves). A batch moves whole when it has work left (a row
 * not queued yet, or an unfinished job): its rows, and all its jobs — finished ones too, so that
 * its results, totals and export stay whole. Storyboards, and the projects and assets the moved
 * work belongs to, are copied (they stay here too: they are documents the user edits).
 *
 * A storyboard's render moves as any job (its finished steps kept), with the artifact cache of the
 * projects pushed (rows, and their files copied into the share), so the farm's workers reuse what
 * this machine made, for this render and the next; its record here is marked as the farm's, so a
 * window on the farm shows it.
 *
 * What stays, with a reason: a job an engine here is running (live lease: stop it, or let it
 * finish, and push again), a batch running here (its engine queues its rows as the queue drains:
 * pause it first), and the jobs of a batch that stays.
 *
 * Safety: the jobs being moved are held here (store/push-reads.ts holdJobs) so that no engine here
 * claims one meanwhile; their files are copied into the shared folder; everything is written to
 * the farm in one PostgreSQL transaction; only once that has committed are the moved jobs and
 * batches removed from the local queue, in one local transaction. A job the farm already has (an
 * earlier push that stopped before removing it here) is not written again: it is removed here,
 * so it cannot run twice. A push that fails before the farm's commit gives the jobs back as they
 * were and removes the files it copied.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { existsSync, rmSync } from 'node:fs'
import type pg from 'pg'
import { logEntry } from '../../../shared/log-lines'
import type { JsonValue } from '../../../shared/types'
import type { Db } from '../store/database'
import { PgArtifactStore } from '../store/postgres/artifacts'
import { alreadyOnFarm, writeFarmPush, type FarmPushJob } from '../store/postgres/push'
import {
  holdJobs,
  jobIdsOfBatches,
  readPushBatches,
  readPushJobs,
  readPushProjects,
  readPushStoryboards,
  markRendersOnFarm,
  readPushArtifacts,
  releaseJobs,
  removeMoved,
  storyboardRenderJobIds,
  unfinishedJobIds,
  type PushArtifact,
  type PushAsset,
  type PushBatch,
  type PushJob
} from '../store/push-reads'
import { rebasePath } from '../store/relocate'
import { FarmError } from './errors'
import { FileCopies, isInside, sameFolder } from './push-files'
import { toStoredJson } from './shared-json'
import { checkSharedMedia, toDataRelative } from './shared-media'

/** How long a job being moved stays held here at most, should the push die before giving it back. */
export const PUSH_HOLD_MS = 5 * 60_000

export interface PushOptions {
  /** The local studio's database and data folder. */
  db: Db
  localDir: string
  /** The farm's database (its schema checked by the caller) and its shared data folder as this machine mounts it. */
  pool: pg.Pool
  farmDir: string
  dryRun?: boolean
  /** What a step on a resource needs of a worker (capabilities.ts's stepNeeds). */
  stepNeeds: (resource: string) => readonly string[]
  now?: () => number
}

export interface SkippedItem {
  kind: 'job' | 'batch' | 'asset'
  id: string
  title: string
  reason: string
}

export interface PushReport {
  dryRun: boolean
  /** Jobs written to the farm (or that would be). */
  jobs: number
  /** Their finished steps, kept with their results: never run again on the farm. */
  stepsKept: number
  logLines: number
  batches: number
  batchRows: number
  storyboards: number
  projects: number
  assets: number
  /** Storyboard renders' kept results (the artifact cache) the farm did not have. */
  artifacts: number
  filesCopied: number
  bytesCopied: number
  /** Jobs removed from the local queue (moved now, or found already on the farm). */
  removedHere: number
  /** Already on the farm (same id): not written again. */
  alreadyOnFarm: { jobs: string[]; batches: string[]; storyboards: string[] }
  skipped: SkippedItem[]
  /** The ids moved, for scripts (--json). */
  movedJobIds: string[]
}

export async function pushToFarm(o: PushOptions): Promise<PushReport> {
  const now = o.now ?? Date.now
  const localDir = resolve(o.localDir)
  const farmDir = resolve(o.farmDir)
  const skipped: SkippedItem[] = []
  const start = now()

  // ------------------------------------------------------------ what would move
  const renders = storyboardRenderJobIds(o.db)
  const unfinished = readPushJobs(o.db, unfinishedJobIds(o.db))
  const staying = new Map<string, string>()
  for (const j of unfinished) {
    if (j.status === 'processing' && (j.leaseExpiresAt ?? 0) > start) {
      staying.set(j.id, `running here (${j.leaseOwner ?? 'an engine'}): stop it or let it finish, then push again`)
    } else {
      // A finished step whose files lie outside the data folder: no worker could read them.
      const stray = j.steps.find((st) => st.status === 'completed' && Object.values(st.files).some((f) => !isInside(localDir, f)))
      if (stray) staying.set(j.id, `its finished step ${stray.name} has files outside the data folder ${localDir}, where no worker can read them`)
    }
  }
  const batchesMoved: PushBatch[] = []
  const batchesStaying = new Map<string, string>()
  for (const b of readPushBatches(o.db)) {
    const own = unfinished.filter((j) => j.batchId === b.id)
    const workLeft = own.length > 0 || b.rows.some((r) => r.state === 'ready')
    if (!workLeft) continue
    const held = own.find((j) => staying.has(j.id))
    const reason =
      b.status === 'running'
        ? `running here (its rows are queued as the queue drains): pause it (studio batch pause ${b.id.slice(0, 8)}), then push again`
        : !b.imported && b.status !== 'error'
          ? 'still importing its rows: push again once it has'
          : held
          ? `its job ${held.id} stays here (${staying.get(held.id)})`
          : null
    if (reason) {
      batchesStaying.set(b.id, reason)
      skipped.push({ kind: 'batch', id: b.id, title: b.name, reason })
    } else {
      batchesMoved.push(b)
    }
  }
  for (const j of unfinished) {
    if (!staying.has(j.id) && j.batchId && batchesStaying.has(j.batchId)) staying.set(j.id, `its batch stays here (${batchesStaying.get(j.batchId)})`)
  }
  for (const j of unfinished) {
    const reason = staying.get(j.id)
    if (reason) skipped.push({ kind: 'job', id: j.id, title: j.title, reason })
  }
  const unfinishedMoving = unfinished.filter((j) => !staying.has(j.id))
  const movingIds = new Set(unfinishedMoving.map((j) => j.id))
  // A moved batch's finished jobs go with it.
  const finishedOfBatches = readPushJobs(
    o.db,
    jobIdsOfBatches(o.db, batchesMoved.map((b) => b.id)).filter((id) => !movingIds.has(id))
  )
  // Queue order: most urgent first, then the user's manual order, then FIFO, as the claim reads it.
  const candidates = [...unfinishedMoving, ...finishedOfBatches].sort((a, b) => a.priority - b.priority || a.position - b.position || a.seq - b.seq)
  const storyboards = readPushStoryboards(o.db)
  const projectIds = new Set<string>([...candidates.map((j) => j.projectId), ...batchesMoved.map((b) => b.projectId), ...storyboards.map((s) => s.projectId)])
  const { projects, assets } = readPushProjects(o.db, [...projectIds])

  const on = await alreadyOnFarm(o.pool, {
    jobs: candidates.map((j) => j.id),
    batches: batchesMoved.map((b) => b.id),
    storyboards: storyboards.map((s) => s.id),
    projects: projects.map((p) => p.id),
    assets: assets.map((a) => a.id)
  })
  const jobsToWrite = candidates.filter((j) => !on.jobs.has(j.id))
  const assetsToWrite: PushAsset[] = []
  for (const a of assets) {
    if (on.assets.has(a.id)) continue
    if (!isInside(localDir, a.path)) {
      skipped.push({ kind: 'asset', id: a.id, title: a.name, reason: `its file ${a.path} is outside the data folder, where no worker can read it` })
      continue
    }
    assetsToWrite.push(a)
  }
  // The artifact cache of these projects, but what the farm has (the same key is the same content)
  // and what names a file this machine no longer has or that lies outside the data folder.
  const artifactsToWrite: PushArtifact[] = []
  const farmArtifacts = new PgArtifactStore(o.pool, farmDir)
  for (const projectId of projectIds) {
    const cached = readPushArtifacts(o.db, [projectId])
    const there = await farmArtifacts.cachedKeys(projectId, cached.map((a) => a.key))
    for (const a of cached) {
      if (there.has(a.key)) continue
      if (Object.values(a.files).every((f) => { const p = join(localDir, f); return isInside(localDir, p) && existsSync(p) })) artifactsToWrite.push(a)
    }
  }
  const batchesToWrite = batchesMoved.filter((b) => !on.batches.has(b.id))
  const storyboardsToWrite = storyboards.filter((s) => !on.storyboards.has(s.id))
  const projectsToWrite = projects.filter((p) => !on.projects.has(p.id))

  const report: PushReport = {
    dryRun: o.dryRun === true,
    jobs: jobsToWrite.length,
    stepsKept: jobsToWrite.reduce((n, j) => n + j.steps.filter((s) => s.status === 'completed').length, 0),
    logLines: jobsToWrite.reduce((n, j) => n + j.logs.length + 1, 0),
    batches: batchesToWrite.length,
    batchRows: batchesToWrite.reduce((n, b) => n + b.rows.length, 0),
    storyboards: storyboardsToWrite.length,
    projects: projectsToWrite.length,
    assets: assetsToWrite.length,
    artifacts: artifactsToWrite.length,
    filesCopied: 0,
    bytesCopied: 0,
    removedHere: 0,
    alreadyOnFarm: { jobs: candidates.filter((j) => on.jobs.has(j.id)).map((j) => j.id), batches: [...on.batches], storyboards: [...on.storyboards] },
    skipped,
    movedJobIds: jobsToWrite.map((j) => j.id)
  }
  if (o.dryRun || (candidates.length === 0 && batchesToWrite.length === 0 && storyboardsToWrite.length === 0 && projectsToWrite.length === 0 && assetsToWrite.length === 0 && artifactsToWrite.length === 0)) {
    return report
  }

  const copying = !sameFolder(localDir, farmDir)
  if (copying) {
    const media = await checkSharedMedia(farmDir)
    if (!media.ok) throw new FarmError('farm-data-dir', `cannot push: ${media.reason}`, '--farm-data-dir')
  }

  // ------------------------------------------------------------ hold, copy, write, remove
  // After every job's last change: the mark tells the hold from any earlier change.
  const heldAt = candidates.reduce((t, j) => Math.max(t, j.updatedAt + 1), now())
  const owner = `${hostname()}:${process.pid}:farm-push`
  const heldIds = new Set(holdJobs(o.db, candidates.map((j) => ({ id: j.id, status: j.status, updatedAt: j.updatedAt, leaseOwner: j.leaseOwner })), heldAt, heldAt + PUSH_HOLD_MS, owner))
  for (const j of candidates) {
    if (!heldIds.has(j.id)) skipped.push({ kind: 'job', id: j.id, title: j.title, reason: 'changed here while the push read it: push again' })
  }
  const held = candidates.filter((j) => heldIds.has(j.id))
  // A batch moves only with all its jobs: one of them changed here meanwhile keeps it, and them, here.
  const wholeHere = (b: PushBatch) => candidates.every((j) => j.batchId !== b.id || heldIds.has(j.id))
  const splitBatches = new Set(batchesMoved.filter((b) => !wholeHere(b)).map((b) => b.id))
  const writing = jobsToWrite.filter((j) => heldIds.has(j.id) && !(j.batchId !== null && splitBatches.has(j.batchId)))
  const batchesWriting = batchesToWrite.filter(wholeHere)
  const files = new FileCopies()
  const move = (p: string) => rebasePath(p, localDir, farmDir)
  let writtenBatches: readonly string[] = []
  try {
    if (copying) {
      for (const j of writing) files.copy(join(localDir, 'jobs', j.id), join(farmDir, 'jobs', j.id))
      for (const a of assetsToWrite) files.copy(a.path, move(a.path)!)
      for (const b of batchesWriting) if (isInside(localDir, b.sourceFile)) files.copy(b.sourceFile, move(b.sourceFile)!)
      for (const a of artifactsToWrite) for (const f of Object.values(a.files)) files.copy(join(localDir, f), join(farmDir, f))
    }
    const written = await writeFarmPush(o.pool, {
      origin: randomUUID(),
      jobs: writing.map((j) => farmJob(j, localDir, farmDir, o.stepNeeds, heldAt)),
      batches: batchesWriting.map((b) => ({
        ...b,
        sourceFile: isInside(localDir, b.sourceFile) ? toDataRelative(farmDir, move(b.sourceFile)!) : b.sourceFile,
        rows: b.rows.map((r) => ({ ...r, input: rebaseJson(r.input, localDir, farmDir) }))
      })),
      storyboards: storyboardsToWrite,
      projects: projectsToWrite,
      assets: assetsToWrite.map((a) => ({ ...a, path: toDataRelative(farmDir, move(a.path)!) })),
      // Stored relative with forward slashes, as the farm's readers expect.
      artifacts: artifactsToWrite.map((a) => ({ ...a, files: Object.fromEntries(Object.entries(a.files).map(([n, f]) => [n, toDataRelative(farmDir, join(farmDir, f))])) }))
    })
    writtenBatches = written.batches
    Object.assign(report, {
      jobs: written.jobs.length,
      stepsKept: written.stepsKept,
      logLines: written.logLines,
      batches: written.batches.length,
      batchRows: batchesWriting.filter((b) => written.batches.includes(b.id)).reduce((n, b) => n + b.rows.length, 0),
      storyboards: written.storyboards.length,
      projects: written.projects.length,
      assets: written.assets.length,
      movedJobIds: written.jobs
    })
  } catch (err) {
    files.undo()
    releaseJobs(o.db, held, heldAt)
    throw err
  }
  report.filesCopied = files.files
  report.bytesCopied = files.bytes

  // The farm has them: they leave the local queue (moved now, or by an earlier push that stopped
  // before it removed them here).
  const onFarmNow = new Set([...report.movedJobIds, ...on.jobs])
  for (const j of held) {
    if (!onFarmNow.has(j.id) && j.batchId !== null && splitBatches.has(j.batchId)) {
      skipped.push({ kind: 'job', id: j.id, title: j.title, reason: 'another job of its batch changed here while the push read it: push again' })
    }
  }
  const leaving = held.filter((j) => onFarmNow.has(j.id))
  const batchesLeaving = batchesMoved.filter((b) => wholeHere(b) && (writtenBatches.includes(b.id) || on.batches.has(b.id)))
  const { removed, kept } = removeMoved(o.db, leaving.map((j) => ({ id: j.id, mark: heldAt })), batchesLeaving.map((b) => b.id))
  releaseJobs(o.db, held.filter((j) => !onFarmNow.has(j.id)), heldAt)
  report.removedHere = removed.length
  // A moved render is the farm's job now: the storyboard's views read it there.
  markRendersOnFarm(o.db, removed.filter((id) => renders.has(id)))
  for (const id of kept) {
    const j = held.find((x) => x.id === id)!
    skipped.push({ kind: 'job', id, title: j.title, reason: 'changed here during the push: it is now on the farm and here; cancel one of them' })
  }
  if (copying) for (const id of removed) rmSync(join(localDir, 'jobs', id), { recursive: true, force: true })
  return report
}

/**
 * A local job as the farm stores it: files and work folders relative to the shared folder, and
 * the paths in steps' outputs and the result in the farm's stored form (shared-json.ts), so that
 * each worker and window reads them under its own mount; the payload's paths moved to the shared
 * folder as this machine mounts it; an interrupted job queued again, its
 * running step back to pending (as a reclaim does); a line saying where it came from.
 */
function farmJob(j: PushJob, localDir: string, farmDir: string, stepNeeds: (resource: string) => readonly string[], now: number): FarmPushJob {
  // Relative to the shared folder. What lies outside the data folder (only a finished job of a
  // moved batch may have it: an unfinished one stays here) is kept as it was, for the record.
  const rel = (p: string) => {
    const moved = rebasePath(p, localDir, farmDir)
    return moved === null ? null : toDataRelative(farmDir, moved)
  }
  const steps = j.steps.map((s) => {
    const files: Record<string, string> = {}
    for (const [name, path] of Object.entries(s.files)) files[name] = rel(path) ?? path
    const running = s.status === 'running'
    return {
      ...s,
      status: running ? ('pending' as const) : s.status,
      progress: running ? 0 : s.progress,
      output: toStoredJson(farmDir, rebaseJson(s.output, localDir, farmDir)),
      files,
      // A work folder elsewhere is only where an earlier attempt ran: the next attempt makes its own.
      workDir: s.workDir === null ? null : rel(s.workDir)
    }
  })
  const next = steps.find((s) => s.status !== 'completed')
  const kept = steps.filter((s) => s.status === 'completed').length
  const ts = j.logs.reduce((t, l) => Math.max(t, l.ts), now)
  const line = logEntry('movedToFarm', { host: hostname(), kept })
  return {
    ...j,
    status: j.status === 'processing' ? 'pending' : j.status,
    // Stored relative to the shared folder, as PgJobStore's enqueue stores it: every worker reads it under its own mount.
    payload: toStoredJson(farmDir, rebaseJson(j.payload, localDir, farmDir)) ?? {},
    result: toStoredJson(farmDir, rebaseJson(j.result, localDir, farmDir)),
    nextResource: j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled' ? j.nextResource : (next?.resource ?? null),
    nextNeeds: next && j.status !== 'completed' ? [...stepNeeds(next.resource)] : [],
    waitingReason: j.status === 'processing' ? null : j.waitingReason,
    steps,
    logs: [...j.logs, { ts, level: 'info', step: null, message: '', code: line.code, params: line.params as JsonValue }]
  }
}

/** Every string of a JSON value that is a path inside the local data folder, moved to the shared one. */
function rebaseJson<T extends JsonValue | null>(value: T, localDir: string, farmDir: string): T {
  const walk = (v: JsonValue | null): JsonValue | null => {
    if (typeof v === 'string') return rebasePath(v, localDir, farmDir) ?? v
    if (Array.isArray(v)) return v.map((x) => walk(x) as JsonValue)
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x) as JsonValue]))
    return v
  }
  return walk(value) as T
}
