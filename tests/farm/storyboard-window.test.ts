/**
 * Storyboard renders from a window on a farm: `studio serve --queue-url` (the real built CLI, its
 * engine in a child process) on the farm's shared folder, real `studio farm worker` processes,
 * real ffmpeg, a real PostgreSQL. The storyboard is made and edited in the window (this
 * computer's); its render is queued on the farm, a worker runs it, and the window's storyboard
 * view shows the farm job's progress and playable video. After an edit, the window says which
 * scene changed, its plan counts the farm's artifacts, and the second render — run by another
 * worker — runs only the edited scene's steps. `studio storyboard render --queue-url` does the
 * same from the command line, and `studio storyboard show --queue-url` shows the farm's render.
 */
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { RenderPlanView, StoryboardView } from '../../src/shared/storyboard'
import type { JobView } from '../../src/shared/types'
import { probe } from '../../src/main/engine/render/ffmpeg'
import { builtStudio } from '../helpers/cli'
import { until } from '../helpers/engine'
import { jobState, startWorker, stopWorker, useFarm, workerId } from '../helpers/farm-worker'
import { useServeOnFarm, type FarmWindow } from '../helpers/serve-farm'

const farm = useFarm()
const serveOnFarm = useServeOnFarm(() => farm.dataDir)

async function ok<T>(window: FarmWindow, command: string, request: unknown): Promise<T> {
  const r = await window.call(command, request)
  expect(r.ok, `${command}: ${r.error?.code} ${r.error?.message}`).toBe(true)
  return r.value as T
}

/** The window's view once its newest render has finished. */
async function rendered(window: FarmWindow, id: string, jobId: string, output: () => string): Promise<StoryboardView> {
  const view = await until(
    async () => {
      const v = await ok<StoryboardView>(window, 'storyboards/get', { id })
      const r = v.renders.find((x) => x.jobId === jobId)
      return r && ['completed', 'failed', 'cancelled'].includes(r.status) ? v : null
    },
    240_000,
    'the farm render to finish in the window’s view'
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- worker ---\n${output()}`)
  })
  const r = view.renders.find((x) => x.jobId === jobId)!
  expect(r.error, `render failed: ${r.error}\n${output()}`).toBeNull()
  expect(r.status).toBe('completed')
  return view
}

describe('storyboard renders from a window on the farm', () => {
  it('queues the render on the farm, shows its progress and video, and re-renders only an edited scene on another worker', async () => {
    const { window } = await serveOnFarm(farm.url)
    await until(async () => ((await window.call('farm/queue', {})).value as { connected: boolean }).connected, 60_000, 'the window to reach the farm')

    // The storyboard is this computer's: made and edited in the window.
    const project = await ok<{ id: string }>(window, 'projects/create', { name: 'Harbour film' })
    const blank = await ok<StoryboardView>(window, 'storyboards/create', { projectId: project.id, from: { kind: 'blank' }, settings: { format: '16:9' } })
    await ok(window, 'storyboards/edit', { id: blank.id, edit: { op: 'addScene', scene: { narration: 'The harbour is quiet at dawn.', visual: { kind: 'title', text: 'Dawn' } } } })
    const board = await ok<StoryboardView>(window, 'storyboards/edit', {
      id: blank.id,
      edit: { op: 'addScene', scene: { narration: 'Boats leave one by one.', visual: { kind: 'title', text: 'Boats' } } }
    })
    expect(board.scenes).toHaveLength(2)

    const a = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(a)
    const idA = await workerId(a)
    const first = await ok<{ storyboard: StoryboardView; job: JobView }>(window, 'storyboards/render', { id: board.id, draft: true })
    // Queued on the farm, and already in the window's view.
    expect((await farm.user.store.get(first.job.id))?.type).toBe('storyboard')
    expect(first.storyboard.renders[0]).toMatchObject({ jobId: first.job.id, draft: true })
    const view1 = await rendered(window, board.id, first.job.id, a.output)
    // The farm's job events reached the window (its progress), and the view's video plays.
    await until(() => window.events.some((e) => e.type === 'job.changed' && e.job.id === first.job.id && e.job.status === 'completed'), 30_000, 'the window to hear the farm job finish')
    const r1 = view1.renders[0]!
    expect(r1.stepsRun).toBe(7)
    expect(r1.video?.startsWith(farm.dataDir)).toBe(true)
    expect(existsSync(r1.video!)).toBe(true)
    const info = await probe(r1.video!)
    expect(info.streams.some((s) => s.type === 'video')).toBe(true)
    expect(info.durationSec).toBeGreaterThan(1)
    expect(view1.scenes.map((s) => s.changed)).toEqual([false, false])
    expect(await stopWorker(a)).toBe(0)

    // An edit: the window says which scene changed, and the plan counts what the farm keeps.
    const scene2 = board.scenes[1]!
    const edited = await ok<StoryboardView>(window, 'storyboards/edit', { id: board.id, edit: { op: 'updateScene', sceneId: scene2.id, patch: { narration: 'Gulls follow the last boat out.' } } })
    expect(edited.scenes.map((s) => s.changed)).toEqual([false, true])
    expect(edited.renders[0]?.jobId).toBe(first.job.id)
    const plan = await ok<RenderPlanView>(window, 'storyboards/plan', { id: board.id, draft: true })
    expect(plan).toMatchObject({ scenesChanged: 1, stepsToRun: 3, stepsReused: 4 })

    // Another worker, with a folder of its own, takes the second render: only the edited scene runs.
    const b = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(b)
    const idB = await workerId(b)
    expect(idB).not.toBe(idA)
    const second = await ok<{ job: JobView }>(window, 'storyboards/preview', { id: board.id })
    const view2 = await rendered(window, board.id, second.job.id, b.output)
    expect(view2.renders[0]).toMatchObject({ jobId: second.job.id, stepsRun: 3, stepsReused: 4 })
    const detail = (await farm.user.store.get(second.job.id))!
    const ran = detail.steps.filter((s) => !(s.output as { reused?: boolean }).reused).map((s) => s.name)
    expect(ran.sort()).toEqual([`voice:${scene2.id}`, `segment:${scene2.id}`, 'assemble'].sort())
    expect((await jobState(farm.user.pool, second.job.id)).steps.every((s) => s.worker === idB)).toBe(true)
    expect((await probe(view2.renders[0]!.video!)).streams.some((s) => s.type === 'video')).toBe(true)
    expect(view2.scenes.map((s) => s.changed)).toEqual([false, false])
    // Both renders listed, newest first.
    expect(view2.renders.map((r) => r.jobId)).toEqual([second.job.id, first.job.id])
  }, 600_000)

  it('studio storyboard render --queue-url queues the render on the farm, and show --queue-url shows it finished', async () => {
    const studio = async (...args: string[]) => {
      const run = await builtStudio([...args, '--json'], { STUDIO_DATA_DIR: farm.dataDir })
      expect(run.code, `${args.join(' ')}: ${run.err}`).toBe(0)
      return JSON.parse(run.out) as Record<string, unknown>
    }
    const project = await studio('project', 'create', 'Quay film')
    const board = (await studio('storyboard', 'create', '--project', project.id as string, '--blank', '--format', '16:9')) as unknown as StoryboardView
    await studio('storyboard', 'add-scene', board.id, '--narration', 'Nets dry on the quay.', '--title-card', 'Nets')
    await studio('storyboard', 'add-scene', board.id, '--narration', 'The tide comes in.', '--title-card', 'Tide')
    const queued = (await studio('storyboard', 'render', board.id, '--draft', '--queue-url', farm.url)) as { jobId: string }
    expect((await farm.user.store.get(queued.jobId))?.type).toBe('storyboard')
    // Nothing in the local queue: the farm's workers run it.
    expect(await studio('list')).toEqual([])
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(w)
    const shown = await until(
      async () => {
        const v = (await studio('storyboard', 'show', board.id, '--queue-url', farm.url)) as unknown as StoryboardView
        return v.renders[0] && ['completed', 'failed'].includes(v.renders[0].status) ? v : null
      },
      240_000,
      'the render to finish, as show --queue-url says'
    )
    expect(shown.renders[0], w.output()).toMatchObject({ jobId: queued.jobId, status: 'completed', stepsRun: 7 })
    expect((await probe(shown.renders[0]!.video!)).streams.some((s) => s.type === 'video')).toBe(true)
  }, 600_000)
})
