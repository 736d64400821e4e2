/**
 * A user moves the data folder (a new computer, a restored backup, another disk) and opens it
 * from its new place: finished steps are still reused — retrying the last step renders again
 * from the narration and images already made, nothing is paid for twice — and imported media
 * are still found. Real studio, real ffmpeg, real speech.
 */
import { existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'

const track = closeAfterEach()

function open(dataDir: string): Studio {
  const studio = track(
    openStudio({ dataDir, concurrency: 1, timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 } }),
    (s) => s.close(100)
  )
  studio.settings.replace({ ...studio.settings.get(), draft: true })
  return studio
}

async function finished(studio: Studio, id: string) {
  await until(() => ['completed', 'failed'].includes(studio.queue.get(id)!.status), 60_000, 'the video')
  return studio.queue.get(id)!
}

describe('a data folder moved to another place', () => {
  it('keeps its finished steps and its media usable', async () => {
    const first = tempDir('studio-before-move-')
    const picture = join(mkdtempSync(join(tmpdir(), 'user-files-')), 'lake.png')
    writeFileSync(picture, await sharp({ create: { width: 320, height: 240, channels: 3, background: '#3a6ea5' } }).png().toBuffer())

    const before = open(first)
    const asset = await before.projects.importAssetFile('default', 'lake.png', picture)
    const job = before.queue.enqueue({ type: 'video', input: { idea: 'Les lacs du Jura', images: 2, music: false } })
    before.startWork()
    expect((await finished(before, job.id)).error).toBeNull()
    await before.close(100)

    const moved = join(mkdtempSync(join(tmpdir(), 'studio-after-move-')), 'Creative Studio')
    renameSync(first, moved)
    const after = open(moved)

    const steps = after.queue.get(job.id)!.steps
    for (const step of steps) {
      for (const file of Object.values(step.files)) {
        expect(file.startsWith(moved), `${step.name}: ${file}`).toBe(true)
        expect(existsSync(file), `${step.name}: ${file}`).toBe(true)
      }
    }
    const [media] = after.projects.assets('default')
    expect(media!.id).toBe(asset.id)
    expect(media!.path.startsWith(moved)).toBe(true)
    expect(existsSync(media!.path)).toBe(true)

    // Rendering again needs the narration and images the earlier steps made, at their new place.
    after.queue.retry(job.id, { fromStep: 'video' })
    after.startWork()
    const again = await finished(after, job.id)
    expect(again.error).toBeNull()
    const byName = Object.fromEntries(again.steps.map((s) => [s.name, s]))
    expect(byName.audio!.attempts).toBe(1)
    expect(byName.visuals!.attempts).toBe(1)
    expect(byName.video!.files.video!.startsWith(moved)).toBe(true)
    expect(existsSync(byName.video!.files.video!)).toBe(true)
    expect(after.queue.logs(job.id).map((l) => l.message)).toContain('skipping visuals (already done)')
  }, 120_000)
})
