/**
 * Storyboard renders from a window (or `studio storyboard --queue-url`) on a studio farm. The
 * storyboard stays this computer's — it is edited here, with undo, in the local SQLite — and its
 * render goes to the farm's queue, where any worker runs it with the farm's artifact cache
 * (store/postgres/artifacts.ts), so an edit re-renders only what it touched whichever worker
 * takes it.
 *
 * Before the job is queued, the farm is given what the render names of the project: the project
 * and the assets its scenes and music use (upserted: the same id replaced when its file changed
 * here), their files copied into the shared data folder at the same place under it as here,
 * unless this data folder is the share. Each asset is measured here first (hash, length), so the
 * farm's row carries it and no worker has to. The render is recorded here (its job id marked as
 * the farm's), and the views read its job from the farm: the storyboard shows the farm's
 * progress, result and files, the files under this machine's mount of the share.
 */
import { existsSync, statSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import type { RenderPlanView, StoryboardSummary, StoryboardView } from '../../../shared/storyboard'
import type { JobDetail, JobView } from '../../../shared/types'
import { QueueError } from '../errors'
import { rebasePath } from '../store/relocate'
import { farmAssets, PgArtifactStore, upsertRenderAssets, type FarmRenderAsset } from '../store/postgres/artifacts'
import type { PgJobStore } from '../store/postgres/jobs'
import type { ArtifactStore } from '../store/storyboards'
import { ArtifactCache } from '../storyboards/artifact-cache'
import { assetRefs } from '../storyboards/document'
import type { FarmJobs, RenderRequest } from '../storyboards/service'
import type { Studio } from '../studio'
import { FileCopies, isInside, sameFolder } from './push-files'
import { fromDataRelative, toDataRelative } from './shared-media'

export interface FarmStoryboardsOptions {
  studio: Studio
  /** The farm's job store and its connections. */
  farm: { store: PgJobStore; pool: import('pg').Pool }
  /** The shared data folder as this machine mounts it. */
  sharedDir: string
}

export class FarmStoryboards {
  constructor(private readonly o: FarmStoryboardsOptions) {}

  private get boards() {
    return this.o.studio.storyboards
  }

  /** Queue a render of the storyboard as it is now on the farm; the storyboard, with it, as the window shows it. */
  async render(req: RenderRequest): Promise<{ storyboard: StoryboardView; job: JobView }> {
    const prepared = await this.boards.prepareRender(req)
    const { board, input, title, priority } = prepared
    await this.shareAssets(board.projectId, [...new Set(assetRefs(board.doc).map((r) => r.assetId))])
    const job = await this.o.farm.store.enqueue({
      type: 'storyboard',
      projectId: board.projectId,
      input: input as unknown as Record<string, unknown>,
      title,
      ...(priority !== undefined ? { priority } : {})
    })
    // Queued there first: a failure to record it here leaves a render the farm runs, never a record of a job nobody runs.
    this.boards.recordFarmRender(prepared, job.id)
    return { storyboard: await this.view(board.id), job }
  }

  /** The storyboard with its renders, those queued on the farm read from it. */
  async view(id: string): Promise<StoryboardView> {
    return this.boards.view(id, await this.farmJobs(this.boards.farmRenderJobs(id)))
  }

  async list(projectId?: string): Promise<StoryboardSummary[]> {
    return this.boards.list(projectId, await this.farmJobs(this.boards.farmRenderJobs(null, projectId)))
  }

  /** What a render would run and reuse: the artifacts the farm's workers keep, the assets as measured here. */
  plan(req: RenderRequest): Promise<RenderPlanView> {
    const farm = new PgArtifactStore(this.o.farm.pool, this.o.sharedDir)
    const local = this.o.studio.services.storyboards
    const store: ArtifactStore = {
      cached: (p, k) => farm.cached(p, k),
      cachedKeys: (p, k) => farm.cachedKeys(p, k),
      storeArtifact: (p, k, a) => farm.storeArtifact(p, k, a),
      forgetArtifact: (p, k) => farm.forgetArtifact(p, k),
      assetFacts: (a) => local.assetFacts(a),
      saveAssetFacts: (a, f) => local.saveAssetFacts(a, f)
    }
    return this.boards.plan(req, new ArtifactCache(store, this.o.sharedDir))
  }

  /** The farm's jobs of these renders, their files under this machine's mount of the share. */
  private async farmJobs(ids: readonly string[]): Promise<FarmJobs> {
    const jobs = new Map<string, JobDetail>()
    const found = await Promise.all(ids.map((id) => this.o.farm.store.get(id)))
    for (const job of found) {
      if (!job) continue
      jobs.set(job.id, {
        ...job,
        steps: job.steps.map((s) => ({ ...s, files: Object.fromEntries(Object.entries(s.files).map(([name, p]) => [name, this.local(p)])) }))
      })
    }
    return jobs
  }

  private local(stored: string): string {
    if (isAbsolute(stored)) return stored
    try {
      return fromDataRelative(this.o.sharedDir, stored)
    } catch {
      return stored
    }
  }

  /**
   * The project and the assets the render uses, on the farm: measured here, copied into the share
   * when this data folder is not it (and the farm does not already have this very file), upserted.
   */
  private async shareAssets(projectId: string, ids: readonly string[]): Promise<void> {
    const studio = this.o.studio
    const project = studio.projects.list().find((p) => p.id === projectId)
    if (!project) throw new QueueError('not_found', `no project ${projectId}`)
    const localDir = studio.dataDir
    const sharedDir = this.o.sharedDir
    const copying = !sameFolder(localDir, sharedDir)
    const views = new Map(studio.projects.assets(projectId).map((a) => [a.id, a]))
    const onFarm = await farmAssets(this.o.farm.pool, ids)
    const rows: FarmRenderAsset[] = []
    const copies: Array<{ from: string; to: string }> = []
    for (const id of ids) {
      const view = views.get(id)
      if (!view) throw new QueueError('bad_request', `asset ${id}: not in project ${projectId}`)
      const facts = await studio.services.artifacts.asset(projectId, id, studio.services.binaries())
      const target = copying ? rebasePath(facts.path, localDir, sharedDir) : facts.path
      if (!target || !isInside(localDir, facts.path)) {
        throw new QueueError('bad_request', `asset "${view.name}": its file ${facts.path} is outside the data folder, where no farm worker can read it (import it into the project again)`)
      }
      const path = toDataRelative(sharedDir, target)
      const there = onFarm.get(id)
      const current = there?.path === path && there.sha256 === facts.sha256 && existsSync(target) && statSync(target).size === view.bytes
      if (copying && !current) copies.push({ from: facts.path, to: target })
      rows.push({ id, projectId, name: view.name, kind: view.kind, path, bytes: view.bytes, sha256: facts.sha256, durationSec: facts.durationSec, createdAt: view.createdAt })
    }
    // Each copy lands whole under its name (push-files.ts); one left by a failed upsert is the asset's current file, where the next render expects it.
    const files = new FileCopies()
    for (const c of copies) files.copy(c.from, c.to)
    await upsertRenderAssets(this.o.farm.pool, { id: project.id, name: project.name, createdAt: project.createdAt }, rows)
  }
}
