import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Engine } from '../../src/main/engine/engine'
import { LeaseLostError, QueueError } from '../../src/main/engine/errors'
import type { ClaimedJob } from '../../src/main/engine/store/leases'
import { commitCounts, inTransaction, walFlushed } from '../../src/main/engine/store/database'
import { openTestEngine } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'
import { shortJobId } from '../../src/shared/job-id'

let engine: Engine<TestServices>
afterEach(async () => {
  await engine?.close(100)
})

function claimOrder(e: Engine<TestServices>): string[] {
  const out: string[] = []
  for (;;) {
    const c = e.leases.claim({ leaseMs: 10_000 })
    if (!c) return out
    out.push(c.job.title)
  }
}

describe('enqueue', () => {
  it('validates at the boundary and names the field', () => {
    engine = openTestEngine()
    const q = engine.queue
    expect(() => q.enqueue({ type: 'nope', input: {} })).toThrow(/type: unknown job type "nope"; known types: .*three/)
    expect(() => q.enqueue({ type: 'one', input: {}, priority: 0 })).toThrow(/priority: priority must be between 1/)
    expect(() => q.enqueue({ type: 'one', input: {}, priority: 3.5 })).toThrow(/priority: priority must be a whole number/)
    expect(() => q.enqueue({ type: 'one', input: [] as never })).toThrow(/input: input must be a JSON object/)
    expect(() => q.enqueue({ type: 'one', input: { blob: 'x'.repeat(1024 * 1024 + 1) } })).toThrow(/larger than 1 MB/)
    expect(() => q.enqueue({ type: 'one', input: { label: 42 } })).toThrow(/input\.label/)
    expect(() => q.enqueue({ type: 'one', input: {}, colour: 'red' } as never)).toThrow(/colour/)
    expect(q.list()).toHaveLength(0)
  })

  it('defaults to priority 10 (seed 0) and creates one pending row per step', () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { idea: 'x' } })
    expect(job).toMatchObject({ status: 'pending', priority: 10, projectId: 'default', title: 'x', progress: 0 })
    const detail = engine.queue.get(job.id)!
    expect(detail.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'pending'],
      ['b', 'pending'],
      ['c', 'pending']
    ])
  })

  it('bulk enqueue is all or nothing, and the error names the bad item', () => {
    engine = openTestEngine()
    expect(() =>
      engine.queue.enqueueMany([
        { type: 'one', input: {} },
        { type: 'one', input: {}, priority: 11 }
      ])
    ).toThrow(/jobs\[1\]\.priority/)
    expect(engine.queue.list()).toHaveLength(0)
    expect(engine.queue.enqueueMany([{ type: 'one', input: {} }, { type: 'one', input: {} }])).toHaveLength(2)
  })
})

describe('ordering', () => {
  it('claims by priority, then manual order, then FIFO', () => {
    engine = openTestEngine()
    const q = engine.queue
    q.enqueue({ type: 'one', input: {}, title: 'late-low' })
    q.enqueue({ type: 'one', input: {}, title: 'urgent', priority: 1 })
    q.enqueue({ type: 'one', input: {}, title: 'mid-1', priority: 5 })
    q.enqueue({ type: 'one', input: {}, title: 'mid-2', priority: 5 })
    expect(claimOrder(engine)).toEqual(['urgent', 'mid-1', 'mid-2', 'late-low'])
  })

  it('moves up, down, top and bottom, and lists in queue order', () => {
    engine = openTestEngine()
    const q = engine.queue
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((t) => q.enqueue({ type: 'one', input: {}, title: t }))
    const titles = () => q.list({ status: 'pending' }).map((j) => j.title)
    q.move(c!.id, 'up')
    expect(titles()).toEqual(['a', 'c', 'b', 'd'])
    q.move(a!.id, 'down')
    expect(titles()).toEqual(['c', 'a', 'b', 'd'])
    q.move(d!.id, 'top')
    expect(titles()).toEqual(['d', 'c', 'a', 'b'])
    q.move(d!.id, 'bottom')
    expect(titles()).toEqual(['c', 'a', 'b', 'd'])
    expect(() => q.move(c!.id, 'up')).toThrow('job is already first in the queue')
    expect(() => q.move(d!.id, 'down')).toThrow('job is already last in the queue')
    expect(() => q.move(b!.id, 'sideways' as never)).toThrow(/direction: direction must be up, down, top or bottom/)
    expect(claimOrder(engine)).toEqual(['c', 'a', 'b', 'd'])
  })

  it('moving past a job of another priority adopts that priority', () => {
    engine = openTestEngine()
    const q = engine.queue
    q.enqueue({ type: 'one', input: {}, title: 'first', priority: 2 })
    const low = q.enqueue({ type: 'one', input: {}, title: 'low', priority: 9 })
    const moved = q.move(low.id, 'up')
    expect(moved.priority).toBe(2)
    expect(q.list({ status: 'pending' }).map((j) => j.title)).toEqual(['low', 'first'])
    // Its log says so; a move inside one priority does not mention it.
    q.move(low.id, 'down')
    expect(q.logs(low.id).slice(-2).map((l) => l.message)).toEqual(['moved up; priority 9 → 2', 'moved down'])
  })

  it('refuses to reorder or re-prioritise a job being processed, with a reason', () => {
    engine = openTestEngine()
    const q = engine.queue
    const job = q.enqueue({ type: 'one', input: {} })
    q.enqueue({ type: 'one', input: {} })
    engine.leases.claim({ leaseMs: 10_000 })
    expect(() => q.move(job.id, 'down')).toThrow(/being processed; it cannot be reordered/)
    expect(() => q.setPriority(job.id, 1)).toThrow(/being processed/)
    try {
      q.move(job.id, 'down')
    } catch (e) {
      expect(e).toBeInstanceOf(QueueError)
      expect((e as QueueError).code).toBe('processing')
    }
  })

  it('set priority changes the claim order', () => {
    engine = openTestEngine()
    const q = engine.queue
    q.enqueue({ type: 'one', input: {}, title: 'a' })
    const b = q.enqueue({ type: 'one', input: {}, title: 'b' })
    q.setPriority(b.id, 3)
    expect(() => q.setPriority(b.id, 11)).toThrow(/priority/)
    expect(claimOrder(engine)).toEqual(['b', 'a'])
  })

  it('finds a job by a unique id prefix and says when one is missing', () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'one', input: {} })
    expect(engine.queue.require(shortJobId(job.id)).id).toBe(job.id)
    expect(() => engine.queue.require('does-not-exist')).toThrow('no job with id does-not-exist')
    // Too short to look for: said, rather than "no such job" when the job is right there.
    expect(() => engine.queue.require(job.id.slice(0, 2))).toThrow(`no job with id ${job.id.slice(0, 2)} (a short id needs at least 4 of its characters)`)
  })
})

describe('leases and fencing', () => {
  it('a worker whose lease expired cannot write its result; the job runs again elsewhere', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'one', input: {} })
    const first = engine.leases.claim({ leaseMs: 1 })!
    await new Promise((r) => setTimeout(r, 10))
    expect(engine.leases.reclaimAbandoned()).toEqual([job.id])
    expect(engine.queue.get(job.id)!.status).toBe('pending')
    const second = engine.leases.claim({ leaseMs: 10_000 })!
    expect(second.lease.token).not.toBe(first.lease.token)
    const step = first.steps[0]!
    const success = { data: { stale: true }, files: {}, workDir: '/tmp/x', costUsd: 0, provider: null, fallback: false, durationMs: 1, durable: true }
    await expect(engine!.pool.commits.submit(engine.leases.completeStep(first.lease, step, success, { resource: null, jobProgress: 100, jobResult: {} }))).rejects.toThrow(
      LeaseLostError
    )
    expect(engine.leases.renew(first.lease, 1000)).toBe(false)
    expect(engine.leases.renew(second.lease, 1000)).toBe(true)
    await engine!.pool.commits.submit(engine.leases.completeStep(second.lease, second.steps[0]!, { ...success, data: { fresh: true } }, { resource: null, jobProgress: 100, jobResult: { ok: 1 } }))
    const done = engine.queue.get(job.id)!
    expect(done.status).toBe('completed')
    expect(done.steps[0]!.output).toEqual({ fresh: true })
  })

  it('checkpoints finishing together share one commit, fsynced when any of them is worth it', async () => {
    engine = openTestEngine()
    for (let i = 0; i < 4; i++) engine.queue.enqueue({ type: 'one', input: {} })
    const claims = [0, 1, 2, 3].map(() => engine!.leases.claim({ leaseMs: 10_000 })!)
    const base = { data: null, files: {}, workDir: '/tmp/x', costUsd: 0, provider: null, fallback: false, durationMs: 1 }
    // The enqueues' own fsyncs (off the thread, after their commits) land before counting.
    await walFlushed(engine.db)
    const before = commitCounts(engine.db)
    const commitsSince = () => {
      const now = commitCounts(engine!.db)
      return { durable: now.durable - before.durable, relaxed: now.relaxed - before.relaxed }
    }
    const complete = (i: number, durable: boolean) =>
      engine!.pool.commits.submit(engine!.leases.completeStep(claims[i]!.lease, claims[i]!.steps[0]!, { ...base, durable }, { resource: null, jobProgress: 100, jobResult: i }))

    // Two free, file-less checkpoints: one commit, crash-safe but not fsynced.
    await Promise.all([complete(0, false), complete(1, false)])
    expect(commitsSince()).toEqual({ durable: 0, relaxed: 1 })
    // One of the two cost something: the shared commit is fsynced.
    await Promise.all([complete(2, false), complete(3, true)])
    expect(commitsSince()).toEqual({ durable: 1, relaxed: 1 })
    expect(engine.queue.stats().byStatus.completed).toBe(4)
  })

  it('in a shared commit, a checkpoint that cannot be stored fails alone; a lost lease too, writing nothing', async () => {
    engine = openTestEngine()
    for (let i = 0; i < 3; i++) engine.queue.enqueue({ type: 'one', input: {}, title: `job ${i}` })
    const [ok, broken, revoked] = [0, 1, 2].map(() => engine!.leases.claim({ leaseMs: 10_000 })!)
    engine.queue.cancel(revoked!.job.id)
    const base = { files: {}, workDir: '/tmp/x', costUsd: 0.5, provider: null, fallback: false, durationMs: 7, durable: false }
    const complete = (c: ClaimedJob, data: unknown) =>
      engine!.pool.commits.submit(engine!.leases.completeStep(c.lease, c.steps[0]!, { ...base, data: data as null }, { resource: null, jobProgress: 100, jobResult: null }))
    // A step's output that JSON cannot hold (a BigInt) fails while its job's row is already written.
    const results = await Promise.allSettled([complete(ok!, { fine: true }), complete(broken!, { n: 1n }), complete(revoked!, null)])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected'])
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError)
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError)

    const done = engine.queue.get(ok!.job.id)!
    expect(done).toMatchObject({ status: 'completed', costUsd: 0.5, actualDurationMs: 7 })
    expect(done.steps[0]!.output).toEqual({ fine: true })
    // Nothing of the failed checkpoint stayed: its job is still running its step, its log has no "finished".
    expect(engine.queue.get(broken!.job.id)).toMatchObject({ status: 'processing', costUsd: 0 })
    expect(engine.queue.get(broken!.job.id)!.steps[0]!.status).toBe('pending')
    expect(engine.queue.logs(broken!.job.id).map((l) => l.message).join('\n')).not.toMatch(/finished/)
    expect(engine.queue.get(revoked!.job.id)!.status).toBe('cancelled')
    expect(engine.queue.logs(revoked!.job.id).map((l) => l.message).join('\n')).not.toMatch(/finished/)
  })

  it('a job finishing its last step adds up the cost and run time of the steps it ran before, in earlier runs too', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: {} })
    const base = { data: null, files: {}, workDir: '/tmp/x', provider: null, fallback: false, durable: false }
    let c = engine.leases.claim({ leaseMs: 10_000 })!
    await engine!.pool.commits.submit(engine.leases.completeStep(c.lease, c.steps[0]!, { ...base, costUsd: 0.25, durationMs: 100 }, { resource: 'cpu', step: 'b', jobProgress: 33 }))
    // The engine stops here; the job resumes in a new claim, which reads what step a cost.
    await engine!.pool.commits.submit(engine.leases.release(c.lease, 'pending', 'test: stopped'))
    c = engine.leases.claim({ leaseMs: 10_000 })!
    await engine!.pool.commits.submit(engine.leases.completeStep(c.lease, c.steps[1]!, { ...base, costUsd: null, durationMs: 20 }, { resource: 'cpu', step: 'c', jobProgress: 66 }))
    expect(engine.queue.get(job.id)).toMatchObject({ costUsd: 0.25, costKnown: false })
    await engine!.pool.commits.submit(engine.leases.completeStep(c.lease, c.steps[2]!, { ...base, costUsd: 1, durationMs: 3 }, { resource: null, jobProgress: 100, jobResult: null }))
    expect(engine.queue.get(job.id)).toMatchObject({ status: 'completed', costUsd: 1.25, costKnown: false, actualDurationMs: 123 })
  })

  it('the job names its step from the claim on; a start inside the claim commits no second write or announcement', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: {} })
    const announced: string[] = []
    engine.events.on('job.changed', (e) => announced.push(`${e.job.status}:${e.job.currentStep}`))
    let claimed!: ClaimedJob
    inTransaction(engine.db, () => {
      claimed = engine.leases.claim({ leaseMs: 10_000 })!
      expect(claimed.job.currentStep).toBe('a')
      expect(engine.leases.startStep(claimed.lease, claimed.steps[0]!, '/tmp/w', 3, true)).toBe(1)
    })
    expect(announced).toEqual(['processing:a'])
    expect(engine.queue.get(job.id)!.steps[0]).toMatchObject({ status: 'running', attempts: 1 })
    // The checkpoint names the next step; starting it later (its own transaction) writes and announces.
    const success = { data: null, files: {}, workDir: '/tmp/w', costUsd: 0, provider: null, fallback: false, durationMs: 1, durable: false }
    const job2 = await engine!.pool.commits.submit(engine.leases.completeStep(claimed.lease, claimed.steps[0]!, success, { resource: 'cpu', step: 'b', jobProgress: 33 }))
    expect(job2.currentStep).toBe('b')
    engine.leases.startStep(claimed.lease, claimed.steps[1]!, '/tmp/w2', 3, true)
    expect(announced).toEqual(['processing:a', 'processing:b', 'processing:b'])
    expect(engine.queue.get(job.id)!.steps[1]).toMatchObject({ status: 'running', attempts: 1 })
  })

  it('a cancelled job revokes the lease: the worker can no longer checkpoint', () => {
    engine = openTestEngine()
    engine.queue.enqueue({ type: 'three', input: {} })
    const c = engine.leases.claim({ leaseMs: 10_000 })!
    engine.queue.cancel(c.job.id)
    expect(() => engine.leases.startStep(c.lease, c.steps[0]!, '/tmp/w', 3)).toThrow(LeaseLostError)
  })

  it('does not take over a live lease', () => {
    engine = openTestEngine()
    engine.queue.enqueue({ type: 'one', input: {} })
    engine.leases.claim({ leaseMs: 60_000 })
    expect(engine.leases.reclaimAbandoned()).toEqual([])
  })
})

describe('lifecycle operations', () => {
  it('cancels a pending job at once and refuses to cancel a finished one', () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'one', input: {} })
    expect(engine.queue.cancel(job.id).status).toBe('cancelled')
    expect(() => engine.queue.cancel(job.id)).toThrow('job is already cancelled; nothing to cancel')
    expect(engine.leases.claim({ leaseMs: 1000 })).toBeNull()
  })

  it('pauses and resumes a single job and the whole queue', () => {
    engine = openTestEngine()
    const a = engine.queue.enqueue({ type: 'one', input: {}, title: 'a' })
    engine.queue.enqueue({ type: 'one', input: {}, title: 'b' })
    expect(engine.queue.pauseJob(a.id).status).toBe('paused')
    expect(() => engine.queue.pauseJob(a.id)).toThrow(/job is paused; only queued or running jobs can be paused/)
    expect(claimOrder(engine)).toEqual(['b'])
    expect(engine.queue.resumeJob(a.id).status).toBe('pending')
    expect(() => engine.queue.resumeJob(a.id)).toThrow('job is pending, not paused')
    engine.queue.setQueuePaused(true)
    expect(engine.queue.stats().paused).toBe(true)
    engine.queue.setQueuePaused(false)
    expect(engine.queue.isPaused()).toBe(false)
  })

  it('deletes a job with its steps, log and artifacts', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'one', input: {} })
    engine.pool.start()
    await engine.pool.whenIdle()
    const dir = join(engine.artifactsRoot, job.id)
    expect(existsSync(dir)).toBe(true)
    engine.queue.remove(job.id)
    expect(existsSync(dir)).toBe(false)
    expect(engine.queue.get(job.id)).toBeNull()
    expect(engine.db.prepare('SELECT COUNT(*) AS n FROM job_logs WHERE job_id = ?').get(job.id)).toEqual({ n: 0 })
    expect(() => engine.queue.remove(job.id)).toThrow(/no job with id/)
  })

  it('reports stats per status and type, average duration and 24 h success rate', async () => {
    engine = openTestEngine()
    engine.queue.enqueue({ type: 'one', input: {} })
    engine.queue.enqueue({ type: 'one', input: {} })
    engine.queue.enqueue({ type: 'three', input: { fail: { b: { kind: 'permanent' } } } })
    const waiting = engine.queue.enqueue({ type: 'one', input: {}, title: 'held' })
    engine.queue.pauseJob(waiting.id)
    engine.pool.start()
    await engine.pool.whenIdle()
    const s = engine.queue.stats()
    expect(s.byStatus).toMatchObject({ completed: 2, failed: 1, paused: 1, pending: 0, processing: 0 })
    expect(s.total).toBe(4)
    expect(s.byType.one).toEqual({ completed: 2, paused: 1 })
    expect(s.byType.three).toEqual({ failed: 1 })
    expect(s.successRate24h).toBeCloseTo(2 / 3)
    expect(s.avgDurationMsByType.one).toBeGreaterThanOrEqual(0)
  })

  it('cleans up finished jobs older than a given age, with their artifacts', async () => {
    engine = openTestEngine()
    const old = engine.queue.enqueue({ type: 'one', input: {} })
    engine.pool.start()
    await engine.pool.whenIdle()
    engine.queue.enqueue({ type: 'one', input: {}, title: 'fresh-pending' })
    engine.queue.setQueuePaused(true)
    engine.db.prepare('UPDATE jobs SET completed_at = completed_at - 40 * 86400000 WHERE id = ?').run(old.id)
    expect(() => engine.queue.cleanup({ olderThanMs: 1, statuses: ['pending'] })).toThrow(/only removes finished jobs/)
    expect(engine.queue.cleanup({ olderThanMs: 30 * 86400_000 })).toBe(1)
    expect(engine.queue.list().map((j) => j.title)).toEqual(['fresh-pending'])
    expect(readdirSync(engine.artifactsRoot)).not.toContain(old.id)
  })
})

describe('placing a dragged job', () => {
  it('drops a job before or after another in one reorder, adopting its priority', () => {
    engine = openTestEngine()
    const q = engine.queue
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((t, i) => q.enqueue({ type: 'one', input: {}, title: t, priority: i < 2 ? 3 : 10 }))
    const titles = () => q.list({ status: ['pending', 'paused'] }).map((j) => j.title)
    expect(q.place(d!.id, { before: a!.id }).priority).toBe(3)
    expect(titles()).toEqual(['d', 'a', 'b', 'c'])
    q.place(d!.id, { after: c!.id })
    expect(titles()).toEqual(['a', 'b', 'c', 'd'])
    q.pauseJob(b!.id)
    q.place(a!.id, { after: b!.id })
    expect(titles()).toEqual(['b', 'a', 'c', 'd'])
    engine.leases.claim({ leaseMs: 10_000 })
    const running = q.list({ status: 'processing' })[0]!
    expect(() => q.place(running.id, { after: d!.id })).toThrow(/being processed/)
    expect(() => q.place(c!.id, { before: running.id })).toThrow(/the job to place it next to is processing/)
  })
})
