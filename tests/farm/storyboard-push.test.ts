/**
 * `studio farm push` moves a storyboard's render (the built CLI, a real child process) from a real
 * local studio to a real PostgreSQL farm, with the projects' artifact cache: a storyboard rendered
 * here, edited, its second render queued here and pushed; a real `studio farm worker` runs it on
 * the farm reusing what this machine made (only the edited scene's steps run); the storyboard,
 * still this machine's, shows the moved render from the farm.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { JobDetail } from '../../src/shared/types'
import { FarmStoryboards } from '../../src/main/engine/farm/farm-storyboards'
import { probe } from '../../src/main/engine/render/ffmpeg'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { builtStudio } from '../helpers/cli'
import { tempDir, until } from '../helpers/engine'
import { startWorker, useFarm } from '../helpers/farm-worker'

const farm = useFarm()
let studio: Studio | undefined
afterEach(async () => {
  await studio?.close(2_000)
  studio = undefined
})

const open = (dir: string) => (studio = openStudio({ dataDir: dir, concurrency: 2, timings: { leaseMs: 10_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 } }))

describe('studio farm push with a storyboard render', () => {
  it('moves the render and the artifact cache; the farm runs only what the edit changed; the storyboard shows it from the farm', async () => {
    const localDir = tempDir('studio-push-sb-')
    let s = open(localDir)
    const project = s.projects.create('Harbour')
    const board = await s.storyboards.create({ projectId: project.id, from: { kind: 'blank' }, settings: { format: '16:9' } })
    await s.storyboards.edit(board.id, { op: 'addScene', scene: { narration: 'Ropes creak at the pier.', visual: { kind: 'title', text: 'Pier' } } })
    const two = await s.storyboards.edit(board.id, { op: 'addScene', scene: { narration: 'A bell rings twice.', visual: { kind: 'title', text: 'Bell' } } })
    // Rendered here once: the cache holds every step's result.
    s.startWork()
    const { job: here } = await s.storyboards.render({ id: board.id, draft: true })
    const done = await until(() => {
      const j = s.queue.get(here.id)
      return j && ['completed', 'failed'].includes(j.status) ? j : null
    }, 240_000, 'the local render to finish')
    expect(done.status, done.error ?? '').toBe('completed')
    await s.close(10_000)

    // Edited, and its second render queued here, not run (no pool started).
    s = open(localDir)
    await s.storyboards.edit(board.id, { op: 'updateScene', sceneId: two.scenes[1]!.id, patch: { narration: 'A bell rings three times.' } })
    const { job: queued } = await s.storyboards.render({ id: board.id, draft: true })
    expect(s.queue.get(queued.id)!.status).toBe('pending')
    await s.close(2_000)
    studio = undefined

    const pushed = await builtStudio(['--json', 'farm', 'push', '--data-dir', localDir, '--farm-data-dir', farm.dataDir], { STUDIO_QUEUE_URL: farm.url })
    expect(pushed.code, pushed.err).toBe(0)
    const report = JSON.parse(pushed.out) as { jobs: number; artifacts: number; storyboards: number; skipped: unknown[]; movedJobIds: string[] }
    expect(report).toMatchObject({ jobs: 1, artifacts: 7, storyboards: 1, movedJobIds: [queued.id] })
    expect(report.skipped).toEqual([])
    // The cache on the farm, its files in the share.
    const { rows } = await farm.user.pool.query<{ files: string }>('SELECT files FROM artifacts WHERE project_id = $1', [project.id])
    expect(rows).toHaveLength(7)
    for (const r of rows) for (const f of Object.values(JSON.parse(r.files) as Record<string, string>)) expect(existsSync(join(farm.dataDir, f)), f).toBe(true)

    const w = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(w)
    const onFarm = await until(
      async () => {
        const j = await farm.user.store.get(queued.id)
        return j && ['completed', 'failed'].includes(j.status) ? j : null
      },
      240_000,
      'the pushed render to finish on the farm'
    )
    expect(onFarm.status, `${onFarm.error}\n${w.output()}`).toBe('completed')
    const ran = (j: JobDetail) => j.steps.filter((x) => !(x.output as { reused?: boolean }).reused).map((x) => x.name)
    const scene2 = two.scenes[1]!.id
    expect(ran(onFarm).sort()).toEqual([`voice:${scene2}`, `segment:${scene2}`, 'assemble'].sort())

    // The storyboard, this machine's, shows the moved render from the farm.
    s = open(localDir)
    expect(s.queue.get(queued.id)).toBeNull()
    const view = await new FarmStoryboards({ studio: s, farm: farm.user, sharedDir: farm.dataDir }).view(board.id)
    expect(view.renders.map((r) => r.jobId)).toContain(queued.id)
    const moved = view.renders.find((r) => r.jobId === queued.id)!
    expect(moved).toMatchObject({ status: 'completed', stepsRun: 3 })
    expect((await probe(moved.video!)).streams.some((x) => x.type === 'video')).toBe(true)
  }, 600_000)
})
