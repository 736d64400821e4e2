/**
 * A farm worker notices its own settings change without a restart: a real `studio farm worker`
 * process with a daily cap of $3 in its local settings runs paid text jobs whose one step costs $1
 * (the local OpenAI-compatible server, priced per request) until the cap holds the rest, waiting
 * with the budget's reason. The cap is then raised in the worker's folder, as `studio settings`
 * or the app on that folder would save it: at its next sweep the worker says so, releases the
 * held jobs, and runs them all — the same process, never restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStudio } from '../../src/main/engine/studio'
import { tempDir } from '../helpers/engine'
import { startWorker, useFarm, waitFor, workerId } from '../helpers/farm-worker'
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'

const farm = useFarm()
let server: OpenAICompatibleServer
const KEY_ENV = 'STUDIO_FARM_BUDGET_RELOAD_TEST_KEY'
const CAP = 3
const JOBS = 6

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ reply: 'A short answer.' })
  process.env[KEY_ENV] = 'sk-test-farm-budget-reload'
})
afterAll(async () => {
  delete process.env[KEY_ENV]
  await server?.close()
})

async function saveBudget(dir: string, dailyUsd: number): Promise<void> {
  const s = openStudio({ dataDir: dir, env: { [KEY_ENV]: 'sk-test-farm-budget-reload' } })
  s.settings.replace({
    ...s.settings.get(),
    providers: { text: { kind: 'openai', baseURL: server.baseURL, apiKeyEnv: KEY_ENV, model: 'gpt-4o-mini' }, pricing: { 'gpt-4o-mini': { unit: 'requests', perRequest: 1 } } },
    budget: { dailyUsd, providers: {} }
  })
  await s.close(0)
}

const counts = async () =>
  (
    await farm.user.pool.query<{ completed: number; failed: number; held: number }>(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'pending' AND waiting_reason LIKE '%budget reached%')::int AS held
         FROM jobs`
    )
  ).rows[0]!

describe('a farm worker applies its changed settings without a restart', () => {
  it('jobs held at a $3 cap are released and run once the cap is raised', async () => {
    const local = tempDir('studio-farm-budget-reload-')
    await saveBudget(local, CAP)
    // One at a time: the cap is reached exactly, nothing in flight passes it.
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 1, localDir: local })
    farm.workers.push(w)
    await workerId(w)
    await farm.user.store.enqueueMany(Array.from({ length: JOBS }, (_, i) => ({ type: 'text', input: { prompt: `question number ${i}` } })))
    const held = await waitFor(async () => {
      const c = await counts()
      return c.completed + c.held === JOBS ? c : null
    }, 120_000, 'the cap to hold the jobs past it', w.output)
    expect(held).toMatchObject({ completed: CAP, held: JOBS - CAP, failed: 0 })
    expect(server.calls('chat')).toBe(CAP)

    await saveBudget(local, 10)
    const done = await waitFor(async () => {
      const c = await counts()
      return c.completed === JOBS ? c : null
    }, 120_000, 'the raised cap to release the held jobs', w.output)
    expect(done.failed).toBe(0)
    expect(server.calls('chat')).toBe(JOBS)
    // Said once applied. Who releases the held jobs first, the reload or the budget's own next read of
    // the farm's spend under the new caps, is a race: the line names a count only when it did.
    expect(w.output()).toMatch(/this machine's settings changed \(spend caps\) in .*: applied without a restart/)
    // The same process all along.
    expect(w.child.exitCode).toBeNull()
    expect(w.events.filter((e) => e.type === 'worker.started')).toHaveLength(1)
  }, 300_000)
})
