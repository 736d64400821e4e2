/**
 * Spend caps with the fake OpenAI server: paid text steps spend up to the cap, the next paid step
 * waits with "budget reached (resets at …)", then runs once the cap is raised — and nothing that
 * already ran is paid again. Offline steps never wait on a budget.
 */
import { describe, expect, it } from 'vitest'
import { statsText } from '../../src/cli/format'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { budgetHold, periodBounds } from '../../src/main/engine/pool/budget'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir, until } from '../helpers/engine'
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'

const track = closeAfterEach()

async function setUp(budget: Record<string, unknown>) {
  const server = track(await startOpenAICompatibleServer({ reply: 'A short answer.' }), (s: OpenAICompatibleServer) => s.close())
  const studio = track(
    openStudio({ dataDir: tempDir('studio-budget-'), concurrency: 1, env: {}, timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 }, backoff: { baseMs: 20, maxMs: 200 } }),
    (s: Studio) => s.close(100)
  )
  studio.settings.replace({
    ...studio.settings.get(),
    // $1 a call, so the cap is easy to reason about.
    providers: { text: { kind: 'openai', baseURL: server.baseURL, model: 'gpt-4o-mini', name: 'local' }, pricing: { 'gpt-4o-mini': { unit: 'requests', perRequest: 1 } } },
    budget
  })
  return { server, studio }
}

const status = (studio: Studio, id: string) => studio.queue.get(id)!

describe('spend caps', () => {
  it('spends up to the daily cap; the next paid step waits, then resumes when the cap is raised, paying nothing twice', async () => {
    const { server, studio } = await setUp({ dailyUsd: 2 })
    const jobs = [1, 2, 3].map((n) => studio.queue.enqueue({ type: 'text', input: { prompt: `question number ${n}` } }))
    studio.startWork()
    await until(() => /budget reached/.test(status(studio, jobs[2]!.id).waitingReason ?? ''), 20_000, 'the third job to wait for the budget')
    expect([status(studio, jobs[0]!.id).status, status(studio, jobs[1]!.id).status]).toEqual(['completed', 'completed'])
    const waiting = status(studio, jobs[2]!.id)
    expect(waiting.status).toBe('pending')
    const tomorrow = new Date(periodBounds('day', Date.now()).next).toLocaleString()
    expect(waiting.waitingReason).toContain(`resets at ${tomorrow}`)
    expect(server.calls('chat')).toBe(2)

    const stats = await studioHandlers(studio)['queue/stats']({})
    expect(stats.spend).toEqual([expect.objectContaining({ provider: null, period: 'day', capUsd: 2, spentUsd: 2 })])
    expect(statsText(stats)).toMatch(/budget overall today: \$2\.00 of \$2\.00 \(100%\), reached/)

    // Raising the cap (as Settings does) lets it run at once.
    await studioHandlers(studio)['settings/update']({ budget: { dailyUsd: 5 } })
    await until(() => status(studio, jobs[2]!.id).status === 'completed', 20_000, 'the third job after the raise')
    expect(server.calls('chat')).toBe(3)
    expect(jobs.map((j) => status(studio, j.id).steps[0]!.cost)).toEqual([1, 1, 1])
  })

  it('a per-provider monthly cap holds that provider only; offline steps never wait', async () => {
    const { server, studio } = await setUp({ providers: { local: { monthlyUsd: 1 } } })
    const paid = [1, 2].map((n) => studio.queue.enqueue({ type: 'text', input: { prompt: `paid question ${n}` } }))
    const offline = studio.queue.enqueue({ type: '3d', input: { prompt: 'a cube' } })
    studio.startWork()
    await until(() => /budget reached \(local monthly cap/.test(status(studio, paid[1]!.id).waitingReason ?? ''), 20_000, 'the second paid job to wait')
    await until(() => status(studio, offline.id).status === 'completed', 20_000, 'the offline job')
    expect(server.calls('chat')).toBe(1)
  })

  it('waits until the latest reset among the caps reached', () => {
    const now = new Date(2025, 4, 10, 15, 0).getTime()
    const spent = () => 10
    const hold = budgetHold('openai:gpt-4o', { dailyUsd: 5, monthlyUsd: 10, providers: { openai: { dailyUsd: 1 } } }, spent, now)
    expect(hold?.until).toBe(new Date(2025, 5, 1).getTime())
    expect(budgetHold('elevenlabs:x', { providers: { openai: { dailyUsd: 1 } } }, spent, now)).toBeNull()
  })
})
