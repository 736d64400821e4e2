import { describe, expect, it } from 'vitest'
import { openStudio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'

const track = closeAfterEach()

describe('a music job keeps the mood the user typed', () => {
  it('is titled by it and reports it as written (the recipe used is a detail)', async () => {
    const studio = track(openStudio({ dataDir: tempDir('studio-music-'), concurrency: 1 }), (s) => s.close(100))
    const job = studio.queue.enqueue({ type: 'music', input: { mood: 'calm lo-fi for studying', durationSec: 2 } })
    expect(job.title).toBe('calm lo-fi for studying')
    studio.startWork()
    await until(() => ['completed', 'failed'].includes(studio.queue.get(job.id)!.status), 60_000, 'the music job')
    const done = studio.queue.get(job.id)!
    expect(done.status).toBe('completed')
    expect((done.result as { output: { mood: string; recipe: string } }).output).toMatchObject({ mood: 'calm lo-fi for studying', recipe: 'calm' })
  })
})
