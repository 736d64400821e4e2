/**
 * Storyboard renders on farm workers: real `studio farm worker` processes of the built CLI on a
 * real PostgreSQL, real ffmpeg and offline speech. A render job is queued on the farm as a window
 * queues it (a `storyboard` job naming the project); its steps' artifact cache and the project's
 * asset facts are the farm's, so the render after an edit, taken by another worker with a
 * local folder of its own, reuses the first worker's artifacts and runs only the edited scene.
 */
import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import type { JobDetail } from '../../src/shared/types'
import { probe } from '../../src/main/engine/render/ffmpeg'
import { makeScene, makeSettings } from '../../src/main/engine/storyboards/document'
import { RenderInput } from '../../src/main/engine/storyboards/render-input'
import { jobState, startWorker, stopWorker, useFarm, waitFor, workerId } from '../helpers/farm-worker'

const farm = useFarm()

/** Which steps of a finished render made something (the others reused an artifact, or a project asset as it is). */
const ran = (job: JobDetail) => job.steps.filter((s) => !(s.output as { reused?: boolean } | null)?.reused).map((s) => s.name)

async function finished(id: string, output: () => string): Promise<JobDetail> {
  const done = await waitFor(
    async () => {
      const j = await farm.user.store.get(id)
      return j && ['completed', 'failed', 'cancelled'].includes(j.status) ? j : null
    },
    240_000,
    'the render to finish',
    output
  )
  expect(done.error, `render failed: ${done.error}\n${output()}`).toBeNull()
  expect(done.status).toBe('completed')
  return done
}

describe('storyboard renders on the farm', () => {
  it('a worker renders a storyboard; after an edit, another worker re-renders only the edited scene', async () => {
    const projectId = 'farm-film'
    // The project's picture, in the shared folder and known to the farm by its relative path.
    const rel = `projects/${projectId}/assets/reef.png`
    mkdirSync(join(farm.dataDir, 'projects', projectId, 'assets'), { recursive: true })
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#1a6b8f' } }).png().toFile(join(farm.dataDir, rel))
    await farm.user.pool.query(`INSERT INTO projects (id, name, created_at) VALUES ($1, 'Farm film', 0)`, [projectId])
    await farm.user.pool.query(`INSERT INTO assets (id, project_id, name, kind, path, bytes, created_at) VALUES ('reef', $1, 'reef.png', 'image', $2, $3, 0)`, [
      projectId,
      rel,
      statSync(join(farm.dataDir, rel)).size
    ])
    const settings = makeSettings({ format: '16:9' })
    const sceneA = makeScene({ narration: 'The reef wakes at dawn.', visual: { kind: 'asset', assetId: 'reef' } })
    const sceneB = makeScene({ narration: 'Fish gather near the coral.', visual: { kind: 'generated', prompt: 'coral and fish', seed: 2 } })
    const input = (revision: number, scenes: ReturnType<typeof makeScene>[]) =>
      RenderInput.parse({ storyboardId: 'board-1', revision, title: 'Farm film', draft: true, sceneId: null, settings, scenes }) as unknown as Record<string, unknown>

    const first = await farm.user.store.enqueue({ type: 'storyboard', projectId, title: 'Farm film (draft)', input: input(1, [sceneA, sceneB]) })
    const a = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(a)
    const idA = await workerId(a)
    const job1 = await finished(first.id, a.output)
    // Everything made once (the project's picture is used as it is).
    expect(ran(job1).sort()).toEqual([`voice:${sceneA.id}`, `voice:${sceneB.id}`, `visual:${sceneB.id}`, `segment:${sceneA.id}`, `segment:${sceneB.id}`, 'assemble'].sort())
    // The job's files are stored relative to the shared folder.
    const video1 = join(farm.dataDir, job1.steps.find((s) => s.name === 'assemble')!.files.video!)
    const info1 = await probe(video1)
    expect(info1.streams.some((s) => s.type === 'video')).toBe(true)
    expect(info1.streams.some((s) => s.type === 'audio')).toBe(true)
    expect(info1.durationSec).toBeGreaterThan(1)
    // The cache is the farm's: rows with files relative to the shared folder; the asset measured once, there.
    const { rows: artifacts } = await farm.user.pool.query<{ key: string; files: string }>('SELECT key, files FROM artifacts WHERE project_id = $1', [projectId])
    expect(artifacts.length).toBe(6)
    for (const r of artifacts) for (const f of Object.values(JSON.parse(r.files) as Record<string, string>)) expect(f).toMatch(new RegExp(`^projects/${projectId}/cache/`))
    const { rows: facts } = await farm.user.pool.query<{ sha256: string | null }>("SELECT sha256 FROM assets WHERE id = 'reef'")
    expect(facts[0]!.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(await stopWorker(a)).toBe(0)

    // Scene B's narration edited; the second render is taken by another worker, with a local folder of its own.
    const editedB = { ...sceneB, narration: 'A turtle glides over the coral.' }
    const second = await farm.user.store.enqueue({ type: 'storyboard', projectId, title: 'Farm film (draft)', input: input(2, [sceneA, editedB]) })
    const b = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(b)
    const idB = await workerId(b)
    expect(idB).not.toBe(idA)
    const job2 = await finished(second.id, b.output)
    expect(ran(job2).sort()).toEqual([`voice:${sceneB.id}`, `segment:${sceneB.id}`, 'assemble'].sort())
    expect((await jobState(farm.user.pool, second.id)).steps.every((s) => s.worker === idB)).toBe(true)
    const info2 = await probe(join(farm.dataDir, job2.steps.find((s) => s.name === 'assemble')!.files.video!))
    expect(info2.streams.some((s) => s.type === 'video')).toBe(true)
    expect((await farm.user.pool.query('SELECT 1 FROM artifacts WHERE project_id = $1', [projectId])).rowCount).toBe(9)
  }, 600_000)
})
