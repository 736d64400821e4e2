import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { probe } from '../../src/main/engine/render/ffmpeg'
import { resolveBinaries } from '../../src/main/engine/render/binaries'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'
import { tempDir, until } from '../helpers/engine'
import { startRequestClock, type RequestClock } from './request-clock'

/**
 * The video pipeline end to end with the real `openai` client against a local OpenAI-compatible
 * server that misbehaves on cue, real espeak-free speech (the server's WAV), real sharp and ffmpeg.
 */
let studio: Studio | undefined
let server: OpenAICompatibleServer | undefined
let clock: RequestClock | undefined
afterEach(async () => {
  await studio?.close(100)
  await clock?.close()
  await server?.close()
  studio = undefined
  server = undefined
  clock = undefined
})

/** `via` puts something (a request clock) between the engine and the server. */
async function setup(via?: (server: OpenAICompatibleServer) => Promise<{ baseURL: string }>): Promise<{ studio: Studio; server: OpenAICompatibleServer }> {
  server = await startOpenAICompatibleServer({ reply: 'Octopuses pump blue blood through three hearts. Two serve the gills. One serves the body.' })
  const baseURL = via ? (await via(server)).baseURL : server.baseURL
  studio = openStudio({
    dataDir: tempDir('studio-openai-'),
    concurrency: 2,
    env: { STUDIO_TEST_KEY: 'sk-test-do-not-leak' },
    timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 },
    backoff: { baseMs: 20, maxMs: 200 },
    breaker: { failureThreshold: 3, cooldownMs: 150, maxCooldownMs: 400 }
  })
  const endpoint = { kind: 'openai', baseURL, apiKeyEnv: 'STUDIO_TEST_KEY' }
  studio.settings.replace({
    ...studio.settings.get(),
    providers: { text: { ...endpoint, model: 'gpt-4o-mini' }, speech: { ...endpoint, model: 'tts-1' } },
    draft: true
  })
  return { studio, server }
}

const job = (idea: string) => ({ type: 'video', input: { idea, images: 2, music: false } })

describe('video pipeline against an OpenAI-compatible server', () => {
  it('finishes through 429, 500, malformed answers and dropped sockets, and never pays for a finished step twice', async () => {
    const { studio, server } = await setup()
    server.script('chat', [behaviours.rateLimited('0'), behaviours.malformed()])
    server.script('speech', [behaviours.destroy(), behaviours.serverError()])
    const ids = [studio.queue.enqueue(job('three hearts')).id, studio.queue.enqueue(job('blue blood')).id]
    studio.startWork()
    await until(() => ids.every((id) => studio.queue.get(id)!.status === 'completed'), 60_000, 'both jobs to complete')

    const chatCalls = server.calls('chat')
    const speechCalls = server.calls('speech')
    expect(chatCalls).toBe(2 + 2) // two scripts, two failed attempts
    expect(speechCalls).toBe(2 + 2) // two narrations, two failed attempts
    const done = studio.queue.get(ids[0]!)!
    expect(done.steps.map((s) => s.provider)).toEqual([
      expect.stringContaining('gpt-4o-mini'),
      'speech-rules',
      expect.stringContaining('tts-1'),
      'sharp-title-card',
      expect.stringContaining('ffmpeg')
    ])
    expect(done.costUsd).toBeGreaterThan(0)
    const video = done.steps[4]!.files.video!
    const { ffprobe } = await resolveBinaries()
    const info = await probe(video, { ffprobePath: ffprobe.path })
    expect(info.streams.map((s) => s.type).sort()).toEqual(['audio', 'video'])
    expect(info.streams.find((s) => s.type === 'video')).toMatchObject({ width: 540, height: 960 })

    // Redo only the video (a new render setting, say): script and narration are reused, nothing is paid again.
    studio.queue.retry(ids[0]!, { fromStep: 'video' })
    await until(() => studio.queue.get(ids[0]!)!.status === 'completed', 60_000, 'video-only redo')
    expect(server.calls('chat')).toBe(chatCalls)
    expect(server.calls('speech')).toBe(speechCalls)
    const log = studio.queue.logs(ids[0]!).map((l) => l.message)
    expect(log).toContain('skipping script (already done)')
    expect(log).toContain('skipping audio (already done)')

    // A video step that fails (its narration got damaged) fails the job at that step; the retry resumes there.
    const narration = done.steps[2]!.files.narration!
    const good = readFileSync(narration)
    writeFileSync(narration, 'not audio')
    studio.queue.retry(ids[0]!, { fromStep: 'video' })
    await until(() => studio.queue.get(ids[0]!)!.status === 'failed', 60_000, 'video failure')
    expect(studio.queue.get(ids[0]!)!.error).toMatch(/^video: /)
    writeFileSync(narration, good)
    studio.queue.retry(ids[0]!)
    await until(() => studio.queue.get(ids[0]!)!.status === 'completed', 60_000, 'resumed at video')
    expect(server.calls('chat')).toBe(chatCalls)
    expect(server.calls('speech')).toBe(speechCalls)
    // The key went to the server and nowhere else.
    const dump = JSON.stringify(studio.db.prepare('SELECT * FROM jobs').all()) + JSON.stringify(studio.db.prepare('SELECT * FROM job_logs').all())
    expect(dump).not.toContain('sk-test-do-not-leak')
    expect(server.requests('chat')[0]!.headers.authorization).toBe('Bearer sk-test-do-not-leak')
  })

  it('asks again only once the Retry-After of a 429 has passed', async () => {
    const { studio, server } = await setup(async (s) => (clock = await startRequestClock(s.baseURL)))
    server.script('chat', [behaviours.rateLimited('1')])
    const id = studio.queue.enqueue(job('patience')).id
    studio.startWork()
    await until(() => studio.queue.get(id)!.status === 'completed', 30_000, 'the job to complete after a 429')
    const [refused, retried, ...more] = clock!.arrivals(/\/chat\/completions$/)
    expect(more).toEqual([])
    // The backoff alone (20–200 ms in setup) would have asked again long before the second the server asked for.
    expect(retried! - refused!).toBeGreaterThanOrEqual(990)
    expect(retried! - refused!).toBeLessThan(3_000)
    expect(server.calls('chat')).toBe(2)
  })

  it('an outage makes jobs wait, not fail; they finish when the provider is back', async () => {
    const { studio, server } = await setup()
    const down = () => [behaviours.unavailable(), behaviours.unavailable(), behaviours.unavailable()]
    server.script('chat', down())
    server.script('models', [...down(), ...down()])
    const ids = [1, 2, 3].map((n) => studio.queue.enqueue(job(`outage ${n}`)).id)
    studio.startWork()
    await until(() => studio.queue.stats().waiting === 3, 20_000, 'all jobs waiting')
    expect(studio.queue.stats().byStatus.failed).toBe(0)
    expect((await studio.health()).find((h) => h.provider.includes('gpt-4o-mini'))!.state).not.toBe('closed')
    expect(studio.queue.get(ids[0]!)!.waitingReason).toMatch(/waiting for .*gpt-4o-mini/)
    await until(() => ids.every((id) => studio.queue.get(id)!.status === 'completed'), 60_000, 'recovery')
    expect(studio.queue.stats().byStatus.failed).toBe(0)
    expect((await studio.health()).find((h) => h.provider.includes('gpt-4o-mini'))!.state).toBe('closed')
  })
})

describe('moderation and assets', () => {
  it('checks the idea with the moderation provider before paying for a script, and refuses a flagged one', async () => {
    const { studio, server } = await setup()
    const endpoint = { kind: 'openai', baseURL: server.baseURL, apiKeyEnv: 'STUDIO_TEST_KEY' }
    studio.settings.replace({ ...studio.settings.get(), providers: { ...(studio.settings.get().providers as Record<string, unknown>), moderation: { ...endpoint } } })
    const bad = studio.queue.enqueue({ type: 'text', input: { prompt: 'how to kill the neighbours' } })
    const good = studio.queue.enqueue({ type: 'text', input: { prompt: 'a haiku about lighthouses' } })
    studio.startWork()
    await until(() => studio.queue.get(bad.id)!.status === 'failed' && studio.queue.get(good.id)!.status === 'completed', 30_000, 'moderated jobs')
    expect(studio.queue.get(bad.id)!.error).toMatch(/flagged by .* \(violence\); nothing was generated/)
    expect(server.calls('moderations')).toBe(2)
    expect(server.calls('chat')).toBe(1)
  })

  it('uses a video among the project assets as the background clip', async () => {
    const { studio } = await setup()
    const { ffmpeg } = await resolveBinaries()
    const clip = join(studio.dataDir, 'projects', 'demo', 'assets', 'clip.mp4')
    mkdirSync(dirname(clip), { recursive: true })
    execFileSync(ffmpeg.path, ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24:duration=2', '-pix_fmt', 'yuv420p', clip])
    const job = studio.queue.enqueue({ type: 'video', input: { idea: 'a clip behind the words', assets: [clip], music: false } })
    studio.startWork()
    await until(() => ['completed', 'failed'].includes(studio.queue.get(job.id)!.status), 60_000, 'clip video')
    const done = studio.queue.get(job.id)!
    expect(done.error).toBeNull()
    expect(done.steps[3]).toMatchObject({ provider: 'project-assets' })
    const { ffprobe } = await resolveBinaries()
    const info = await probe(done.steps[4]!.files.video!, { ffprobePath: ffprobe.path })
    expect(info.streams.find((s) => s.type === 'video')).toMatchObject({ width: 540, height: 960 })
  })
})
