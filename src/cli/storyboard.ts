import { resolve } from 'node:path'
import type { CommandName, RequestOf, Result } from '../shared/contract'
import type { AssetView, ProjectView } from '../shared/types'
import type { StockSearchResult } from '../shared/stock'
import type { RenderPlanView, ScenePatch, StoryboardSummary, StoryboardView } from '../shared/storyboard'
import { dispatch } from '../main/api/handlers'
import type { Handlers } from '../main/api/handler-map'
import { studioHandlers } from '../main/api/studio-handlers'
import type { Engine } from '../main/engine/engine'
import { QueueError } from '../main/engine/errors'
import { Studio } from '../main/engine/studio'
import { duration } from './format'
import { shortJobId } from '../shared/job-id'

export class StoryboardUsageError extends Error {}

export const PROJECT_USAGE = `studio project create NAME
studio project list
studio project add-media <project> FILE…
studio project add-stock <project> (--query Q | --text NARRATION) [--video] [--count N (default 1)]
studio project media <project>`

export const STORYBOARD_USAGE = `studio storyboard create --project P (--idea TEXT [--length S] | --assets ID,… | --blank) [--format 9:16|16:9|1:1] [--language en|fr] [--title T] [--render]
studio storyboard list [--project P]
studio storyboard show <id>
studio storyboard edit <id> <scene-number> [--narration TEXT] [--asset ID [--in S] [--out S] | --prompt TEXT | --title-card TEXT]
                       [--duration S|auto] [--caption TEXT|--no-caption] [--motion M] [--transition cut|crossfade] [--move-to N] [--duplicate] [--remove]
studio storyboard add-scene <id> [--after N] [--narration TEXT] [--asset ID | --prompt TEXT | --title-card TEXT] [--duration S]
studio storyboard settings <id> [--format F] [--language L] [--captions sentence|word|none] [--motion M] [--transition T] [--music none|MOOD|asset:ID] [--voice V] [--speed X]
studio storyboard undo|redo|rm <id>
studio storyboard render <id> [--draft] [--scene N] [--estimate] [--priority 1-10]
  with --queue-url (or STUDIO_QUEUE_URL), renders go to that farm and views show them from it; --data-dir is the farm's shared folder`

export interface GroupArgs {
  positionals: string[]
  values: Record<string, string | boolean | undefined>
  json: boolean
  /** With --queue-url: the storyboard commands of a farm (renders queued there, views reading them there). */
  farm?: { routes: Partial<Handlers>; where: string }
}

interface Io {
  stdout: { write(text: string): unknown }
}

/** `studio project …` and `studio storyboard …`: the storyboards/* and projects/* commands of the contract. */
export async function projectCommand(engine: Engine<any>, io: Io, a: GroupArgs): Promise<number> {
  const studio = studioOf(engine)
  const [verb, ...rest] = a.positionals
  const out = printer(io, a.json)
  switch (verb) {
    case 'create': {
      if (rest.length !== 1) throw new StoryboardUsageError(`usage: ${PROJECT_USAGE.split('\n')[0]}`)
      const project = (await call(studio, 'projects/create', { name: rest[0]! })) as ProjectView
      out(project, () => project.id)
      return 0
    }
    case 'list': {
      const projects = (await call(studio, 'projects/list', {})) as ProjectView[]
      out(projects, () => (projects.length ? projects.map((p) => `${p.id.padEnd(24)} ${p.name}   ${p.jobCount} job(s), ${p.assetCount} media`).join('\n') : 'no projects'))
      return 0
    }
    case 'add-media': {
      if (rest.length < 2) throw new StoryboardUsageError('usage: studio project add-media <project> FILE…')
      const projectId = requireProject(studio, rest[0]!)
      const added: AssetView[] = []
      // The local user's own files, by path: copied into the data folder (never moved).
      for (const file of rest.slice(1)) added.push(await studio.projects.importAssetFile(projectId, file.split(/[\\/]/).pop()!, resolve(file)))
      out(added, () => added.map((m) => `${m.id}  ${m.kind.padEnd(5)} ${m.name}`).join('\n'))
      return 0
    }
    case 'add-stock': {
      if (rest.length !== 1) throw new StoryboardUsageError('usage: studio project add-stock <project> (--query Q | --text NARRATION) [--video] [--count N]')
      const projectId = requireProject(studio, rest[0]!)
      const count = a.values.count === undefined ? 1 : Number(a.values.count)
      if (!Number.isInteger(count) || count < 1 || count > 20) throw new StoryboardUsageError('--count must be a whole number from 1 to 20')
      if ((a.values.query === undefined) === (a.values.text === undefined)) throw new StoryboardUsageError('give exactly one of --query Q or --text NARRATION')
      const kind = a.values.video === true ? 'video' : 'photo'
      const found = (await call(studio, 'stock/search', {
        projectId,
        kind,
        count,
        ...(a.values.query !== undefined ? { query: String(a.values.query) } : { sceneText: String(a.values.text) })
      })) as StockSearchResult
      if (found.items.length === 0) throw new QueueError('not_found', `Pexels found no ${kind} for "${found.query}"`)
      const added: AssetView[] = []
      for (const item of found.items.slice(0, count)) added.push((await call(studio, 'stock/import', { projectId, id: item.id, kind })) as AssetView)
      out({ query: found.query, keywords: found.keywords, keywordSource: found.keywordSource, assets: added }, () =>
        [`searched "${found.query}"${found.keywordSource === 'query' ? '' : ` (keywords from the text, ${found.keywordSource === 'model' ? 'proposed by the text model' : 'offline'})`}`, ...added.map(mediaLine)].join('\n')
      )
      return 0
    }
    case 'media': {
      if (rest.length !== 1) throw new StoryboardUsageError('usage: studio project media <project>')
      const media = (await call(studio, 'assets/list', { projectId: requireProject(studio, rest[0]!) })) as AssetView[]
      out(media, () => (media.length ? media.map(mediaLine).join('\n') : 'no media'))
      return 0
    }
    default:
      throw new StoryboardUsageError(`usage:\n${PROJECT_USAGE}`)
  }
}

/** "id  image pexels-1.jpg  © Ana Lee, Pexels License (https://www.pexels.com/photo/…)" */
function mediaLine(m: AssetView): string {
  const credit = m.credit ? `  © ${m.credit.author || 'unknown'}, ${m.credit.licence} (${m.credit.sourceUrl})` : ''
  return `${m.id}  ${m.kind.padEnd(5)} ${m.name}${credit}`
}

export async function storyboardCommand(engine: Engine<any>, io: Io, a: GroupArgs): Promise<number> {
  const studio = studioOf(engine)
  const farmRoutes = a.farm?.routes
  // Every storyboard command through the farm's routes when a queue URL was given (renders go there).
  const call = <C extends CommandName>(s: Studio, name: C, request: RequestOf<C>) => callOn(s, name, request, farmRoutes)
  const [verb, id, sceneArg] = a.positionals
  const v = a.values
  const out = printer(io, a.json)
  const show = (board: StoryboardView) => out(board, () => storyboardText(board))
  const need = (what: string | undefined, usage: string) => {
    if (!what) throw new StoryboardUsageError(`usage: ${usage}`)
    return what
  }
  switch (verb) {
    case 'create': {
      const projectId = need(v.project as string | undefined, 'studio storyboard create --project P (--idea TEXT | --assets ID,… | --blank)')
      const sources = [v.idea !== undefined, v.assets !== undefined, v.blank === true].filter(Boolean).length
      if (sources !== 1) throw new StoryboardUsageError('give exactly one of --idea TEXT, --assets ID,… or --blank')
      const lengthSec = number(v.length, '--length')
      const from =
        v.idea !== undefined
          ? { kind: 'idea' as const, idea: String(v.idea), ...(lengthSec !== undefined ? { lengthSec } : {}) }
          : v.assets !== undefined
            ? { kind: 'assets' as const, assetIds: String(v.assets).split(',').map((x) => x.trim()).filter(Boolean) }
            : { kind: 'blank' as const }
      const board = (await call(studio, 'storyboards/create', {
        projectId: requireProject(studio, projectId),
        from,
        ...(v.title !== undefined ? { title: String(v.title) } : {}),
        settings: { ...(v.format !== undefined ? { format: String(v.format) as never } : {}), ...(v.language !== undefined ? { language: String(v.language) as never } : {}) },
        render: v.render === true
      })) as StoryboardView
      show(board)
      return 0
    }
    case 'list': {
      const boards = (await call(studio, 'storyboards/list', v.project !== undefined ? { projectId: String(v.project) } : {})) as StoryboardSummary[]
      out(boards, () => (boards.length ? boards.map((b) => `${b.id}  ${b.format.padEnd(5)} ${String(b.sceneCount).padStart(3)} scene(s)  ${b.title}`).join('\n') : 'no storyboards'))
      return 0
    }
    case 'show':
      show((await call(studio, 'storyboards/get', { id: need(id, 'studio storyboard show <id>') })) as StoryboardView)
      return 0
    case 'undo':
    case 'redo':
      show((await call(studio, `storyboards/${verb}`, { id: need(id, `studio storyboard ${verb} <id>`) })) as StoryboardView)
      return 0
    case 'rm':
      await call(studio, 'storyboards/remove', { id: need(id, 'studio storyboard rm <id>') })
      out({ removed: id }, () => `removed ${id}`)
      return 0
    case 'edit': {
      const boardId = need(id, 'studio storyboard edit <id> <scene-number> …')
      const board = (await call(studio, 'storyboards/get', { id: boardId })) as StoryboardView
      const scene = sceneByNumber(board, need(sceneArg, 'studio storyboard edit <id> <scene-number> …'))
      let result = board
      const patch = scenePatch(v)
      if (Object.keys(patch).length) result = (await call(studio, 'storyboards/edit', { id: boardId, edit: { op: 'updateScene', sceneId: scene.id, patch } })) as StoryboardView
      if (v.duplicate === true) result = (await call(studio, 'storyboards/edit', { id: boardId, edit: { op: 'duplicateScene', sceneId: scene.id } })) as StoryboardView
      const moveTo = number(v['move-to'], '--move-to')
      if (moveTo !== undefined) {
        if (!Number.isInteger(moveTo) || moveTo < 1 || moveTo > result.scenes.length) throw new StoryboardUsageError(`--move-to must be a scene number from 1 to ${result.scenes.length}`)
        result = (await call(studio, 'storyboards/edit', { id: boardId, edit: { op: 'moveScene', sceneId: scene.id, index: moveTo - 1 } })) as StoryboardView
      }
      if (v.remove === true) result = (await call(studio, 'storyboards/edit', { id: boardId, edit: { op: 'removeScene', sceneId: scene.id } })) as StoryboardView
      if (result === board) throw new StoryboardUsageError('nothing to change: give --narration, --asset, --prompt, --duration, --move-to, --remove …')
      show(result)
      return 0
    }
    case 'add-scene': {
      const boardId = need(id, 'studio storyboard add-scene <id> [--after N] …')
      const board = (await call(studio, 'storyboards/get', { id: boardId })) as StoryboardView
      const after = number(v.after, '--after')
      if (after !== undefined && (!Number.isInteger(after) || after < 0 || after > board.scenes.length)) {
        throw new StoryboardUsageError(`--after must be a scene number from 0 (first) to ${board.scenes.length}`)
      }
      const patch = scenePatch(v)
      show((await call(studio, 'storyboards/edit', { id: boardId, edit: { op: 'addScene', ...(after !== undefined ? { index: after } : {}), scene: patch } })) as StoryboardView)
      return 0
    }
    case 'settings': {
      const boardId = need(id, 'studio storyboard settings <id> [--format F] …')
      const patch: Record<string, unknown> = {}
      for (const key of ['format', 'language', 'motion', 'transition'] as const) if (v[key] !== undefined) patch[key] = String(v[key])
      if (v.captions !== undefined) patch.captions = { mode: String(v.captions) }
      if (v.music !== undefined) {
        const m = String(v.music)
        patch.music = m === 'none' ? { kind: 'none' } : m.startsWith('asset:') ? { kind: 'asset', assetId: m.slice(6) } : { kind: 'generated', mood: m }
      }
      if (v.voice !== undefined || v.speed !== undefined) {
        const board = (await call(studio, 'storyboards/get', { id: boardId })) as StoryboardView
        const speed = number(v.speed, '--speed')
        patch.voice = { ...board.settings.voice, ...(v.voice !== undefined ? { voice: String(v.voice) } : {}), ...(speed !== undefined ? { speed } : {}) }
      }
      if (!Object.keys(patch).length) throw new StoryboardUsageError('nothing to change: give --format, --language, --captions, --music …')
      show((await call(studio, 'storyboards/edit', { id: boardId, edit: { op: 'updateSettings', patch: patch as never } })) as StoryboardView)
      return 0
    }
    case 'render': {
      const boardId = need(id, 'studio storyboard render <id> [--draft] [--scene N] [--estimate]')
      let sceneId: string | undefined
      if (v.scene !== undefined) sceneId = sceneByNumber((await call(studio, 'storyboards/get', { id: boardId })) as StoryboardView, String(v.scene)).id
      const priority = number(v.priority, '--priority')
      const request = { id: boardId, draft: v.draft === true, ...(sceneId ? { sceneId } : {}), ...(priority !== undefined ? { priority } : {}) }
      if (v.estimate === true) {
        const plan = (await call(studio, 'storyboards/plan', request)) as RenderPlanView
        out(plan, () => planText(plan))
        return 0
      }
      const { job } = (await call(studio, 'storyboards/render', request)) as { job: { id: string } }
      const next = a.farm
        ? `queued on the farm at ${a.farm.where}: its workers run it; follow it with \`studio show ${job.id} --queue-url …\` or \`studio storyboard show ${boardId} --queue-url …\``
        : `queued: run it with \`studio run --until-idle\`, follow it with \`studio show ${job.id}\``
      out({ jobId: job.id, job }, () => `${job.id}\n${next}`)
      return 0
    }
    default:
      throw new StoryboardUsageError(`usage:\n${STORYBOARD_USAGE}`)
  }
}

function studioOf(engine: Engine<any>): Studio {
  if (!(engine instanceof Studio)) throw new QueueError('unavailable', 'storyboards need the studio (this engine has only test pipelines)')
  return engine
}

async function call<C extends CommandName>(studio: Studio, name: C, request: RequestOf<C>): Promise<unknown> {
  return callOn(studio, name, request)
}

async function callOn<C extends CommandName>(studio: Studio, name: C, request: RequestOf<C>, overrides?: Partial<Handlers>): Promise<unknown> {
  const result = (await dispatch({ ...studioHandlers(studio), ...overrides } as Handlers, name, request)) as Result<unknown>
  if (!result.ok) throw new QueueError(result.error.code, result.error.message)
  return result.value
}

/** A project named by id or by name (as `studio project create` printed it, or as typed). */
function requireProject(studio: Studio, idOrName: string): string {
  const found = studio.projects.list().find((p) => p.id === idOrName || p.name === idOrName)
  if (!found) throw new QueueError('not_found', `--project: no project "${idOrName}" (create it with \`studio project create NAME\`)`)
  return found.id
}

function printer(io: Io, json: boolean) {
  return (value: unknown, text: () => string) => io.stdout.write((json ? JSON.stringify(value, null, 2) : text()) + '\n')
}

function number(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) throw new StoryboardUsageError(`${name} must be a number, got "${String(value)}"`)
  return n
}

function sceneByNumber(board: StoryboardView, arg: string) {
  const n = Number(arg)
  if (!Number.isInteger(n) || n < 1 || n > board.scenes.length) {
    throw new StoryboardUsageError(board.scenes.length ? `scene number must be from 1 to ${board.scenes.length}, got "${arg}"` : 'the storyboard has no scene yet: add one with `studio storyboard add-scene`')
  }
  return board.scenes[n - 1]!
}

/** The scene fields the options set. */
function scenePatch(v: GroupArgs['values']): ScenePatch {
  const patch: Record<string, unknown> = {}
  if (v.narration !== undefined) patch.narration = String(v.narration)
  const visuals = [v.asset, v.prompt, v['title-card']].filter((x) => x !== undefined).length
  if (visuals > 1) throw new StoryboardUsageError('give one picture: --asset ID, --prompt TEXT or --title-card TEXT')
  if (v.asset !== undefined) {
    const inSec = number(v.in, '--in')
    const outSec = number(v.out, '--out')
    patch.visual = { kind: 'asset', assetId: String(v.asset), ...(inSec !== undefined ? { inSec } : {}), ...(outSec !== undefined ? { outSec } : {}) }
  } else if (v.in !== undefined || v.out !== undefined) throw new StoryboardUsageError('--in and --out go with --asset (a video clip)')
  if (v.prompt !== undefined) patch.visual = { kind: 'generated', prompt: String(v.prompt), seed: 1 }
  if (v['title-card'] !== undefined) patch.visual = { kind: 'title', text: String(v['title-card']) }
  if (v.duration !== undefined) patch.duration = v.duration === 'auto' ? { mode: 'auto', paddingSec: 0.4 } : { mode: 'fixed', seconds: number(v.duration, '--duration')! }
  if (v.caption !== undefined) patch.caption = String(v.caption)
  if (v['no-caption'] === true) patch.caption = null
  if (v.motion !== undefined) patch.motion = String(v.motion)
  if (v.transition !== undefined) patch.transition = String(v.transition)
  return patch as ScenePatch
}

export function storyboardText(b: StoryboardView): string {
  const lines = [
    `${b.title}`,
    `  id        ${b.id}   project ${b.projectId}   revision ${b.revision}${b.canUndo ? '' : ' (nothing to undo)'}`,
    `  format    ${b.settings.format}   language ${b.settings.language}   captions ${b.settings.captions.mode}   music ${b.settings.music.kind === 'generated' ? b.settings.music.mood : b.settings.music.kind}`,
    '',
    `  scenes (${b.scenes.length})`
  ]
  for (const s of b.scenes) {
    const picture = s.visual.kind === 'asset' ? `asset ${s.visual.assetId.slice(0, 8)}` : s.visual.kind === 'generated' ? `generated "${clip(s.visual.prompt, 40)}"` : `title card "${clip(s.visual.text, 40)}"`
    const secs = s.renderedSec ?? s.estimatedSec
    lines.push(`    ${String(s.index + 1).padStart(2)}. ${s.changed ? '*' : ' '} ${secs.toFixed(1).padStart(5)} s  ${clip(s.narration || '(no narration)', 70)}`)
    lines.push(`           ${picture}   ${s.id}`)
  }
  if (b.scenes.some((s) => s.changed)) lines.push('       (* changed since the last render)')
  if (b.renders.length) {
    lines.push('', '  renders')
    for (const r of b.renders.slice(0, 10)) {
      const what = r.sceneId ? `scene preview` : r.draft ? 'draft' : 'full'
      lines.push(`    ${shortJobId(r.jobId)}  rev ${r.revision}  ${what.padEnd(13)} ${r.status.padEnd(10)} ${r.durationSec ? `${r.durationSec.toFixed(1)} s` : ''}  ${r.stepsReused} reused / ${r.stepsRun} run${r.video ? `  ${r.video}` : ''}`)
    }
  }
  return lines.join('\n')
}

function planText(p: RenderPlanView): string {
  return [
    `${p.scenesChanged} of ${p.scenes} scene(s) changed · ~${duration(p.estimatedMs)} · ${p.estimatedCostUsd === null ? 'cost unknown (a paid provider prices its answer)' : `$${p.estimatedCostUsd.toFixed(2)}`}`,
    `${p.stepsToRun} step(s) to run, ${p.stepsReused} reused`
  ].join('\n')
}

function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim()
  return t.length > max ? `${t.slice(0, max - 1)}…` : t
}
