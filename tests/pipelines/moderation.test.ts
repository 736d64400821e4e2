import { describe, expect, it } from 'vitest'
import type { ProviderSettingsInput } from '../../src/main/engine/providers/registry'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'

/**
 * Moderation before every paid call, with the real `openai` client against the local server:
 * the text about to be sent to a paid image, speech or text model is checked first, only when
 * that step's provider is paid; a moderation outage is the moderation provider's, not the text
 * model's. The server flags any text containing "forbidden" or "kill" (category violence).
 */
const track = closeAfterEach()
const closeStudio = (s: Studio) => s.close(100)
const closeServer = (s: OpenAICompatibleServer) => s.close()

async function setup(
  providers: (endpoint: Record<string, string>) => ProviderSettingsInput,
  cooldownMs = 150
): Promise<{ studio: Studio; server: OpenAICompatibleServer }> {
  const server = track(await startOpenAICompatibleServer(), closeServer)
  const studio = track(openStudio({
    dataDir: tempDir('studio-moderation-'),
    concurrency: 2,
    env: { STUDIO_TEST_KEY: 'sk-test' },
    timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 },
    backoff: { baseMs: 20, maxMs: 200 },
    breaker: { failureThreshold: 3, cooldownMs, maxCooldownMs: Math.max(400, cooldownMs) }
  }), closeStudio)
  const endpoint = { kind: 'openai', baseURL: server.baseURL, apiKeyEnv: 'STUDIO_TEST_KEY' }
  studio.settings.replace({ ...studio.settings.get(), providers: providers(endpoint), draft: true })
  return { studio, server }
}

const finished = (s: Studio, id: string) => ['completed', 'failed'].includes(s.queue.get(id)!.status)

describe('moderation before paid steps', () => {
  it('refuses a flagged image prompt before any image is requested, and a flagged narration before any speech', async () => {
    const { studio, server } = await setup((e) => ({ image: { ...e, model: 'dall-e-3' }, speech: { ...e, model: 'tts-1' }, moderation: { ...e } }))
    const image = studio.queue.enqueue({ type: 'image', input: { prompt: 'a forbidden lighthouse at dawn' } })
    const graphic = studio.queue.enqueue({ type: 'graphic', input: { prompt: 'kill the lights poster', kind: 'poster' } })
    const speech = studio.queue.enqueue({ type: 'audio', input: { text: 'We will kill the lights at nine.' } })
    studio.startWork()
    await until(() => [image.id, graphic.id, speech.id].every((id) => finished(studio, id)), 30_000, 'moderated jobs')
    for (const id of [image.id, graphic.id, speech.id]) {
      expect(studio.queue.get(id)!.error).toMatch(/^generate: the text was flagged by .*omni-moderation-latest \(violence\); nothing was generated$/)
    }
    expect(server.calls('moderations')).toBe(3)
    expect(server.calls('images')).toBe(0)
    expect(server.calls('speech')).toBe(0)
  })

  it('checks every image prompt of a video before its first image, and leaves its offline steps alone', async () => {
    // Offline script and narration, paid images: only the visuals step is moderated.
    const { studio, server } = await setup((e) => ({ image: { ...e, model: 'dall-e-3' }, moderation: { ...e } }))
    const job = studio.queue.enqueue({ type: 'video', input: { idea: 'forbidden octopus facts', images: 3, music: false } })
    studio.startWork()
    await until(() => finished(studio, job.id), 60_000, 'the video job')
    const done = studio.queue.get(job.id)!
    expect(done.error).toMatch(/^visuals: the text was flagged .*\(violence\)/)
    expect(done.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'failed', 'pending'])
    expect(server.calls('moderations')).toBe(1)
    // One request carried the three prompts.
    expect(server.requests('moderations')[0]!.body!.input).toHaveLength(3)
    expect(server.calls('images')).toBe(0)
  })

  it('does not moderate a step whose provider is offline, whatever the other steps use', async () => {
    // A paid text model must not make the offline image step wait on moderation.
    const { studio, server } = await setup((e) => ({ text: { ...e, model: 'gpt-4o-mini' }, image: { kind: 'offline' }, moderation: { ...e } }))
    const job = studio.queue.enqueue({ type: 'image', input: { prompt: 'a forbidden lighthouse', width: 256, height: 256 } })
    studio.startWork()
    await until(() => finished(studio, job.id), 30_000, 'the offline image')
    expect(studio.queue.get(job.id)).toMatchObject({ status: 'completed', error: null })
    expect(server.calls('moderations')).toBe(0)
  })

  it('counts a moderation outage against the moderation provider, never against the text model', async () => {
    const { studio, server } = await setup((e) => ({ text: { ...e, model: 'gpt-4o-mini' }, moderation: { ...e } }))
    server.script('moderations', [behaviours.unavailable()])
    const job = studio.queue.enqueue({ type: 'text', input: { prompt: 'a haiku about lighthouses' } })
    studio.startWork()
    await until(() => finished(studio, job.id), 30_000, 'the text job')
    expect(studio.queue.get(job.id)!.status).toBe('completed')
    expect(server.calls('moderations')).toBe(2)
    expect(server.calls('chat')).toBe(1)

    const moderationId = `127.0.0.1:${server.port}:omni-moderation-latest`
    const textId = `127.0.0.1:${server.port}:gpt-4o-mini`
    expect(studio.queue.logs(job.id).map((l) => l.message)).toContainEqual(expect.stringMatching(new RegExp(`^${moderationId} is unavailable; generate waits`)))
    const failures = (provider: string) =>
      (studio.db.prepare('SELECT COUNT(*) AS n FROM provider_calls WHERE provider = ? AND ok = 0').get(provider) as { n: number }).n
    expect(failures(moderationId)).toBe(1)
    expect(failures(textId)).toBe(0)
    const health = (await studio.health())
    expect(health.find((h) => h.provider === textId)).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
    // The job got past moderation afterwards: its breaker closed again.
    expect(health.find((h) => h.provider === moderationId)).toMatchObject({ state: 'closed' })
  })

  it('a moderation server that is back is found by its health probe: "run the pool now" releases the waiting job', async () => {
    // A cooldown far longer than the test: only the probe can bring the job back in time.
    const { studio, server } = await setup((e) => ({ text: { ...e, model: 'gpt-4o-mini' }, moderation: { ...e } }), 60_000)
    server.script('moderations', [behaviours.unavailable()])
    const job = studio.queue.enqueue({ type: 'text', input: { prompt: 'a haiku about lighthouses' } })
    studio.startWork()
    const moderationId = `127.0.0.1:${server.port}:omni-moderation-latest`
    await until(async () => (await studio.health()).find((h) => h.provider === moderationId)?.state === 'open', 10_000, 'moderation circuit open')
    expect(studio.queue.get(job.id)!.status).toBe('pending')
    studio.pool.kick()
    await until(() => finished(studio, job.id), 10_000, 'the text job, released by the probe')
    expect(studio.queue.get(job.id)!.status).toBe('completed')
    expect(server.calls('models')).toBeGreaterThanOrEqual(1)
  })
})
