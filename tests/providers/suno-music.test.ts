/**
 * Music through a Suno-style asynchronous API (the community suno-api server's endpoints) against
 * a local fake: submit, poll with progress, download; seed 4's queue behaviours through the
 * engine (an outage makes jobs wait, 3 attempts, then an existing track, labelled as a fallback).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeWav } from '../../src/main/engine/providers/wav'
import { SunoMusicProvider } from '../../src/main/engine/providers/suno-music'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { misbehave } from '../helpers/fake-http'
import { tempDir, until } from '../helpers/engine'
import { failure } from '../helpers/step-error'
import { startSunoServer, type SunoFake } from '../helpers/suno-server'

const track = closeAfterEach()
const GENERATE = 'POST /api/generate'
const signal = () => new AbortController().signal

async function fake(options: Parameters<typeof startSunoServer>[0] = {}): Promise<SunoFake> {
  return track(await startSunoServer(options), (s) => s.close())
}

function studioFor(server: SunoFake): Studio {
  const studio = track(
    openStudio({
      dataDir: tempDir('studio-suno-'),
      concurrency: 2,
      timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 50 },
      backoff: { baseMs: 20, maxMs: 100 },
      breaker: { failureThreshold: 5, cooldownMs: 300, maxCooldownMs: 600 }
    }),
    (s) => s.close(100)
  )
  studio.settings.replace({
    ...studio.settings.get(),
    providers: { music: { kind: 'suno', baseURL: server.baseURL, pollMs: 20 } },
    // Seed 4 is 5 at once, 2 s apart (the default); shorter here to keep the test quick.
    resources: { music: { concurrency: 5, minIntervalMs: 150 } }
  })
  studio.applyPoolSettings()
  return studio
}

const finished = (studio: Studio, id: string) => ['completed', 'failed'].includes(studio.queue.get(id)!.status)

describe('Suno-style music', () => {
  it('submits once, reports progress while the track is made, and downloads it', async () => {
    const server = await fake()
    const progress: Array<[number, string | undefined]> = []
    const result = await new SunoMusicProvider({ baseURL: server.baseURL, pollMs: 10 }).generate(
      { mood: 'calm lo-fi piano', durationSec: 30 },
      { signal: signal(), outBase: join(tempDir('suno-'), 'music'), onProgress: (p, m) => progress.push([p, m]) }
    )
    expect(server.calls(GENERATE)).toBe(1)
    expect(server.requests(GENERATE)[0]!.body).toMatchObject({ prompt: 'calm lo-fi piano', make_instrumental: true, wait_audio: false })
    expect(server.calls('GET /api/get')).toBeGreaterThanOrEqual(3)
    expect(progress.some(([, m]) => /queued/.test(m ?? ''))).toBe(true)
    const percents = progress.map(([p]) => p)
    expect([...percents].sort((a, b) => a - b)).toEqual(percents)
    expect(percents.at(-1)).toBe(100)
    expect(result.path.endsWith('.wav')).toBe(true)
    expect(readFileSync(result.path).subarray(0, 4).toString()).toBe('RIFF')
    expect(result).toMatchObject({ durationSec: 1.5, provider: `suno:127.0.0.1:${server.port}`, priceKnown: true, costUsd: 0.04 })
  })

  it('lyrics go to custom_generate; a retry after a dropped download polls the same tracks without paying again', async () => {
    const server = await fake()
    const resumeDir = tempDir('suno-resume-')
    const provider = new SunoMusicProvider({ baseURL: server.baseURL, pollMs: 10 })
    const request = { mood: 'chanson française', durationSec: 60, lyrics: 'La la la', title: 'Essai' }
    server.script('GET /files/:file', [misbehave.destroy()])
    const dropped = await failure(provider.generate(request, { signal: signal(), outBase: join(tempDir('suno-'), 'm'), resumeDir }))
    expect(dropped.kind).toBe('retryable')
    const result = await provider.generate(request, { signal: signal(), outBase: join(tempDir('suno-'), 'm'), resumeDir })
    expect(server.calls('POST /api/custom_generate')).toBe(1)
    expect(server.requests('POST /api/custom_generate')[0]!.body).toMatchObject({ prompt: 'La la la', tags: 'chanson française', title: 'Essai', make_instrumental: false })
    expect(server.credits).toBe(490)
    expect(readFileSync(result.path).length).toBeGreaterThan(1000)
  })

  it('errors: 503 and a refused connection are outages, a slow answer times out, no credits waits', async () => {
    const server = await fake({ credits: 5 })
    const provider = new SunoMusicProvider({ baseURL: server.baseURL, pollMs: 10, requestTimeoutMs: 500 })
    const run = () => provider.generate({ mood: 'x', durationSec: 5 }, { signal: signal(), outBase: join(tempDir('suno-'), 'm') })
    expect((await failure(run())).kind).toBe('provider-unavailable') // 402 Insufficient credits
    expect((await failure(provider.probe())).message).toMatch(/no credits left/)
    server.credits = 100
    await expect(provider.probe()).resolves.toBeUndefined()
    server.script(GENERATE, [misbehave.status(503, { error: 'Suno is overloaded' }), misbehave.slow(2_000), misbehave.status(500)])
    const errors = [await failure(run()), await failure(run()), await failure(run())]
    expect(errors.map((e) => e.kind)).toEqual(['provider-unavailable', 'retryable', 'retryable'])
    expect(errors[0]!.message).toMatch(/Suno is overloaded/)
    const gone = await startSunoServer()
    await gone.close()
    expect((await failure(new SunoMusicProvider({ baseURL: gone.baseURL }).probe())).kind).toBe('provider-unavailable')
  })

  it('seed 4: jobs wait while the service is down, then all complete once it is back, never submitted twice', async () => {
    const server = await fake()
    const studio = studioFor(server)
    server.script(GENERATE, [misbehave.status(503, { error: 'Service Unavailable' })])
    const jobs = [1, 2, 3].map((n) => studio.queue.enqueue({ type: 'music', input: { mood: `calm ${n}` } }))
    studio.startWork()
    await until(() => jobs.some((j) => /waiting for suno/.test(studio.queue.get(j.id)!.waitingReason ?? '')), 15_000, 'a job waiting for suno')
    await until(() => jobs.every((j) => finished(studio, j.id)), 30_000, 'the music jobs')
    for (const j of jobs) {
      const done = studio.queue.get(j.id)!
      expect(done.error).toBeNull()
      expect(done.steps[0]!.provider).toMatch(/^suno:/)
    }
    // One refused submission, then one per job: no job paid twice.
    expect(server.calls(GENERATE)).toBe(4)
    // 2 s apart in production (150 ms here): the resource limit spaces the steps' starts (each
    // attempt's "started" line), read on the engine's clock. The submissions' arrivals also carry
    // what a step does before it calls (its first connection: tens of ms, once 125), so only their
    // whole span is held to the limit: four submissions took at least three intervals.
    const starts = jobs
      .flatMap((j) => studio.queue.logs(j.id).filter((l) => l.message.startsWith('started ')).map((l) => l.ts))
      .sort((a, b) => a - b)
    expect(starts).toHaveLength(4)
    for (let k = 1; k < starts.length; k++) expect(starts[k]! - starts[k - 1]!).toBeGreaterThanOrEqual(120)
    const arrivals = server.requests(GENERATE).map((r) => r.at)
    expect(arrivals[arrivals.length - 1]! - arrivals[0]!).toBeGreaterThanOrEqual(3 * 120)
  })

  it('seed 4: after 3 failed attempts, an existing track of the project, clearly marked as a fallback', async () => {
    const server = await fake()
    const studio = studioFor(server)
    const project = studio.projects.create('Album')
    const wav = encodeWav(Buffer.alloc(16_000), { sampleRate: 8_000, channels: 1, bitsPerSample: 16 })
    const asset = await studio.projects.importAsset(project.id, 'theme.wav', wav)
    const job = studio.queue.enqueue({ type: 'music', projectId: project.id, input: { mood: 'epic' } })
    server.script(GENERATE, [misbehave.status(500), misbehave.status(500), misbehave.status(500)])
    studio.startWork()
    await until(() => finished(studio, job.id), 30_000, 'the music job')
    const done = studio.queue.get(job.id)!
    expect(done.status).toBe('completed')
    expect(server.calls(GENERATE)).toBe(3)
    const step = done.steps[0]!
    expect(step.fallback).toBe(true)
    expect(step.provider).toBe('library')
    expect(step.output).toMatchObject({ reused: asset.path, fallback: 'an existing track' })
  })
})
