import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { createHandlers, dispatch } from '../../src/main/api/handlers'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'

const track = closeAfterEach()

function open(): Studio {
  const studio = track(
    openStudio({
      dataDir: tempDir('studio-assets-'),
      concurrency: 1,
      env: {},
      timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 },
      backoff: { baseMs: 20, maxMs: 200 }
    }),
    (s: Studio) => s.close(100)
  )
  studio.settings.replace({ ...studio.settings.get(), draft: true })
  return studio
}

async function png(path: string): Promise<string> {
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c33' } }).png().toFile(path)
  return path
}

const enqueue = (studio: Studio, assets: string[]) =>
  dispatch(createHandlers(studio), 'jobs/enqueue', { type: 'video', input: { idea: 'a red square story', assets, music: false, captions: 'none' } })

describe("a video's assets come from the project, never from anywhere on the machine", () => {
  it('refuses a file outside the data folder, a relative path, a symlink leading out, an unknown asset id — naming assets[n]', async () => {
    const studio = open()
    const outside = await png(join(tempDir(), 'secret.png'))
    const link = join(studio.dataDir, 'projects', 'default', 'assets', 'link.png')
    mkdirSync(join(studio.dataDir, 'projects', 'default', 'assets'), { recursive: true })
    symlinkSync(outside, link)
    const inside = await png(join(studio.dataDir, 'projects', 'default', 'assets', 'mine.png'))
    const cases: [string[], string][] = [
      [[outside], 'input.assets[0]: '],
      [[inside, '../../etc/passwd'], 'input.assets[1]: must be a project asset id or the path of a file inside the data folder'],
      [[link], 'input.assets[0]: '],
      [['0d4f3c4e-1111-4222-8333-944445555666'], 'input.assets[0]: no project asset with id 0d4f3c4e-1111-4222-8333-944445555666'],
      [[join(studio.dataDir, 'nothing.png')], 'does not exist']
    ]
    for (const [assets, message] of cases) {
      const answer = await enqueue(studio, assets)
      expect(answer.ok, assets.join(' ')).toBe(false)
      if (!answer.ok) {
        expect(answer.error.code).toBe('bad_request')
        expect(answer.error.message).toContain(message)
      }
    }
    const out = await enqueue(studio, [outside])
    expect(!out.ok && out.error.message).toContain('is outside the data folder; import it into the project first')
    expect(studio.queue.list()).toHaveLength(0)
    expect((await enqueue(studio, [inside])).ok).toBe(true)
  })

  it('takes a project asset by its id and renders it', async () => {
    const studio = open()
    const source = await png(join(tempDir(), 'dropped.png'))
    const asset = await studio.projects.importAssetFile('default', 'dropped.png', source)
    const answer = await enqueue(studio, [asset.id])
    expect(answer.ok).toBe(true)
    const id = answer.ok ? (answer.value as { id: string }).id : ''
    studio.startWork()
    await until(() => ['completed', 'failed'].includes(studio.queue.get(id)!.status), 120_000, 'the video')
    const done = studio.queue.get(id)!
    expect(done.error).toBeNull()
    expect(done.steps[3]).toMatchObject({ provider: 'project-assets' })
  }, 150_000)
})
