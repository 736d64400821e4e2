import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { tempDir, until } from '../helpers/engine'

let studio: Studio | undefined
afterEach(async () => {
  await studio?.close(1_000)
  studio = undefined
})

/** The mean colour of the frame at `seconds`, as [r, g, b]. */
async function colourAt(video: string, seconds: number): Promise<number[]> {
  const ffmpeg = (await resolveBinaries()).ffmpeg.path
  const png = execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-ss', String(seconds), '-i', video, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'])
  const { channels } = await sharp(png).stats()
  return channels.slice(0, 3).map((c) => Math.round(c.mean))
}

describe('a crossfade between two scenes', () => {
  it('blends the end of the first picture into the second over the overlap, with whatever ffmpeg the app resolves', async () => {
    const dir = tempDir('studio-sb-xfade-')
    studio = openStudio({ dataDir: join(dir, 'data'), concurrency: 2, timings: { leaseMs: 10_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 } })
    const project = studio.projects.create('Fade')
    const pics = []
    for (const [name, colour] of [['red.png', '#ff0000'], ['blue.png', '#0000ff']] as const) {
      const file = join(dir, name)
      await sharp({ create: { width: 400, height: 400, channels: 3, background: colour } }).png().toFile(file)
      pics.push(await studio.projects.importAssetFile(project.id, name, file))
    }
    const board = await studio.storyboards.create({
      projectId: project.id,
      from: { kind: 'assets', assetIds: pics.map((p) => p.id) },
      settings: { format: '1:1', motion: 'none', transition: 'crossfade', captions: { mode: 'none' } }
    })
    for (const scene of board.scenes) {
      await studio.storyboards.edit(board.id, { op: 'updateScene', sceneId: scene.id, patch: { duration: { mode: 'fixed', seconds: 2 } } })
    }
    studio.startWork()
    const { job } = await studio.storyboards.render({ id: board.id, draft: true })
    const done = await until(() => {
      const j = studio!.queue.get(job.id)
      return j && j.status !== 'pending' && j.status !== 'processing' ? j : null
    }, 120_000, 'the render')
    expect(done.error).toBeNull()
    const video = done.steps.find((s) => s.name === 'assemble')!.files.video!
    // 2 s each at 24 fps: a 0.5 s crossfade at the start of the second scene, the total still 4 s.
    const [r1, , b1] = await colourAt(video, 1.0)
    expect(r1).toBeGreaterThan(200)
    expect(b1).toBeLessThan(60)
    const [rm, , bm] = await colourAt(video, 2.25)
    expect(rm).toBeGreaterThan(60)
    expect(bm).toBeGreaterThan(60)
    const [r2, , b2] = await colourAt(video, 3.2)
    expect(r2).toBeLessThan(60)
    expect(b2).toBeGreaterThan(200)
  }, 180_000)
})
