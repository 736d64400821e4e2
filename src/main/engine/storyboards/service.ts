import type { JobDetail, JobView } from '../../../shared/types'
import {
  countWords,
  StoryboardSource,
  WORDS_PER_SECOND,
  type RenderPlanView,
  type SceneView,
  type StoryboardEdit,
  type StoryboardRenderView,
  type StoryboardSettingsInput,
  type StoryboardSource as StoryboardSourceInput,
  type StoryboardSummary,
  type StoryboardView
} from '../../../shared/storyboard'
import { describeZodError } from '../../../shared/schemas'
import { QueueError } from '../errors'
import type { EventBus } from '../events'
import type { JobStore as Queue } from '../store/jobs'
import type { StudioServices } from '../services'
import type { Transactions } from '../store/transactions'
import type { ArtifactCache, AssetFile } from './artifact-cache'
import { applyEdit, assetRefs, makeScene, makeSettings, sceneIndex, type StoryboardDoc } from './document'
import { scenesFromIdea, rewriteNarration } from './from-idea'
import { parseStepName, planRenderSteps, RenderInput, sceneTransition, scenesToRender } from './render-input'
import { assembleKeyOf } from './steps/assemble'
import { musicKeyOf } from './steps/music'
import { segmentSpec, type SceneFacts } from './segment-spec'
import { visualKeyOf } from './steps/visual'
import { voiceKeyOf } from './steps/voice'
import type { StoredStoryboard } from '../store/storyboards'
import { sceneSeconds } from './timing'

/** A step that uses a project asset as it is: nothing to make, always "reused". */
const ASSET = 'asset'

export interface StoryboardDeps {
  /** The project's media (for pictures taken in order when creating from an idea). */
  assets(projectId: string): Array<{ id: string; kind: string; name: string }>
  /** Groups the render's job and its record into one commit. */
  transactions: Transactions
  queue: Queue
  events: EventBus
  services: StudioServices
  /** Recent average duration of a step kind, for estimates (null when never measured). */
  averageStepMs(kind: string): number | null
}

export interface CreateRequest {
  /** A storyboard made by a job takes an id derived from the job, so a retried job finds it. */
  id?: string | undefined
  projectId: string
  title?: string | undefined
  from: StoryboardSourceInput
  settings?: Partial<StoryboardSettingsInput> | undefined
  render?: boolean | undefined
}

export interface RenderRequest {
  id: string
  draft?: boolean | undefined
  sceneId?: string | undefined
  priority?: number | undefined
}

/** A render as it is queued: the storyboard, the payload (its revision), the job's title and priority. */
export interface PreparedRender {
  board: StoredStoryboard
  input: RenderInput
  title: string
  priority?: number
}

/**
 * Render jobs this studio's queue does not hold: a window on a studio farm reads them from the
 * farm first (farm/farm-storyboards.ts) and gives them here, so the views stay synchronous.
 */
export type FarmJobs = ReadonlyMap<string, JobDetail>

/**
 * Storyboards as the contract sees them: create, edit with undo and redo, plan and render. Each
 * edit is one transaction and one revision; a render is a job of the `storyboard` pipeline whose
 * payload is the revision it renders.
 */
export class StoryboardService {
  constructor(private readonly d: StoryboardDeps) {}

  private get store() {
    return this.d.services.storyboards
  }

  list(projectId?: string, farmJobs?: FarmJobs): StoryboardSummary[] {
    return this.store.list(projectId).map((b) => {
      let poster: string | null = null
      for (const r of this.store.renders(b.id, 20)) {
        if (r.draft || r.sceneId) continue
        const view = this.renderView(r.jobId, r, farmJobs)
        if (view?.status === 'completed') {
          poster = view.poster
          break
        }
      }
      return {
        id: b.id,
        projectId: b.projectId,
        title: b.doc.title,
        format: b.doc.settings.format,
        sceneCount: b.doc.scenes.length,
        revision: b.revision,
        updatedAt: b.updatedAt,
        poster
      }
    })
  }

  async create(req: CreateRequest, signal?: AbortSignal): Promise<StoryboardView> {
    if (req.id && this.store.get(req.id)) return this.view(req.id)
    const parsedFrom = StoryboardSource.safeParse(req.from)
    if (!parsedFrom.success) throw new QueueError('bad_request', describeZodError(parsedFrom.error, 'from', 'from.'))
    const from = parsedFrom.data
    const settings = makeSettings(req.settings)
    const assets = this.projectAssets(req.projectId)
    let scenes: StoryboardDoc['scenes'] = []
    let title = req.title
    if (from.kind === 'idea') {
      const written = await scenesFromIdea(this.d.services, { idea: from.idea, language: settings.language, lengthSec: from.lengthSec }, signal)
      // Pictures: the project's own images and clips in order, else generated from each scene's words.
      const media = assets.filter((a) => a.kind === 'image' || a.kind === 'video')
      scenes = written.map((narration, i) =>
        makeScene({
          narration,
          visual: media.length
            ? { kind: 'asset', assetId: media[i % media.length]!.id }
            : { kind: 'generated', prompt: `${from.idea} — ${narration}`.slice(0, 1_000), seed: i + 1 }
        })
      )
      title ??= from.idea.length > 80 ? `${from.idea.slice(0, 77)}…` : from.idea
    } else if (from.kind === 'assets') {
      scenes = from.assetIds.map((assetId, i) => {
        const asset = assets.find((a) => a.id === assetId)
        if (!asset) throw new QueueError('bad_request', `from.assetIds[${i}]: no asset ${assetId} in project ${req.projectId}`)
        if (asset.kind !== 'image' && asset.kind !== 'video') throw new QueueError('bad_request', `from.assetIds[${i}]: ${asset.name} is not an image or a video clip`)
        return makeScene({ visual: { kind: 'asset', assetId } })
      })
    }
    const doc: StoryboardDoc = { title: title ?? 'Untitled storyboard', settings, scenes }
    await this.checkAssets(req.projectId, doc)
    const board = this.store.create(req.projectId, doc, req.id)
    this.announce(board)
    if (req.render) return (await this.render({ id: board.id })).storyboard
    return this.view(board.id)
  }

  /** The storyboard with its renders; `farmJobs` are those of its renders queued on a farm (farmRenderJobs). */
  view(id: string, farmJobs?: FarmJobs): StoryboardView {
    const board = this.store.require(id)
    const renders = this.store.renders(id).flatMap((r) => this.renderView(r.jobId, r, farmJobs) ?? [])
    // Changed since the last render of the whole storyboard (a draft counts: its keys say draft).
    const last = renders.find((r) => !r.sceneId && r.status === 'completed')
    const lastJob = last ? this.jobOf(last.jobId, farmJobs) : null
    const rendered = lastJob ? this.renderedScenes(lastJob) : new Map<string, { segmentKey: string; seconds: number }>()
    const current = last && lastJob && rendered.size ? this.currentSegmentKeys(board, last.draft, lastJob) : new Map<string, string>()
    const scenes: SceneView[] = board.doc.scenes.map((scene, index) => {
      const words = countWords(scene.narration)
      const estimatedSec = sceneSeconds(scene, words ? words / WORDS_PER_SECOND : null)
      const done = rendered.get(scene.id)
      return {
        ...scene,
        index,
        words,
        estimatedSec,
        renderedSec: done?.seconds ?? null,
        changed: !done || done.segmentKey !== current.get(scene.id),
        thumbnail: this.thumbnail(board.projectId, scene)
      }
    })
    return {
      id: board.id,
      projectId: board.projectId,
      title: board.doc.title,
      settings: board.doc.settings,
      scenes,
      revision: board.revision,
      canUndo: board.revision > board.oldest,
      canRedo: board.revision < board.head,
      createdAt: board.createdAt,
      updatedAt: board.updatedAt,
      renders
    }
  }

  async edit(id: string, edit: StoryboardEdit, revision?: number): Promise<StoryboardView> {
    const board = this.store.require(id)
    const { doc, op } = applyEdit(board.doc, edit)
    await this.checkAssets(board.projectId, doc)
    const saved = this.store.commitEdit(id, doc, op, revision)
    this.announce(saved)
    return this.view(id)
  }

  undo(id: string): StoryboardView {
    this.announce(this.store.moveTo(id, -1))
    return this.view(id)
  }

  redo(id: string): StoryboardView {
    this.announce(this.store.moveTo(id, 1))
    return this.view(id)
  }

  async rewriteNarration(id: string, sceneId: string): Promise<StoryboardView> {
    const board = this.store.require(id)
    const scene = board.doc.scenes[sceneIndex(board.doc, sceneId)]!
    const narration = await rewriteNarration(this.d.services, { narration: scene.narration, title: board.doc.title, language: board.doc.settings.language, seed: board.revision })
    return this.edit(id, { op: 'updateScene', sceneId, patch: { narration } })
  }

  remove(id: string): void {
    const board = this.store.require(id)
    this.store.remove(id)
    this.d.events.emit({ type: 'storyboard.changed', id, projectId: board.projectId, revision: 0 })
  }

  /**
   * What a render would run and reuse, and its expected time and cost, without queuing it. `cache`
   * is where the render's artifacts are (a farm's, for a window on a farm); this studio's by default.
   */
  async plan(req: RenderRequest, cache: ArtifactCache = this.d.services.artifacts): Promise<RenderPlanView> {
    const board = this.store.require(req.id)
    const input = this.renderInput(board, req)
    const keys = await this.stepKeys(board.projectId, input, cache)
    const found = await cache.has(board.projectId, keys.map((k) => k.key))
    const cached = { has: (key: string) => key === ASSET || found.has(key) }
    let estimatedMs = 0
    let run = 0
    let reused = 0
    let costKnown = true
    let cost = 0
    const changedScenes = new Set<string>()
    for (const k of keys) {
      if (cached.has(k.key)) {
        reused++
        continue
      }
      run++
      if (k.sceneId && k.kind === 'segment') changedScenes.add(k.sceneId)
      estimatedMs += this.d.averageStepMs(k.kind) ?? defaultStepMs(k.kind, input.draft)
      const price = k.paid ? this.priceOf(k.kind) : 0
      if (price === null) costKnown = false
      else cost += price
    }
    // Segments run side by side within the ffmpeg limit: the wall time is shorter than their sum.
    return {
      scenes: input.scenes.length,
      scenesChanged: changedScenes.size,
      stepsToRun: run,
      stepsReused: reused,
      estimatedMs: Math.round(estimatedMs),
      estimatedCostUsd: costKnown ? cost : null
    }
  }

  async render(req: RenderRequest): Promise<{ storyboard: StoryboardView; job: JobView }> {
    const { board, input, title, priority } = await this.prepareRender(req)
    const job = this.d.transactions.run(() => {
      const queued = this.d.queue.enqueue({
        type: 'storyboard',
        projectId: board.projectId,
        input: input as unknown as Record<string, unknown>,
        title,
        ...(priority !== undefined ? { priority } : {})
      })
      this.store.recordRender(board.id, queued.id, board.revision, input.draft, input.sceneId)
      return queued
    })
    this.announce(board)
    return { storyboard: this.view(board.id), job }
  }

  /** A render of the storyboard as it is now, checked, not queued yet (render() queues it here; a window on a farm, there). */
  async prepareRender(req: RenderRequest): Promise<PreparedRender> {
    const board = this.store.require(req.id)
    const input = this.renderInput(board, req)
    await this.checkAssets(board.projectId, board.doc)
    const title = `${board.doc.title}${input.sceneId ? ` · scene ${board.doc.scenes.findIndex((s) => s.id === input.sceneId) + 1}` : ''}${input.draft ? ' (draft)' : ''}`.slice(0, 300)
    return { board, input, title, ...(req.priority !== undefined ? { priority: req.priority } : {}) }
  }

  /** A render queued on a studio farm as `jobId`: recorded here, its job read from the farm by the views. */
  recordFarmRender(prepared: PreparedRender, jobId: string): void {
    const { board, input } = prepared
    this.store.recordRender(board.id, jobId, board.revision, input.draft, input.sceneId, true)
    this.announce(board)
  }

  /** The jobs of the storyboard's renders queued on a farm (of every storyboard of the project, or all, when `id` is null). */
  farmRenderJobs(id: string | null, projectId?: string): string[] {
    const boards = id !== null ? [id] : this.store.list(projectId).map((b) => b.id)
    return boards.flatMap((b) => this.store.renders(b).filter((r) => r.onFarm).map((r) => r.jobId))
  }

  /** The payload of a render of the storyboard as it is now. */
  private renderInput(board: StoredStoryboard, req: RenderRequest): RenderInput {
    if (board.doc.scenes.length === 0) throw new QueueError('bad_request', 'the storyboard has no scene to render: add one first')
    if (req.sceneId) sceneIndex(board.doc, req.sceneId)
    return RenderInput.parse({
      storyboardId: board.id,
      revision: board.revision,
      title: board.doc.title,
      draft: Boolean(req.draft || req.sceneId),
      sceneId: req.sceneId ?? null,
      settings: board.doc.settings,
      scenes: board.doc.scenes
    })
  }

  /** Every asset a document names belongs to its project, and a clip's in and out points fit in it. */
  private async checkAssets(projectId: string, doc: StoryboardDoc): Promise<void> {
    for (const ref of assetRefs(doc)) {
      const facts = this.store.assetFacts(ref.assetId)
      if (!facts || facts.projectId !== projectId) throw new QueueError('bad_request', `${ref.field}: no asset ${ref.assetId} in project ${projectId}`)
      if (ref.inSec === undefined && ref.outSec === undefined) continue
      if (facts.kind !== 'video') throw new QueueError('bad_request', `${ref.field}: in and out points are for video clips, and ${facts.name} is not one`)
      const asset = await this.d.services.artifacts.asset(projectId, ref.assetId, this.d.services.binaries())
      const inSec = ref.inSec ?? 0
      if (ref.outSec !== undefined && ref.outSec <= inSec) throw new QueueError('bad_request', `${ref.field}.outSec: the out point (${ref.outSec} s) must come after the in point (${inSec} s)`)
      if (asset.durationSec !== null) {
        const end = asset.durationSec + 0.05
        if (inSec >= end) throw new QueueError('bad_request', `${ref.field}.inSec: ${inSec} s is past the end of ${asset.name} (${asset.durationSec.toFixed(2)} s)`)
        if (ref.outSec !== undefined && ref.outSec > end) {
          throw new QueueError('bad_request', `${ref.field}.outSec: ${ref.outSec} s is past the end of ${asset.name} (${asset.durationSec.toFixed(2)} s)`)
        }
      }
    }
  }

  /** Each step's key as a render would compute it, from what the cache already knows. */
  private async stepKeys(projectId: string, input: RenderInput, cache: ArtifactCache): Promise<Array<{ key: string; kind: string; sceneId: string | null; paid: boolean }>> {
    const providers = this.d.services.providers()
    const facts = new Map<string, SceneFacts>()
    const assetsById = new Map<string, AssetFile>()
    for (const scene of input.scenes) {
      let sha: string | undefined
      let media = 'image'
      if (scene.visual.kind === 'asset') {
        const asset = assetsById.get(scene.visual.assetId) ?? (await this.d.services.artifacts.asset(projectId, scene.visual.assetId, this.d.services.binaries()))
        assetsById.set(asset.id, asset)
        sha = asset.sha256
        media = asset.kind
      }
      const voiceKey = scene.narration.trim() ? voiceKeyOf(input, scene.narration, providers.speech.id) : null
      const voiceSec = voiceKey ? Number(((await cache.lookup(projectId, voiceKey))?.data as { durationSec?: number } | undefined)?.durationSec ?? 0) || null : null
      facts.set(scene.id, { visualKey: visualKeyOf(input, scene, providers.image, sha), media, voiceKey, voiceSec })
    }
    const musicSetting = input.settings.music
    const musicAssetKey =
      musicSetting.kind === 'asset' ? `asset-${(await this.d.services.artifacts.asset(projectId, musicSetting.assetId, this.d.services.binaries())).sha256}` : null
    const keys: Array<{ key: string; kind: string; sceneId: string | null; paid: boolean }> = []
    const style = this.d.services.settings().subtitleStyle
    const unknown = (name: string) => `unknown:${name}`
    const segments = new Map<string, { key: string; frames: number } | null>()
    for (const step of planRenderSteps(input)) {
      const { kind, sceneId } = parseStepName(step.name)
      const scene = sceneId ? input.scenes.find((s) => s.id === sceneId)! : null
      const f = sceneId ? facts.get(sceneId)! : null
      if (kind === 'voice' && f?.voiceKey) keys.push({ key: f.voiceKey, kind, sceneId, paid: !providers.speech.offline })
      else if (kind === 'visual' && f && scene) {
        // A project asset is used as it is: nothing to make, it counts as reused.
        keys.push({ key: scene.visual.kind === 'asset' ? ASSET : f.visualKey, kind, sceneId, paid: scene.visual.kind === 'generated' && !providers.image.offline })
      } else if (kind === 'segment' && scene) {
        // A voice not made yet decides the scene's length: its segment is not known either.
        const rendered = scenesToRender(input)
        const at = rendered.indexOf(scene)
        const before = at > 0 ? rendered[at - 1]! : null
        // The scene before counts only when it crossfades into this one.
        const involved = before && sceneTransition(before, input.settings) === 'crossfade' ? [scene, before] : [scene]
        const known = involved.every((s) => !facts.get(s.id)!.voiceKey || facts.get(s.id)!.voiceSec !== null)
        const spec = known ? segmentSpec(input, scene, (s) => facts.get(s.id)!, style) : null
        segments.set(scene.id, spec ? { key: spec.key, frames: spec.own.frames } : null)
        keys.push({ key: spec?.key ?? unknown(step.name), kind, sceneId, paid: false })
      } else if (kind === 'music' || kind === 'assemble') {
        const all = scenesToRender(input).map((s) => segments.get(s.id) ?? null)
        const known = all.every(Boolean)
        const fps = input.draft ? 24 : 30
        const music = input.settings.music
        const musicKey =
          music.kind === 'generated' && known ? musicKeyOf(music.mood, all.reduce((t, s) => t + s!.frames, 0) / fps).key : music.kind === 'asset' ? ASSET : null
        if (kind === 'music') keys.push({ key: musicKey ?? unknown(step.name), kind, sceneId: null, paid: false })
        else {
          const key =
            known && (music.kind === 'none' || musicKey)
              ? assembleKeyOf(
                  all.map((s) => s!.key),
                  scenesToRender(input).map((s) => facts.get(s.id)!.voiceKey),
                  music.kind === 'none' ? null : { key: musicAssetKey ?? musicKey!, volume: music.volume, duck: music.duck },
                  fps
                )
              : unknown(step.name)
          keys.push({ key, kind, sceneId: null, paid: false })
        }
      }
    }
    return keys
  }

  private priceOf(kind: string): number | null {
    // Offline providers are free; a paid one's price is not known before it answers.
    return kind === 'voice' || kind === 'visual' ? null : 0
  }

  /** A render's job: the farm's when the window read it there, else this studio's. */
  private jobOf(jobId: string, farmJobs?: FarmJobs): JobDetail | null {
    return farmJobs?.get(jobId) ?? this.d.queue.get(jobId)
  }

  /** Scene id → the segment key and length of a finished full render. */
  private renderedScenes(job: JobDetail): Map<string, { segmentKey: string; seconds: number }> {
    const out = new Map<string, { segmentKey: string; seconds: number }>()
    for (const step of job.steps) {
      if (!step.name.startsWith('segment:') || step.status !== 'completed') continue
      const data = step.output as { key?: string; frames?: number; fps?: number } | null
      if (data?.key) out.set(step.name.slice('segment:'.length), { segmentKey: data.key, seconds: (data.frames ?? 0) / (data.fps ?? 30) })
    }
    return out
  }

  /**
   * The key the scene's segment would have now, from cached facts only (no hashing, no probing):
   * an asset whose hash is not known yet, or a voice not made yet, reads as changed. A voice's
   * length is the cache's, or the last render's own voice step's (a farm's render keeps its cache
   * on the farm).
   */
  private currentSegmentKeys(board: StoredStoryboard, draft: boolean, last: JobDetail): Map<string, string> {
    if (board.doc.scenes.length === 0) return new Map()
    const input = this.renderInput(board, { id: board.id, draft })
    const providers = this.d.services.providers()
    const spoken = new Map<string, number>()
    for (const step of last.steps) {
      const data = step.output as { key?: unknown; durationSec?: unknown } | null
      if (step.name.startsWith('voice:') && typeof data?.key === 'string' && typeof data.durationSec === 'number') spoken.set(data.key, data.durationSec)
    }
    const factsOf = (scene: StoryboardDoc['scenes'][number]): SceneFacts => {
      let sha: string | undefined
      let media = 'image'
      if (scene.visual.kind === 'asset') {
        const a = this.store.assetFacts(scene.visual.assetId)
        sha = a?.sha256 ?? undefined
        media = a?.kind ?? 'image'
      }
      const voiceKey = scene.narration.trim() ? voiceKeyOf(input, scene.narration, providers.speech.id) : null
      // The stored row's facts (the view only reads the voice's length): this studio's store answers at once.
      const voiceData = voiceKey ? (this.store.cached(board.projectId, voiceKey)?.data as { durationSec?: number } | undefined) : undefined
      return { visualKey: visualKeyOf(input, scene, providers.image, sha), media, voiceKey, voiceSec: voiceData?.durationSec ?? (voiceKey ? spoken.get(voiceKey) : undefined) ?? null }
    }
    const style = this.d.services.settings().subtitleStyle
    return new Map(board.doc.scenes.map((scene) => [scene.id, segmentSpec(input, scene, factsOf, style).key]))
  }

  private thumbnail(projectId: string, scene: StoryboardDoc['scenes'][number]): string | null {
    if (scene.visual.kind === 'asset') {
      const a = this.store.assetFacts(scene.visual.assetId)
      return a && a.projectId === projectId && a.kind === 'image' ? a.path : null
    }
    return null
  }

  private renderView(jobId: string, r: { revision: number; draft: boolean; sceneId: string | null; createdAt: number }, farmJobs?: FarmJobs): StoryboardRenderView | null {
    const job: JobDetail | null = this.jobOf(jobId, farmJobs)
    if (!job) return null
    const assemble = job.steps.find((s) => s.name === 'assemble')
    const files = assemble?.status === 'completed' ? assemble.files : {}
    const durationSec = (assemble?.output as { durationSec?: number } | null)?.durationSec ?? null
    let stepsRun = 0
    let stepsReused = 0
    for (const step of job.steps) {
      if (step.status !== 'completed') continue
      if ((step.output as { reused?: boolean } | null)?.reused) stepsReused++
      else stepsRun++
    }
    return {
      jobId,
      revision: r.revision,
      draft: r.draft,
      sceneId: r.sceneId,
      status: job.status,
      progress: job.progress,
      createdAt: r.createdAt,
      completedAt: job.completedAt,
      video: files.video ?? null,
      subtitles: files.subtitles ?? null,
      poster: files.poster ?? null,
      durationSec,
      stepsRun,
      stepsReused,
      error: job.error
    }
  }

  private projectAssets(projectId: string) {
    return this.d.assets(projectId)
  }

  private announce(board: StoredStoryboard): void {
    this.d.events.emit({ type: 'storyboard.changed', id: board.id, projectId: board.projectId, revision: board.revision })
  }
}

function defaultStepMs(kind: string, draft: boolean): number {
  const full: Record<string, number> = { voice: 1_500, visual: 800, segment: 4_000, music: 1_500, assemble: 1_500 }
  return (full[kind] ?? 1_000) * (draft && kind === 'segment' ? 0.25 : 1)
}
