/** Estimates before starting: time from recent step durations and concurrency, cost from the price table × expected units. */
import { describe, expect, it } from 'vitest'
import { estimateJobs } from '../../src/main/engine/estimate'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'

const track = closeAfterEach()
const open = () => track(openStudio({ dataDir: tempDir('studio-estimate-'), concurrency: 2, env: {}, timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 } }), (s: Studio) => s.close(100))

describe('estimateJobs', () => {
  it('offline jobs cost nothing; their time comes from the pipeline guesses, then from measured runs', async () => {
    const studio = open()
    const first = estimateJobs(studio, [{ type: '3d', input: { prompt: 'a cube' } }, { type: '3d', input: { prompt: 'a ball' } }])
    expect(first).toMatchObject({ costUsd: 0, costKnown: true, workMs: 200 })
    const job = studio.queue.enqueue({ type: '3d', input: { prompt: 'a cone' } })
    studio.startWork()
    await until(() => studio.queue.get(job.id)!.status === 'completed', 20_000, 'the job')
    const measured = studio.queue.get(job.id)!.steps[0]!.durationMs!
    expect(estimateJobs(studio, [{ type: '3d', input: { prompt: 'x' } }]).workMs).toBe(measured)
  })

  it('prices paid steps by their expected units, and spreads time over the pool', () => {
    const studio = open()
    studio.settings.replace({
      ...studio.settings.get(),
      providers: {
        text: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'gpt-4o-mini' },
        speech: { kind: 'elevenlabs', baseURL: 'http://127.0.0.1:9' },
        image: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'dall-e-3' },
        music: { kind: 'suno', baseURL: 'http://127.0.0.1:9' }
      }
    })
    const text = 'x'.repeat(1000)
    const e = estimateJobs(studio, [
      { type: 'audio', input: { text } },
      { type: 'image', input: { prompt: 'a cat' } },
      { type: 'music', input: { mood: 'calm' } },
      { type: 'text', input: { prompt: 'abcd'.repeat(25), maxTokens: 1000 } }
    ])
    expect(e.jobs[0]!.costUsd).toBeCloseTo(1000 * 100e-6, 9) // ElevenLabs multilingual: $100 per million characters
    expect(e.jobs[1]!.costUsd).toBeCloseTo(0.04, 9) // dall-e-3, one image
    expect(e.jobs[2]!.costUsd).toBeCloseTo(0.04, 9) // one Suno generation
    expect(e.jobs[3]!.costUsd).toBeCloseTo(((25 + 150) * 0.15 + 1000 * 0.6) / 1e6, 9)
    expect(e.costKnown).toBe(true)
    expect(e.wallClockMs).toBeLessThan(e.workMs)
    expect(() => estimateJobs(studio, [{ type: 'nope', input: {} }])).toThrow(/unknown job type/)
  })
})
