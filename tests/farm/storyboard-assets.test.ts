/**
 * A farm render of a storyboard whose scenes use the project's own media, from a studio whose data
 * folder is not the farm's share (the desktop app's own folder): the project and the assets the
 * render names are written on the farm, measured here, their files copied into the share at the
 * same place under it; a real `studio farm worker` process renders them with real ffmpeg; a second
 * render finds the assets there and copies nothing again. The studio here is real (its SQLite
 * file, its storyboard service); the farm a real PostgreSQL.
 */
import { existsSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import type { StoryboardView } from '../../src/shared/storyboard'
import { FarmStoryboards } from '../../src/main/engine/farm/farm-storyboards'
import { probe } from '../../src/main/engine/render/ffmpeg'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { tempDir, until } from '../helpers/engine'
import { startWorker, useFarm } from '../helpers/farm-worker'

const farm = useFarm()
let studio: Studio | undefined
afterEach(async () => {
  await studio?.close(2_000)
  studio = undefined
})

async function finished(renders: FarmStoryboards, id: string, jobId: string, output: () => string): Promise<StoryboardView> {
  const view = await until(
    async () => {
      const v = await renders.view(id)
      const r = v.renders.find((x) => x.jobId === jobId)
      return r && ['completed', 'failed', 'cancelled'].includes(r.status) ? v : null
    },
    240_000,
    'the farm render to finish'
  )
  expect(view.renders[0]!.error, output()).toBeNull()
  expect(view.renders[0]!.status).toBe('completed')
  return view
}

describe('a farm render of a storyboard that uses the project’s media', () => {
  it('writes the project and its assets on the farm, copies their files into the share once, and renders them there', async () => {
    const localDir = tempDir('studio-local-')
    studio = openStudio({ dataDir: localDir })
    const project = studio.projects.create('Reef film')
    const source = join(tempDir('studio-media-'), 'reef.png')
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#1a6b8f' } }).png().toFile(source)
    const asset = await studio.projects.importAssetFile(project.id, 'reef.png', source)
    const board = await studio.storyboards.create({ projectId: project.id, from: { kind: 'assets', assetIds: [asset.id] }, settings: { format: '16:9' } })
    await studio.storyboards.edit(board.id, { op: 'updateScene', sceneId: board.scenes[0]!.id, patch: { narration: 'The reef at noon.' } })
    await studio.storyboards.edit(board.id, { op: 'addScene', scene: { narration: 'Fish everywhere.', visual: { kind: 'title', text: 'Fish' } } })

    const renders = new FarmStoryboards({ studio, farm: farm.user, sharedDir: farm.dataDir })
    const first = await renders.render({ id: board.id, draft: true })
    // On the farm: the project, and the asset at the same place under the share, measured here.
    const rel = relative(localDir, asset.path).split('\\').join('/')
    const { rows } = await farm.user.pool.query<{ project_id: string; path: string; sha256: string | null; bytes: string }>('SELECT project_id, path, sha256, bytes FROM assets WHERE id = $1', [asset.id])
    expect(rows[0]).toMatchObject({ project_id: project.id, path: rel, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: String(asset.bytes) })
    expect((await farm.user.pool.query('SELECT name FROM projects WHERE id = $1', [project.id])).rows).toEqual([{ name: 'Reef film' }])
    const copied = join(farm.dataDir, rel)
    expect(statSync(copied).size).toBe(asset.bytes)
    const copiedAt = statSync(copied).mtimeMs
    // No local job: the farm holds it.
    expect(studio.queue.get(first.job.id)).toBeNull()
    expect((await farm.user.store.get(first.job.id))?.projectId).toBe(project.id)

    const w = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(w)
    const view = await finished(renders, board.id, first.job.id, w.output)
    const video = view.renders[0]!.video!
    expect(video.startsWith(farm.dataDir) && existsSync(video)).toBe(true)
    expect((await probe(video)).streams.some((s) => s.type === 'video')).toBe(true)

    // A second render (one scene edited): the asset is the farm's already, not copied again; the picture's segment reused.
    await studio.storyboards.edit(board.id, { op: 'updateScene', sceneId: view.scenes[1]!.id, patch: { narration: 'Fish, and one shy octopus.' } })
    const second = await renders.render({ id: board.id, draft: true })
    expect(statSync(copied).mtimeMs).toBe(copiedAt)
    const view2 = await finished(renders, board.id, second.job.id, w.output)
    expect(view2.renders[0]).toMatchObject({ jobId: second.job.id, stepsRun: 3 })
  }, 600_000)
})
