import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import type { EngineEvent } from '../../src/shared/types'
import { commitCounts } from '../../src/main/engine/store/database'
import { FAST_TIMINGS, openTestEngine, tempDir, until } from '../helpers/engine'
import { callsOf, type TestServices } from '../helpers/test-pipelines'

let engine: Engine<TestServices>
afterEach(async () => {
  await engine?.close(100)
})

function logText(e: Engine<TestServices>, id: string): string {
  return e.queue.logs(id).map((l) => l.message).join('\n')
}

describe('running pipelines', () => {
  it('runs multi-step jobs to completion, handing each step the outputs before it', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'j' } })
    engine.pool.start()
    await engine.pool.whenIdle()
    const done = engine.queue.get(job.id)!
    expect(done.status).toBe('completed')
    expect(done.progress).toBe(100)
    expect(done.steps.map((s) => s.output)).toEqual([
      { step: 'a', saw: [] },
      { step: 'b', saw: ['a'] },
      { step: 'c', saw: ['a', 'b'] }
    ])
    expect(readFileSync(done.steps[2]!.files.c!, 'utf8')).toBe('j:c after a,b')
    expect(done.costUsd).toBeCloseTo(0.03)
    expect(done.result).toMatchObject({ output: { step: 'c' }, files: { a: { a: done.steps[0]!.files.a } } })
    expect(logText(engine, job.id)).toMatch(/started a \(attempt 1\/3\)[\s\S]*finished c[\s\S]*job completed/)
  })

  it('retries a failing step with backoff, counting attempts per step, without re-running finished steps', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'r', fail: { b: { kind: 'retryable', times: 2 } } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    const done = engine.queue.get(job.id)!
    expect(done.status).toBe('completed')
    expect(callsOf(engine.dataDir)).toEqual(['r:a', 'r:b', 'r:b', 'r:b', 'r:c'])
    expect(done.steps.map((s) => s.attempts)).toEqual([1, 3, 1])
    expect(done.retryCount).toBe(2)
    expect(logText(engine, job.id)).toMatch(/b failed, will retry in .*: b timed out \(call 1\)/)
    expect(logText(engine, job.id)).toContain('skipping a (already done)')
  })

  it('fails naming the step once retries are exhausted; a retry resumes at that step', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'x', fail: { b: { kind: 'retryable', times: 3 } } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    let view = engine.queue.get(job.id)!
    expect(view.status).toBe('failed')
    expect(view.error).toBe('b: b timed out (call 3) (gave up after 3 attempts)')
    expect(view.steps.map((s) => s.status)).toEqual(['completed', 'failed', 'pending'])

    engine.queue.retry(job.id)
    await engine.pool.whenIdle()
    view = engine.queue.get(job.id)!
    expect(view.status).toBe('completed')
    expect(callsOf(engine.dataDir).filter((c) => c === 'x:a')).toHaveLength(1)
    expect(logText(engine, job.id)).toMatch(/retry requested; resumes at b[\s\S]*skipping a \(already done\)/)
  })

  it('does not retry a permanent error', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'p', fail: { b: { kind: 'permanent' } } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    expect(engine.queue.get(job.id)!.error).toBe('b: bad input for b')
    expect(callsOf(engine.dataDir)).toEqual(['p:a', 'p:b'])
  })

  it("a provider that refuses a request is not down, but its card shows the refusal, not a clean record", async () => {
    engine = openTestEngine()
    engine.queue.enqueue({ type: 'remote', input: { label: 'r', fail: { call: { kind: 'permanent' } } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    expect((await engine.health()).find((h) => h.provider === 'flaky')).toMatchObject({
      state: 'closed',
      successRate24h: 0,
      lastError: 'bad input for call'
    })
  })

  it('retry from a named step clears it and every later step, artifacts included', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'f' } })
    engine.pool.start()
    await engine.pool.whenIdle()
    const before = engine.queue.get(job.id)!
    expect(() => engine.queue.retry(job.id)).toThrow(/already completed; name a step/)
    expect(() => engine.queue.retry(job.id, { fromStep: 'zzz' })).toThrow('fromStep: job has no step "zzz"; its steps are a, b, c')
    engine.queue.retry(job.id, { fromStep: 'b' })
    expect(existsSync(before.steps[1]!.files.b!)).toBe(false)
    expect(existsSync(before.steps[0]!.files.a!)).toBe(true)
    await engine.pool.whenIdle()
    expect(callsOf(engine.dataDir)).toEqual(['f:a', 'f:b', 'f:c', 'f:b', 'f:c'])
    expect(engine.queue.get(job.id)!.status).toBe('completed')
  })

  it('retry from a late step of a job that failed earlier says where it really resumes', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'e', fail: { a: { kind: 'permanent', times: 1 } } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    expect(engine.queue.get(job.id)!.status).toBe('failed')
    engine.queue.retry(job.id, { fromStep: 'c' })
    expect(engine.queue.logs(job.id).at(-1)!.message).toBe('retry requested from step c; resumes at a, which never finished')
    await engine.pool.whenIdle()
    expect(callsOf(engine.dataDir)).toEqual(['e:a', 'e:a', 'e:b', 'e:c'])
  })

  it('cancelling a running job aborts its step at once and starts no later step', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'c', sleepMs: { b: 20_000 } } })
    engine.pool.start()
    await until(() => engine.queue.get(job.id)!.steps[1]!.status === 'running', 5000, 'step b to run')
    const t = Date.now()
    engine.queue.cancel(job.id)
    await engine.pool.whenIdle()
    expect(Date.now() - t).toBeLessThan(2000)
    const view = engine.queue.get(job.id)!
    expect(view.status).toBe('cancelled')
    expect(view.steps.map((s) => s.status)).toEqual(['completed', 'cancelled', 'pending'])
    expect(callsOf(engine.dataDir)).toEqual(['c:a', 'c:b'])
    expect(engine.pool.status().running).toEqual([])
  })

  it('uses a step fallback when it fails for good (seed 4: offer an existing track)', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'music', input: { fail: { compose: { kind: 'permanent' } } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    const view = engine.queue.get(job.id)!
    expect(view.status).toBe('completed')
    expect(view.steps[0]).toMatchObject({ fallback: true, provider: 'library', output: { track: 'library/calm-01' } })
    expect(logText(engine, job.id)).toContain('using its fallback')
  })
})

describe('providers that go down', () => {
  it('jobs wait (not fail) while the provider is down, then finish once its probe succeeds', async () => {
    const flag = () => join(engine.dataDir, 'flaky.down')
    engine = openTestEngine({
      probe: (provider) =>
        provider === 'flaky'
          ? async () => {
              if (existsSync(flag())) throw new Error('still 503')
            }
          : undefined,
      // Long enough that no half-open trial (the probe's, or a job's if the probe is late on a
      // loaded machine) happens before the checks below, which count the calls made meanwhile.
      breaker: { failureThreshold: 3, cooldownMs: 3_000, maxCooldownMs: 6_000 }
    })
    writeFileSync(flag(), '')
    const jobs = [1, 2, 3].map((i) => engine.queue.enqueue({ type: 'remote', input: { label: `w${i}` } }))
    const events: EngineEvent[] = []
    engine.events.subscribe((e) => events.push(e))
    engine.pool.start()
    await until(() => engine.queue.stats().waiting === 3, 5000, 'three waiting jobs')
    const stats = engine.queue.stats()
    expect(stats.byStatus.failed).toBe(0)
    const waiting = engine.queue.get(jobs[0]!.id)!
    expect(waiting.status).toBe('pending')
    expect(waiting.waitingReason).toMatch(/^waiting for flaky: /)
    expect(waiting.steps[1]!.attempts).toBe(0)
    const health = (await engine.health()).find((h) => h.provider === 'flaky')!
    expect(health.state).toBe('open')
    expect(health.lastError).toMatch(/503/)
    // Only the calls already in flight when it went down reached the provider (two workers):
    // the third job never spent an attempt on the open circuit.
    expect(callsOf(engine.dataDir).filter((c) => c.endsWith(':call')).length).toBeLessThanOrEqual(2)

    rmSync(flag())
    await until(() => engine.queue.stats().byStatus.completed === 3, 20_000, 'jobs to complete after recovery')
    expect((await engine.health()).find((h) => h.provider === 'flaky')!.state).toBe('closed')
    expect(events.some((e) => e.type === 'provider.changed' && e.health.state === 'open')).toBe(true)
    expect(events.some((e) => e.type === 'provider.changed' && e.health.state === 'closed')).toBe(true)
  })
})

describe('pool scheduling', () => {
  it('a saturated resource does not hold back jobs that need another one', async () => {
    engine = openTestEngine({
      concurrency: 4,
      resources: { cpu: { concurrency: 1, minIntervalMs: 0 }, music: { concurrency: 1, minIntervalMs: 0 } }
    })
    for (let i = 0; i < 3; i++) engine.queue.enqueue({ type: 'one', input: { label: `slow${i}`, sleepMs: { only: 300 } } })
    const music = engine.queue.enqueue({ type: 'music', input: { label: 'm' }, priority: 10 })
    let maxCpu = 0
    engine.events.subscribe(() => {
      maxCpu = Math.max(maxCpu, engine.pool.limiter.status().find((r) => r.resource === 'cpu')!.running)
    })
    engine.pool.start()
    await until(() => engine.queue.get(music.id)!.status === 'completed', 5000, 'music job')
    expect(engine.queue.stats().byStatus.completed).toBeLessThanOrEqual(2)
    await engine.pool.whenIdle()
    expect(maxCpu).toBe(1)
  })

  it('a finishing job hands its slot to the next one in its own commit', async () => {
    engine = openTestEngine({ concurrency: 1 })
    const jobs = [1, 2, 3].map((i) => engine.queue.enqueue({ type: 'one', input: { label: `h${i}` } }))
    const before = commitCounts(engine.db)
    // Counted when the last job is stored: a tick that comes after the queue ran dry may still
    // look for work in a commit of its own (how soon depends on when the earlier jobs' fsyncs end).
    let after = before
    engine.events.on('job.changed', (e) => {
      if (e.job.id === jobs[2]!.id && e.job.status === 'completed') after = commitCounts(engine.db)
    })
    engine.pool.start()
    await engine.pool.whenIdle()
    expect(jobs.map((j) => engine.queue.get(j.id)!.status)).toEqual(['completed', 'completed', 'completed'])
    // The first claim, then one commit per job: its checkpoint and the next job's claim and start.
    // (Separately it was two per job: the checkpoint, then the next claim.)
    expect(after.durable + after.relaxed - before.durable - before.relaxed).toBe(jobs.length + 1)
  })

  it('the pool never reports more jobs running than its workers, even as one hands over to the next', async () => {
    engine = openTestEngine({ concurrency: 1 })
    for (const label of ['x', 'y', 'z']) engine.queue.enqueue({ type: 'one', input: { label } })
    let most = 0
    const sample = () => {
      most = Math.max(most, engine.pool.status().running.length)
    }
    engine.events.on('job.changed', () => {
      sample()
      // A claim's runner is launched once the claim is committed: just after its announcement.
      setImmediate(sample)
    })
    engine.pool.start()
    await engine.pool.whenIdle()
    expect(most).toBe(1)
  })

  it('a queue paused while a job runs claims nothing in that job\'s last commit', async () => {
    engine = openTestEngine({ concurrency: 1 })
    const first = engine.queue.enqueue({ type: 'one', input: { label: 'first', sleepMs: { only: 200 } } })
    const second = engine.queue.enqueue({ type: 'one', input: { label: 'second' } })
    engine.pool.start()
    await until(() => engine.queue.get(first.id)!.status === 'processing', 5000, 'first job running')
    engine.queue.setQueuePaused(true)
    await until(() => engine.queue.get(first.id)!.status === 'completed', 5000, 'first job done')
    await new Promise((r) => setTimeout(r, 100))
    expect(engine.queue.get(second.id)!.status).toBe('pending')
    // Not even claimed and handed back: its log says only that it was queued.
    expect(logText(engine, second.id)).toBe('queued with priority 10')
    engine.queue.setQueuePaused(false)
    await until(() => engine.queue.get(second.id)!.status === 'completed', 5000, 'second job done')
  })

  it('spaces calls to a rate-limited resource', async () => {
    engine = openTestEngine({ concurrency: 3, resources: { music: { concurrency: 3, minIntervalMs: 150 } } })
    const jobs = [1, 2, 3].map(() => engine.queue.enqueue({ type: 'music', input: {} }))
    engine.pool.start()
    await engine.pool.whenIdle()
    const starts = jobs.map((j) => engine.queue.get(j.id)!.steps[0]!.startedAt!).sort((a, b) => a - b)
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(140)
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(140)
  })

  it('coalesces a flood of progress reports into about ten events per second', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'one', input: { progressBurst: 20_000, sleepMs: { only: 400 } } })
    const progress: number[] = []
    engine.events.on('job.progress', (e) => {
      if (e.jobId === job.id) progress.push(Date.now())
    })
    const t0 = Date.now()
    engine.pool.start()
    await engine.pool.whenIdle()
    const seconds = (Date.now() - t0) / 1000
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2)
  })

  it('pausing a running job takes effect between steps; resuming continues at the next step', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'p', sleepMs: { a: 300 } } })
    engine.pool.start()
    await until(() => engine.queue.get(job.id)!.steps[0]!.status === 'running', 5000, 'step a')
    expect(engine.queue.pauseJob(job.id).pauseRequested).toBe(true)
    await until(() => engine.queue.get(job.id)!.status === 'paused', 5000, 'paused job')
    expect(engine.queue.get(job.id)!.steps.map((s) => s.status)).toEqual(['completed', 'pending', 'pending'])
    engine.queue.resumeJob(job.id)
    await until(() => engine.queue.get(job.id)!.status === 'completed', 5000, 'completion')
    expect(callsOf(engine.dataDir)).toEqual(['p:a', 'p:b', 'p:c'])
  })

  it('a paused queue starts nothing new', async () => {
    engine = openTestEngine()
    engine.queue.setQueuePaused(true)
    const job = engine.queue.enqueue({ type: 'one', input: {} })
    engine.pool.start()
    await new Promise((r) => setTimeout(r, 150))
    expect(engine.queue.get(job.id)!.status).toBe('pending')
    engine.queue.setQueuePaused(false)
    await until(() => engine.queue.get(job.id)!.status === 'completed', 5000, 'completion')
  })

  it('a step that outlives its lease keeps it: the lease is renewed while the step runs', async () => {
    engine = openTestEngine({ timings: { ...FAST_TIMINGS, leaseMs: 300, reclaimEveryMs: 50 } })
    const job = engine.queue.enqueue({ type: 'one', input: { label: 'long', sleepMs: { only: 1_000 } } })
    engine.pool.start()
    await until(() => engine.queue.get(job.id)!.status === 'completed', 5000, 'completion')
    expect(engine.queue.get(job.id)!.steps[0]!.attempts).toBe(1)
    expect(logText(engine, job.id)).not.toContain('stopped responding')
  })

  it('a worker whose job another engine took over stops its step at its next renewal', async () => {
    engine = openTestEngine({ timings: { ...FAST_TIMINGS, leaseMs: 600 } })
    const job = engine.queue.enqueue({ type: 'one', input: { label: 'taken', sleepMs: { only: 5_000 } } })
    engine.pool.start()
    await until(() => engine.queue.get(job.id)!.steps[0]!.status === 'running', 5000, 'step running')
    // What a takeover leaves in the row: another engine's lease on the job.
    engine.db.prepare("UPDATE jobs SET lease_token = 'theirs', lease_owner = 'elsewhere:1:x' WHERE id = ?").run(job.id)
    // The renewal (every 200 ms here) finds the lease gone and aborts the 5 s step.
    await until(() => engine.pool.status().running.length === 0, 2000, 'the step stopped')
    expect(engine.queue.get(job.id)!.steps[0]!.status).toBe('running') // ours wrote nothing more
  })

  it('finds jobs another process queued (its fallback poll), also after a stop and a restart', async () => {
    engine = openTestEngine()
    // A second connection to the same database, as the CLI would open: its events never reach us.
    const other = openTestEngine({}, engine.dataDir)
    try {
      engine.pool.start()
      await new Promise((r) => setTimeout(r, 50))
      const first = other.queue.enqueue({ type: 'one', input: {} })
      await until(() => engine.queue.get(first.id)!.status === 'completed', 5000, 'first job')
      await engine.pool.stop(100)
      engine.pool.start()
      await new Promise((r) => setTimeout(r, 50))
      const second = other.queue.enqueue({ type: 'one', input: {} })
      await until(() => engine.queue.get(second.id)!.status === 'completed', 5000, 'second job')
    } finally {
      await other.close(100)
    }
  })

  it('a graceful stop returns running jobs to the queue without losing finished steps', async () => {
    engine = openTestEngine()
    const dir = engine.dataDir
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'g', sleepMs: { b: 20_000 } } })
    engine.pool.start()
    await until(() => engine.queue.get(job.id)!.steps[1]!.status === 'running', 5000, 'step b')
    await engine.close(50)
    engine = openTestEngine({}, dir)
    const view = engine.queue.get(job.id)!
    expect(view.status).toBe('pending')
    expect(view.steps.map((s) => [s.status, s.attempts])).toEqual([
      ['completed', 1],
      ['pending', 0],
      ['pending', 0]
    ])
    expect(logText(engine, job.id)).toContain('engine stopped during b; it will resume at b')
  })

  it('estimates each job and the whole queue from measured step durations and concurrency', async () => {
    engine = openTestEngine({ concurrency: 2 })
    for (let i = 0; i < 2; i++) engine.queue.enqueue({ type: 'one', input: { sleepMs: { only: 200 } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    await engine.close(100)
    engine = openTestEngine({ concurrency: 2 }, engine.dataDir)
    const ids = [1, 2, 3, 4].map(() => engine.queue.enqueue({ type: 'one', input: {} }).id)
    const eta = engine.eta()
    expect(eta.jobs.map((j) => j.jobId)).toEqual(ids)
    const per = eta.jobs[0]!.remainingWorkMs
    expect(per).toBeGreaterThanOrEqual(190)
    // Two workers: jobs 3 and 4 start when 1 and 2 end.
    expect(eta.jobs[2]!.finishInMs).toBeCloseTo(2 * per, -1)
    expect(eta.totalMs).toBeCloseTo(2 * per, -1)
  })
})

describe('defects never leave a job stuck', () => {
  /** Run one job of `type` to the end on a fresh engine; its final view. */
  async function runAlone(type: string) {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type, input: {} })
    engine.pool.start()
    await engine.pool.whenIdle()
    return engine.queue.get(job.id)!
  }

  it('a step that returns a file outside its work folder fails, naming the file', async () => {
    expect(await runAlone('stray')).toMatchObject({ status: 'failed', error: 'stray: step returned artifact "passwd" outside its work folder: /etc/passwd' })
  })

  it('a step that names an artifact it never wrote fails instead of checkpointing a missing file', async () => {
    const view = await runAlone('phantom')
    expect(view.status).toBe('failed')
    expect(view.error).toMatch(/^phantom: step returned artifact "ghost" but never wrote it: .*ghost\.txt$/)
    expect(view.steps[0]!.status).toBe('failed')
  })

  it('an output the engine cannot store fails the job with the error instead of hanging in processing', async () => {
    const view = await runAlone('buggy')
    expect(view.status).toBe('failed')
    expect(view.error).toMatch(/^buggy: internal error: .*BigInt/)
    expect(engine.pool.status().running).toEqual([])
  })

  it('works on a relative data folder (stored paths are absolute)', async () => {
    const rel = relative(process.cwd(), tempDir())
    engine = openTestEngine({}, rel)
    const job = engine.queue.enqueue({ type: 'one', input: {} })
    engine.pool.start()
    await engine.pool.whenIdle()
    const view = engine.queue.get(job.id)!
    expect(view.status).toBe('completed')
    expect(isAbsolute(view.steps[0]!.files.only!)).toBe(true)
  })
})
