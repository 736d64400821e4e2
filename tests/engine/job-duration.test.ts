/**
 * A job's duration is the time its steps ran. Waiting (a backoff, a provider's Retry-After, the
 * days before the user pressed retry) is not work: counted in, it made stats, batch ETAs and
 * exports say "26 min" for a job that took a tenth of a second.
 */
import { describe, expect, it } from 'vitest'
import { closeAfterEach } from '../helpers/closing'
import { openTestEngine, until } from '../helpers/engine'

const track = closeAfterEach()
const open = () => track(openTestEngine(), (e) => e.close(100))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function settled(engine: ReturnType<typeof open>, id: string) {
  await until(() => ['completed', 'failed'].includes(engine.queue.get(id)!.status), 10_000, 'the job')
  return engine.queue.get(id)!
}

/** What the job's steps ran for, as each stored its own duration. */
const stepsRan = (job: { steps: { durationMs: number | null }[] }) => job.steps.reduce((sum, s) => sum + (s.durationMs ?? 0), 0)

describe("a job's duration", () => {
  it('after the user retries a failed job, is its steps\' run time and it starts again', async () => {
    const engine = open()
    const job = engine.queue.enqueue({ type: 'three', input: { sleepMs: { a: 100 }, fail: { b: { kind: 'permanent', times: 1 } } } })
    engine.pool.start()
    const failed = await settled(engine, job.id)
    expect(failed.status).toBe('failed')
    expect(failed.actualDurationMs).toBeGreaterThanOrEqual(100) // a ran, b failed at once
    expect(failed.actualDurationMs).toBe(stepsRan(failed))

    await sleep(1_500)
    const retriedAt = Date.now()
    engine.queue.retry(job.id)
    const done = await settled(engine, job.id)
    expect(done.status).toBe('completed')
    expect(done.actualDurationMs).toBeGreaterThanOrEqual(100)
    // Its steps' run time, not the 1.5 s between the failure and the retry (however slow the
    // machine, the steps ran outside that wait).
    expect(done.actualDurationMs).toBe(stepsRan(done))
    expect(done.actualDurationMs).toBeLessThanOrEqual(done.completedAt! - failed.startedAt! - 1_500)
    expect(done.startedAt).toBeGreaterThanOrEqual(retriedAt)
    expect(engine.queue.stats().avgDurationMsByType.three).toBe(done.actualDurationMs)
  })

  it("leaves out the wait for a provider's Retry-After, which the start and end times still show", async () => {
    const engine = open()
    const job = engine.queue.enqueue({ type: 'three', input: { fail: { b: { kind: 'retryable', times: 1, retryAfterMs: 1_500 } } } })
    engine.pool.start()
    const done = await settled(engine, job.id)
    expect(done.status).toBe('completed')
    expect(done.completedAt! - done.startedAt!).toBeGreaterThanOrEqual(1_500)
    expect(done.actualDurationMs).toBe(stepsRan(done))
    expect(done.actualDurationMs).toBeLessThanOrEqual(done.completedAt! - done.startedAt! - 1_500)
  })
})
