import { describe, expect, it } from 'vitest'
import { jobDetailText } from '../../src/cli/format'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'

/**
 * A model missing from the price table (a local llama, say) did cost something, or at least we
 * cannot say it did not: its step's cost is unknown, not $0, and the job's total is a floor —
 * unless the user marked its server as not charging (`free`), which makes every call a known $0.
 */
const track = closeAfterEach()
const closeStudio = (s: Studio) => s.close(100)
const closeServer = (s: OpenAICompatibleServer) => s.close()

/**
 * A studio whose text model (llama3.2) has no price, on a local OpenAI-compatible server marked
 * free or not, and whose speech model (tts-1) is priced; a video job and a text job run to the end.
 */
async function runVideoAndText(options: { free: boolean }) {
  const server = track(await startOpenAICompatibleServer({ reply: 'Octopuses pump blue blood through three hearts. Two serve the gills.' }), closeServer)
  const studio = track(openStudio({
    dataDir: tempDir('studio-cost-'),
    concurrency: 2,
    env: {},
    timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 },
    backoff: { baseMs: 20, maxMs: 200 }
  }), closeStudio)
  const endpoint = { kind: 'openai', baseURL: server.baseURL }
  studio.settings.replace({
    ...studio.settings.get(),
    providers: { text: { ...endpoint, model: 'llama3.2', ...(options.free ? { free: true } : {}) }, speech: { ...endpoint, model: 'tts-1' } },
    draft: true
  })
  const video = studio.queue.enqueue({ type: 'video', input: { idea: 'three hearts', images: 1, music: false } })
  const text = studio.queue.enqueue({ type: 'text', input: { prompt: 'a haiku about lighthouses' } })
  studio.startWork()
  await until(() => [video.id, text.id].every((id) => studio.queue.get(id)!.status === 'completed'), 60_000, 'both jobs')
  return { studio, video, text }
}

describe('costs of unpriced models', () => {
  it('stores an unpriced step as cost unknown, a priced one with its cost, and the job total as what is known', async () => {
    // llama3.2 is in no price table; tts-1 is ($15 per million characters).
    const { studio, video, text } = await runVideoAndText({ free: false })

    const done = studio.queue.get(video.id)!
    const [script, , audio] = done.steps
    expect(script).toMatchObject({ name: 'script', cost: null, costKnown: false })
    expect(audio).toMatchObject({ name: 'audio', costKnown: true })
    expect(audio!.cost).toBeGreaterThan(0)
    // The narration is all that is known to have been spent: a lower bound, which the steps say.
    expect(done.costUsd).toBeCloseTo(audio!.cost!, 12)
    expect(done.steps.filter((s) => s.costKnown === false).map((s) => s.name)).toEqual(['script'])
    // The job itself says its total is a floor (lists and exports show "≥ $x", not the figure).
    expect(done.costKnown).toBe(false)

    const single = studio.queue.get(text.id)!
    expect(single.steps[0]).toMatchObject({ cost: null, costKnown: false })
    expect(single).toMatchObject({ costUsd: 0, costKnown: false })

    // A retry from the video reuses the unpriced script without turning its cost into $0.
    studio.queue.retry(video.id, { fromStep: 'video' })
    await until(() => studio.queue.get(video.id)!.status === 'completed', 60_000, 'video-only redo')
    expect(studio.queue.get(video.id)!.steps[0]).toMatchObject({ cost: null, costKnown: false })
    expect(studio.queue.get(video.id)!.costKnown).toBe(false)

    // Redone from the start, nothing it spent before counts any more: $0, known, until it runs.
    const redo = studio.queue.retry(text.id, { fromStep: 'generate' })
    expect(redo).toMatchObject({ costUsd: 0, costKnown: true })
  })

  it('prices a step served by an endpoint marked free at a known $0, whatever its model', async () => {
    // llama3.2 is in no price table, but this server says it charges nothing; tts-1 on a paying endpoint is priced.
    const { studio, video, text } = await runVideoAndText({ free: true })

    const single = studio.queue.get(text.id)!
    expect(single.steps[0]).toMatchObject({ cost: 0, costKnown: true })
    expect(single.costUsd).toBe(0)
    expect(jobDetailText(single, [])).toMatch(/cost \$0\.0000/)

    const done = studio.queue.get(video.id)!
    const [script, , audio] = done.steps
    expect(script).toMatchObject({ name: 'script', cost: 0, costKnown: true })
    expect(audio).toMatchObject({ name: 'audio', costKnown: true })
    expect(audio!.cost).toBeGreaterThan(0)
    // Every step's cost is known, so the total is exact, not a floor.
    expect(done.steps.filter((s) => s.costKnown === false)).toEqual([])
    expect(done.costUsd).toBeCloseTo(audio!.cost!, 12)
    expect(jobDetailText(done, [])).not.toContain('≥')
  })
})
