/**
 * Spend caps on a farm: two real `studio farm worker` processes, each with a daily cap of $3 in
 * its own settings, share paid text jobs whose one step costs $1 (the local OpenAI-compatible
 * server, priced per request, answering slowly so that steps overlap). The farm's spend — every
 * worker's — stops at the cap plus at most the steps in flight; the other jobs wait with the
 * budget's reason and none fails. Then FarmBudget itself on the same farm: it answers from the
 * spend last read, and a read that shows a raised cap releases the provider it held.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest'
import { FarmBudget } from '../../src/main/engine/farm/farm-budget'
import type { BudgetSettings } from '../../src/main/engine/pool/budget'
import { PgProviderCalls } from '../../src/main/engine/store/postgres/provider-calls'
import { openStudio } from '../../src/main/engine/studio'
import { tempDir } from '../helpers/engine'
import { startWorker, useFarm, waitFor, workerId } from '../helpers/farm-worker'
import { behaviours, startOpenAICompatibleServer, type OpenAICompatibleServer } from '../helpers/openai-compatible-server'

const farm = useFarm()
let server: OpenAICompatibleServer
const KEY_ENV = 'STUDIO_FARM_BUDGET_TEST_KEY'
const CAP = 3
const CONCURRENCY = 2
const JOBS = 16

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ reply: 'A short answer.' })
  // The workers inherit this process's environment: the key their text provider names.
  process.env[KEY_ENV] = 'sk-test-farm-budget'
})
afterAll(async () => {
  delete process.env[KEY_ENV]
  await server?.close()
})

/** A worker's own folder whose settings price each text call at $1 and cap the day at CAP. */
async function workerLocal(): Promise<string> {
  const dir = tempDir('studio-farm-budget-')
  const s = openStudio({ dataDir: dir, env: { [KEY_ENV]: 'sk-test-farm-budget' } })
  s.settings.replace({
    ...s.settings.get(),
    providers: { text: { kind: 'openai', baseURL: server.baseURL, apiKeyEnv: KEY_ENV, model: 'gpt-4o-mini' }, pricing: { 'gpt-4o-mini': { unit: 'requests', perRequest: 1 } } },
    budget: { dailyUsd: CAP, providers: {} }
  })
  await s.close(0)
  return dir
}

const counts = async () =>
  (
    await farm.user.pool.query<{ completed: number; failed: number; held: number; other: number; spent: number | null }>(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'pending' AND waiting_reason LIKE '%budget reached%')::int AS held,
              count(*) FILTER (WHERE status NOT IN ('completed', 'failed') AND NOT (status = 'pending' AND coalesce(waiting_reason, '') LIKE '%budget reached%'))::int AS other,
              (SELECT sum(cost_usd)::float8 FROM steps WHERE status = 'completed') AS spent
         FROM jobs`
    )
  ).rows[0]!

describe('spend caps on a farm', () => {
  it("two workers hold paid steps once the farm's spend reaches their daily cap: the rest wait, nothing fails", async () => {
    // Each call takes 1.5 s: steps overlap, and the sweep (300 ms) reads the other worker's spend meanwhile.
    server.script('chat', Array.from({ length: JOBS }, () => behaviours.slow(1_500)))
    const [localA, localB] = await Promise.all([workerLocal(), workerLocal()])
    const a = startWorker(farm.url, farm.dataDir, { concurrency: CONCURRENCY, localDir: localA })
    const b = startWorker(farm.url, farm.dataDir, { concurrency: CONCURRENCY, localDir: localB })
    farm.workers.push(a, b)
    await Promise.all([workerId(a), workerId(b)])
    await farm.user.store.enqueueMany(Array.from({ length: JOBS }, (_, i) => ({ type: 'text', input: { prompt: `question number ${i}` } })))
    let jobsThen = ''
    const both = () => `${jobsThen}\n${a.output()}\n--- b ---\n${b.output()}`
    // Settled: every job finished or held by the budget, none running or queued without a reason.
    const settled = await waitFor(
      async () => {
        const c = await counts()
        const { rows } = await farm.user.pool.query("SELECT status, waiting_reason, run_after, lease_owner FROM jobs WHERE status <> 'completed'")
        jobsThen = JSON.stringify(rows)
        return c.other === 0 && c.completed + c.failed + c.held === JOBS ? c : null
      },
      120_000,
      'every job to finish or wait for the budget',
      both
    )
    expect(settled.failed).toBe(0)
    // The cap was reached, and passed by at most the steps in flight then (the farm's concurrency)
    // and those each worker started before its next read showed the other's spend (its own).
    const bound = CAP + 2 * CONCURRENCY + 2 * CONCURRENCY
    expect(settled.spent).toBeGreaterThanOrEqual(CAP)
    expect(settled.spent).toBeLessThanOrEqual(bound)
    expect(settled.held).toBeGreaterThanOrEqual(JOBS - bound)
    // Each finished job made one call; the held ones made none.
    expect(server.calls('chat')).toBe(settled.completed)
    expect(settled.spent).toBe(settled.completed)
    // Still waiting once both workers have lived through several more sweeps (300 ms each; their
    // heartbeats say they ran, however loaded the machine): nothing slips past the cap.
    const callsThen = server.calls('chat')
    const later = Date.now() + 1_500
    await waitFor(
      async () => (await farm.user.pool.query('SELECT 1 FROM workers WHERE heartbeat_at > $1', [later])).rowCount === 2,
      60_000,
      'both workers to beat past a few more sweeps',
      both
    )
    expect(server.calls('chat')).toBe(callsThen)
    const { rows } = await farm.user.pool.query<{ waiting_reason: string }>("SELECT waiting_reason FROM jobs WHERE status = 'pending'")
    for (const r of rows) expect(r.waiting_reason).toMatch(new RegExp(`^waiting for \\S+: budget reached \\(daily cap \\$${CAP}\\.00, spent \\$\\d+\\.00; resets at `))
  }, 300_000)

  it("FarmBudget answers from the farm's spend last read, and a read under a raised cap releases the provider it held", async () => {
    // Spend on the farm: three finished $1 steps of one provider, written as a worker writes them.
    const job = await farm.user.store.enqueue({ type: 'text', input: { prompt: 'spent already' } })
    const provider = 'openai:gpt-4o-mini'
    await farm.user.pool.query(`UPDATE steps SET status = 'completed', cost_usd = 3, provider = $2, completed_at = $3 WHERE job_id = $1`, [job.id, provider, Date.now()])
    let budget: BudgetSettings = { dailyUsd: CAP, providers: {} }
    const released: string[] = []
    const calls = new PgProviderCalls(farm.user.pool)
    const fb = new FarmBudget({
      spentSince: (since, p) => calls.spentSince(since, p),
      settings: () => budget,
      paid: () => [provider],
      releaseWaiting: async (p) => {
        released.push(p)
        return 0
      },
      log: () => undefined
    })
    // Nothing read yet: it does not hold, and asks for a read.
    expect(fb.hold(provider)).toBeNull()
    await fb.refresh()
    expect(fb.hold(provider)?.reason).toMatch(/^budget reached \(daily cap \$3\.00, spent \$3\.00; resets at /)
    // A provider that does not charge is never held.
    expect(fb.hold('offline')).toBeNull()
    expect(released).toEqual([])
    // The cap raised: the next read shows the provider under it and releases its waiting jobs.
    budget = { dailyUsd: 10, providers: {} }
    await fb.refresh()
    expect(released).toEqual([provider])
    expect(fb.hold(provider)).toBeNull()
    // A per-provider cap reads that provider's spend only.
    budget = { providers: { elevenlabs: { dailyUsd: 1 } } }
    await fb.refresh()
    expect(fb.hold(provider)).toBeNull()
    budget = { providers: { openai: { dailyUsd: 1 } } }
    await fb.refresh()
    expect(fb.hold(provider)?.reason).toMatch(/^budget reached \(openai daily cap \$1\.00, spent \$3\.00;/)

    // A step this worker checkpoints counts at once, until a read after its commit (job.changed) has it.
    budget = { dailyUsd: 5, providers: {} }
    await fb.refresh()
    expect(fb.hold(provider)).toBeNull()
    const success = { data: null, files: {}, workDir: '', costUsd: 2, provider, fallback: false, durationMs: 1, durable: true }
    fb.noteStep(job.id, success)
    expect(fb.hold(provider)?.reason).toMatch(/spent \$5\.00;/)
    await fb.refresh()
    expect(fb.hold(provider)?.reason).toMatch(/spent \$5\.00;/)
    // Announced committed: the reads after it are the truth (here the farm has no such step: $3).
    fb.noteJob((await farm.user.store.get(job.id))!)
    await fb.refresh()
    expect(fb.hold(provider)).toBeNull()
  })
})
