/**
 * Provider faults against a real OpenAI-compatible server on 127.0.0.1, through the real
 * `openai` client: 429 with Retry-After, 500/503, a timeout, truncated and malformed bodies, a
 * socket dropped mid-stream, and a two-minute outage of the whole host played forty times
 * faster (every engine timing the outage meets — breaker cooldowns, backoff — scaled the same).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { CircuitState } from '../../src/shared/types'
import { tempDir, until } from '../helpers/engine'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy'
import { incompleteOutput } from '../helpers/media-check'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'

let studio: Studio | undefined
let server: OpenAICompatibleServer | undefined
let proxy: FaultProxy | undefined
afterEach(async () => {
  await studio?.close(100)
  await proxy?.close()
  await server?.close()
  studio = proxy = server = undefined
})

interface Setup {
  concurrency: number
  backoff: { baseMs: number; maxMs: number }
  breaker: { failureThreshold: number; cooldownMs: number; maxCooldownMs: number }
  textTimeoutMs?: number
}

/** A studio whose text and speech go to the fake server through a proxy that can go down. */
async function setup(o: Setup): Promise<{ studio: Studio; server: OpenAICompatibleServer; proxy: FaultProxy; states: Map<string, CircuitState[]> }> {
  server = await startOpenAICompatibleServer({ reply: 'Octopuses have three hearts. Two serve the gills, one the body.' })
  proxy = await startFaultProxy(server.baseURL)
  studio = openStudio({
    dataDir: tempDir('studio-faults-'),
    concurrency: o.concurrency,
    env: { STUDIO_TEST_KEY: 'sk-test-faults' },
    timings: { leaseMs: 10_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 },
    backoff: o.backoff,
    breaker: o.breaker
  })
  const endpoint = { kind: 'openai', baseURL: proxy.baseURL, apiKeyEnv: 'STUDIO_TEST_KEY', ...(o.textTimeoutMs ? { timeoutMs: o.textTimeoutMs } : {}) }
  studio.settings.replace({
    ...studio.settings.get(),
    draft: true,
    providers: { text: { ...endpoint, model: 'gpt-4o-mini' }, speech: { ...endpoint, model: 'tts-1' } }
  } as Parameters<Studio['settings']['replace']>[0])
  // Each provider's breaker states, in order.
  const states = new Map<string, CircuitState[]>()
  studio.events.subscribe((e) => {
    if (e.type !== 'provider.changed') return
    const seen = states.get(e.health.provider) ?? []
    if (seen.at(-1) !== e.health.state) seen.push(e.health.state)
    states.set(e.health.provider, seen)
  })
  return { studio, server, proxy, states }
}

const statesOf = (states: Map<string, CircuitState[]>, model: string) => [...states].find(([p]) => p.includes(model))?.[1] ?? []
const video = (idea: string) => ({ type: 'video', input: { idea, images: 1, music: false }, maxRetries: 10 })
const text = (prompt: string) => ({ type: 'text', input: { prompt }, maxRetries: 10 })

describe('provider faults', () => {
  it('429 with Retry-After, 500, 503, a timeout, truncated, malformed and dropped answers: every job finishes, each fault costs exactly one retry (a 503 a wait)', async () => {
    // One job at a time and a breaker that only an explicit 503 opens: each fault's effect on the
    // counters is exact.
    const { studio, server, states } = await setup({
      concurrency: 1,
      backoff: { baseMs: 20, maxMs: 200 },
      breaker: { failureThreshold: 100, cooldownMs: 150, maxCooldownMs: 600 },
      textTimeoutMs: 1_500
    })
    const chatFaults = [behaviours.rateLimited('1'), behaviours.serverError(), behaviours.hang(), behaviours.truncated(), behaviours.malformed(), behaviours.destroy(), behaviours.unavailable()]
    const speechFaults = [behaviours.destroy(), behaviours.malformed(), behaviours.empty(), behaviours.status(500), behaviours.unavailable()]
    server.script('chat', chatFaults)
    server.script('speech', speechFaults)
    const ids = [video('three hearts'), video('blue blood'), text('a haiku'), video('ink clouds'), text('a limerick')].map((j) => studio.queue.enqueue(j).id)
    studio.startWork()
    await until(() => ids.every((id) => ['completed', 'failed'].includes(studio.queue.get(id)!.status)), 90_000, 'every job to end')

    const jobs = ids.map((id) => studio.queue.get(id)!)
    expect(jobs.map((j) => `${j.title}: ${j.status} ${j.error ?? ''}`.trim())).toEqual(jobs.map((j) => `${j.title}: completed`))
    // Every call is a job's one call or a scripted fault: no finished step was asked again.
    expect(server.calls('chat')).toBe(5 + chatFaults.length)
    expect(server.calls('speech')).toBe(3 + speechFaults.length)
    // Retryable faults count as retries; the two 503s were waits, given back.
    expect(jobs.reduce((n, j) => n + j.retryCount, 0)).toBe(chatFaults.length - 1 + speechFaults.length - 1)
    const logs = ids.flatMap((id) => studio.queue.logs(id).map((l) => l.message)).join('\n')
    expect(logs).toMatch(/Retry|429|rate/i)
    expect(logs).toMatch(/stalled|timed out|timeout/i)
    // Each 503 opened its provider's breaker, and a passing probe closed it.
    expect(statesOf(states, 'gpt-4o-mini')).toEqual(expect.arrayContaining(['open', 'closed']))
    expect(statesOf(states, 'gpt-4o-mini').at(-1)).toBe('closed')
    expect(statesOf(states, 'tts-1').at(-1)).toBe('closed')
    for (const j of jobs.filter((j) => j.type === 'video')) expect(await incompleteOutput(j.steps.at(-1)!.files.video!)).toBeNull()
  })

  it('a two-minute outage of the whole host, forty times faster: jobs wait instead of failing, the breaker opens and closes, no wait counts as a retry', async () => {
    const SCALE = 40
    const OUTAGE_MS = 120_000 / SCALE
    // The engine's defaults (backoff 2 s → 5 min, breaker 5 failures, cooldown 30 s → 5 min), scaled.
    const { studio, proxy, states } = await setup({
      concurrency: 2,
      backoff: { baseMs: 2_000 / SCALE, maxMs: 300_000 / SCALE },
      breaker: { failureThreshold: 5, cooldownMs: 30_000 / SCALE, maxCooldownMs: 300_000 / SCALE }
    })
    const ids = [text('a haiku'), video('three hearts'), text('a limerick'), video('blue blood'), text('a sonnet'), text('a riddle'), video('ink clouds')].map(
      (j) => studio.queue.enqueue(j).id
    )
    studio.startWork()
    // The host goes down once the run is under way.
    await until(() => ids.some((id) => studio.queue.get(id)!.status === 'completed'), 30_000, 'a first job to finish')
    const wentDown = Date.now()
    proxy.down(OUTAGE_MS)
    await until(() => ids.every((id) => ['completed', 'failed'].includes(studio.queue.get(id)!.status)), 60_000, 'every job to end')
    const lastEnd = Date.now()

    const jobs = ids.map((id) => studio.queue.get(id)!)
    expect(jobs.filter((j) => j.status !== 'completed').map((j) => `${j.title}: ${j.error}`)).toEqual([])
    expect(proxy.refused).toBeGreaterThan(0)
    // The jobs waited out the outage: some finished after it.
    expect(lastEnd - wentDown).toBeGreaterThanOrEqual(OUTAGE_MS)
    // Outage waits are not failures: no retry counted, every step finished at its first attempt.
    expect(jobs.map((j) => j.retryCount)).toEqual(jobs.map(() => 0))
    expect(jobs.flatMap((j) => j.steps.filter((s) => s.attempts !== 1).map((s) => `${j.title}/${s.name}: ${s.attempts} attempts`))).toEqual([])
    const logs = ids.flatMap((id) => studio.queue.logs(id).map((l) => l.message))
    expect(logs.some((m) => /unavailable|waiting|down/i.test(m))).toBe(true)
    // The breaker of each provider the outage met opened, then closed.
    const met = [...states].filter(([, s]) => s.includes('open'))
    expect(met.length).toBeGreaterThan(0)
    for (const [provider, s] of met) expect(s.at(-1), provider).toBe('closed')
    expect((await studio.health()).every((h) => h.state === 'closed')).toBe(true)
  })
})
