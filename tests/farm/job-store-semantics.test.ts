/**
 * One list of queue-semantics cases, run on both backends of the job store: SQLite (the engine's
 * store on a real file) and PostgreSQL (the farm's PgJobStore on a database of its own). Every
 * case states what the SQLite store does — ported from tests/engine/queue.test.ts, bulk.test.ts
 * and log-codes.test.ts — so a difference between the backends fails here: order, moves and
 * placements, priorities, the rules of cancel, retry and pause with their error codes and words,
 * bulk selections, cleanup, log lines (stored as a code and its values), stats and events.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { QueueError } from '../../src/main/engine/errors'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { shortJobId } from '../../src/shared/job-id'
import type { EngineEvent, JobStatus } from '../../src/shared/types'
import { openPostgresBackend, openSqliteBackend, STEP_COST, type JobStoreBackend } from '../helpers/job-store-backends'
import { usePostgres } from '../helpers/postgres'

const database = usePostgres()
let pool: pg.Pool
beforeAll(async () => {
  await farmInit(database.url)
  pool = new pg.Pool({ connectionString: database.url, max: 6 })
  // The database is dropped (WITH FORCE) at the end: an idle connection's death is expected then.
  pool.on('error', () => undefined)
})
afterAll(async () => {
  await pool?.end()
})

/** The error a call is refused with (thrown or rejected); fails the test when it is not refused. */
async function refusal(call: () => unknown): Promise<QueueError> {
  try {
    await call()
  } catch (err) {
    expect(err).toBeInstanceOf(QueueError)
    return err as QueueError
  }
  throw new Error('expected a refusal, but the call succeeded')
}

const BACKENDS: Record<JobStoreBackend['name'], () => Promise<JobStoreBackend>> = {
  sqlite: async () => openSqliteBackend(),
  postgres: async () => openPostgresBackend(pool)
}

for (const [name, open] of Object.entries(BACKENDS)) {
  describe(`job store semantics on ${name}`, () => {
    let b: JobStoreBackend
    beforeEach(async () => {
      b = await open()
    })
    afterEach(async () => {
      await b?.close()
    })

    const q = () => b.store
    const add = (title: string, o: { type?: string; priority?: number; input?: Record<string, unknown> } = {}) =>
      Promise.resolve(q().enqueue({ type: o.type ?? 'one', input: o.input ?? {}, title, ...(o.priority ? { priority: o.priority } : {}) }))
    const titles = async (status: JobStatus | JobStatus[] = ['pending', 'paused']) => (await q().list({ status })).map((j) => j.title)
    const claimOrder = async () => {
      const out: string[] = []
      for (let id; (id = await b.claim()); ) out.push((await q().get(id))!.title)
      return out
    }
    /** Claim the next job and finish it (or fail it at a step). */
    const run = async (outcome: { failAt?: string } = {}) => {
      const id = (await b.claim())!
      await b.finish(id, outcome)
      return id
    }
    const seen = () => {
      const events: EngineEvent[] = []
      b.events.subscribe((e) => events.push(e))
      return events
    }

    describe('enqueue', () => {
      it('validates at the boundary and names the field; nothing is queued', async () => {
        const cases: Array<[unknown, RegExp]> = [
          [{ type: 'nope', input: {} }, /type: unknown job type "nope"; known types: .*three/],
          [{ type: 'one', input: {}, priority: 0 }, /priority: priority must be between 1/],
          [{ type: 'one', input: {}, priority: 3.5 }, /priority: priority must be a whole number/],
          [{ type: 'one', input: [] }, /input: input must be a JSON object/],
          [{ type: 'one', input: { label: 42 } }, /input\.label/],
          [{ type: 'one', input: {}, colour: 'red' }, /colour/]
        ]
        for (const [request, message] of cases) {
          const err = await refusal(() => q().enqueue(request as never))
          expect(err.code).toBe('bad_request')
          expect(err.message).toMatch(message)
        }
        expect(await q().list()).toHaveLength(0)
      })

      it('defaults to priority 10, titles the job from its input, one pending step per step, a "queued" line', async () => {
        const job = await q().enqueue({ type: 'three', input: { idea: '  Why   octopuses have three hearts ' } })
        expect(job).toMatchObject({ status: 'pending', priority: 10, projectId: 'default', title: 'Why octopuses have three hearts', progress: 0, costUsd: 0, costKnown: true, pauseRequested: false })
        const detail = (await q().get(job.id))!
        expect(detail.steps.map((s) => [s.index, s.name, s.title, s.status, s.attempts, s.output])).toEqual([
          [0, 'a', 'A', 'pending', 0, null],
          [1, 'b', 'B', 'pending', 0, null],
          [2, 'c', 'C', 'pending', 0, null]
        ])
        expect({ ...detail, steps: undefined }).toEqual({ ...job, steps: undefined })
        expect(await b.storedLines(job.id)).toEqual([{ level: 'info', step: null, message: '', code: 'queued', params: '{"priority":10}' }])
      })

      it('bulk enqueue is all or nothing, the error names the bad item; the rest keep their order', async () => {
        const err = await refusal(() => q().enqueueMany([{ type: 'one', input: {} }, { type: 'one', input: {}, priority: 11 }]))
        expect(err.message).toMatch(/jobs\[1\]\.priority/)
        expect(await q().list()).toHaveLength(0)
        const jobs = await q().enqueueMany(Array.from({ length: 40 }, (_, i) => ({ type: i % 2 ? 'one' : 'three', input: {}, title: `j${i}` })))
        expect(jobs.map((j) => j.title)).toEqual(Array.from({ length: 40 }, (_, i) => `j${i}`))
        expect(await titles()).toEqual(jobs.map((j) => j.title))
        expect((await q().get(jobs[0]!.id))!.steps).toHaveLength(3)
        expect(await q().enqueueMany([])).toEqual([])
      })
    })

    describe('ordering', () => {
      it('claims by priority, then manual order, then FIFO', async () => {
        await add('late-low')
        await add('urgent', { priority: 1 })
        await add('mid-1', { priority: 5 })
        await add('mid-2', { priority: 5 })
        expect(await titles()).toEqual(['urgent', 'mid-1', 'mid-2', 'late-low'])
        expect(await claimOrder()).toEqual(['urgent', 'mid-1', 'mid-2', 'late-low'])
      })

      it('moves up, down, top and bottom, lists in queue order, and refuses what cannot move', async () => {
        const [a, , c, d] = [await add('a'), await add('b'), await add('c'), await add('d')]
        await q().move(c!.id, 'up')
        expect(await titles()).toEqual(['a', 'c', 'b', 'd'])
        await q().move(a!.id, 'down')
        expect(await titles()).toEqual(['c', 'a', 'b', 'd'])
        await q().move(d!.id, 'top')
        expect(await titles()).toEqual(['d', 'c', 'a', 'b'])
        await q().move(d!.id, 'bottom')
        expect(await titles()).toEqual(['c', 'a', 'b', 'd'])
        const first = await refusal(() => q().move(c!.id, 'up'))
        expect([first.code, first.message]).toEqual(['cannot_move', 'job is already first in the queue'])
        const last = await refusal(() => q().move(d!.id, 'down'))
        expect([last.code, last.message]).toEqual(['cannot_move', 'job is already last in the queue'])
        expect((await refusal(() => q().move(a!.id, 'sideways' as never))).message).toMatch(/direction: direction must be up, down, top or bottom/)
        expect(await claimOrder()).toEqual(['c', 'a', 'b', 'd'])
      })

      it('moving past a job of another priority adopts that priority, and its log says so', async () => {
        await add('first', { priority: 2 })
        const low = await add('low', { priority: 9 })
        const moved = await q().move(low.id, 'up')
        expect(moved).toMatchObject({ id: low.id, priority: 2 })
        expect(await titles()).toEqual(['low', 'first'])
        await q().move(low.id, 'down')
        expect((await q().logs(low.id)).slice(-2).map((l) => [l.code, l.params, l.message])).toEqual([
          ['movedPriority', { direction: 'up', was: 9, priority: 2 }, 'moved up; priority 9 → 2'],
          ['moved', { direction: 'down' }, 'moved down']
        ])
      })

      it('refuses to reorder or re-prioritise a job being processed, with code "processing"', async () => {
        const job = await add('a')
        await add('b')
        expect(await b.claim()).toBe(job.id)
        const move = await refusal(() => q().move(job.id, 'down'))
        expect([move.code, move.message]).toEqual(['processing', 'job is being processed; it cannot be reordered until it finishes, is paused or is cancelled'])
        const prio = await refusal(() => q().setPriority(job.id, 1))
        expect([prio.code, prio.message]).toEqual(['processing', 'job is being processed; its priority cannot be changed until it finishes, is paused or is cancelled'])
      })

      it('set priority changes the claim order; a bad priority is refused; a completed job keeps its own', async () => {
        await add('a')
        const bJob = await add('b')
        const set = await q().setPriority(bJob.id, 3)
        expect(set).toMatchObject({ priority: 3 })
        expect((await refusal(() => q().setPriority(bJob.id, 11))).message).toMatch(/^priority: /)
        const [first] = [await b.claim()]
        expect(first).toBe(bJob.id)
        await b.finish(bJob.id)
        const done = await refusal(() => q().setPriority(bJob.id, 1))
        expect([done.code, done.message]).toEqual(['finished', 'job is already completed; its priority no longer matters'])
        expect((await q().logs(bJob.id)).map((l) => l.code)).toEqual(['queued', 'prioritySet', 'finishedJob'])
      })

      it('finds a job by a unique id prefix and says when one is missing or too short', async () => {
        const job = await add('x')
        await add('y')
        expect(shortJobId(job.id)).toBe(job.id.slice(-8))
        expect((await q().require(shortJobId(job.id))).id).toBe(job.id)
        expect((await q().require(shortJobId(job.id).toUpperCase().slice(0, 6))).id).toBe(job.id)
        expect((await q().require(job.id.slice(0, 30))).id).toBe(job.id)
        expect((await q().list({ text: shortJobId(job.id).slice(0, 5) })).map((j) => j.title)).toEqual(['x'])
        // Two jobs queued at once share their id's start (its time): too short a start names neither.
        const [p, r] = await q().enqueueMany([{ type: 'one', input: {}, title: 'p' }, { type: 'one', input: {}, title: 'r' }])
        expect(p!.id.slice(0, 8)).toBe(r!.id.slice(0, 8))
        const ambiguous = await refusal(() => q().require(p!.id.slice(0, 9)))
        expect([ambiguous.code, ambiguous.message]).toEqual(['ambiguous', `more than one job id starts with ${p!.id.slice(0, 9)}; give more characters`])
        const missing = await refusal(() => q().require('does-not-exist'))
        expect([missing.code, missing.message]).toEqual(['not_found', 'no job with id does-not-exist'])
        const short = await refusal(() => q().require(job.id.slice(0, 2)))
        expect(short.message).toBe(`no job with id ${job.id.slice(0, 2)} (a short id needs at least 4 of its characters)`)
        // A prefix is compared as characters: no wildcard.
        expect((await refusal(() => q().require('%%%%'))).code).toBe('not_found')
        expect(await q().get('does-not-exist')).toBeNull()
      })
    })

    describe('placing a dragged job', () => {
      it('drops a job before or after another in one reorder, adopting its priority; never next to or as a running one', async () => {
        const [a, bb, c, d] = [await add('a', { priority: 3 }), await add('b', { priority: 3 }), await add('c'), await add('d')]
        expect((await q().place(d!.id, { before: a!.id })).priority).toBe(3)
        expect(await titles()).toEqual(['d', 'a', 'b', 'c'])
        await q().place(d!.id, { after: c!.id })
        expect(await titles()).toEqual(['a', 'b', 'c', 'd'])
        await q().pauseJob(bb!.id)
        await q().place(a!.id, { after: bb!.id })
        expect(await titles()).toEqual(['b', 'a', 'c', 'd'])
        // Next to itself: nothing moves, the line is still written.
        const before = (await q().get(c!.id))!.position
        expect((await q().place(c!.id, { before: c!.id })).position).toBe(before)
        expect((await q().logs(c!.id)).at(-1)!.code).toBe('placedBefore')
        expect((await q().logs(d!.id)).slice(1).map((l) => l.message)).toEqual(['placed before a; priority 10 → 3', 'placed after c; priority 3 → 10'])
        const running = (await b.claim())!
        expect(running).toBe(a!.id)
        const itself = await refusal(() => q().place(running, { after: d!.id }))
        expect(itself.code).toBe('processing')
        const anchor = await refusal(() => q().place(c!.id, { before: running }))
        expect([anchor.code, anchor.message]).toEqual(['not_queued', 'the job to place it next to is processing; only queued jobs can be reordered'])
      })
    })

    describe('lifecycle', () => {
      it('cancels a pending job at once and refuses to cancel a finished one', async () => {
        const job = await add('a')
        expect((await q().cancel(job.id)).status).toBe('cancelled')
        const again = await refusal(() => q().cancel(job.id))
        expect([again.code, again.message]).toEqual(['finished', 'job is already cancelled; nothing to cancel'])
        expect(await b.claim()).toBeNull()
        expect((await q().logs(job.id)).map((l) => [l.level, l.code])).toEqual([['info', 'queued'], ['warn', 'cancelled']])
      })

      it('cancelling a running job revokes its lease and says which step it stopped', async () => {
        const job = await add('r', { type: 'three' })
        await b.claim()
        const cancelled = await q().cancel(job.id)
        expect(cancelled).toMatchObject({ status: 'cancelled', error: null })
        expect(cancelled.completedAt).not.toBeNull()
        expect((await q().logs(job.id)).at(-1)).toMatchObject({ level: 'warn', code: 'cancelledWhileRunning', params: { step: 'a' } })
        // The worker's checkpoint finds its lease gone: nothing is written.
        await b.finish(job.id).catch(() => undefined)
        expect((await q().get(job.id))!.steps.map((s) => s.status)).toEqual(['pending', 'pending', 'pending'])
      })

      it('pauses and resumes a single job and the whole queue', async () => {
        const a = await add('a')
        await add('b')
        expect((await q().pauseJob(a.id)).status).toBe('paused')
        const paused = await refusal(() => q().pauseJob(a.id))
        expect([paused.code, paused.message]).toEqual(['cannot_pause', 'job is paused; only queued or running jobs can be paused'])
        expect(await claimOrder()).toEqual(['b'])
        expect((await q().resumeJob(a.id)).status).toBe('pending')
        const notPaused = await refusal(() => q().resumeJob(a.id))
        expect([notPaused.code, notPaused.message]).toEqual(['not_paused', 'job is pending, not paused'])
        const events = seen()
        await q().setQueuePaused(true)
        expect((await q().stats()).paused).toBe(true)
        expect(await q().isPaused()).toBe(true)
        await q().setQueuePaused(false)
        expect(await q().isPaused()).toBe(false)
        expect(events).toEqual([{ type: 'queue.changed', paused: true }, { type: 'queue.changed', paused: false }])
      })

      it('pausing a running job is a request its step honours; resuming withdraws it', async () => {
        const job = await add('r', { type: 'three' })
        await b.claim()
        const asked = await q().pauseJob(job.id)
        expect(asked).toMatchObject({ status: 'processing', pauseRequested: true })
        const withdrawn = await q().resumeJob(job.id)
        expect(withdrawn).toMatchObject({ status: 'processing', pauseRequested: false })
        expect((await refusal(() => q().resumeJob(job.id))).message).toBe('job is processing, not paused')
        expect((await q().logs(job.id)).slice(1).map((l) => [l.code, l.params])).toEqual([
          ['pausing', { step: 'a' }],
          ['pauseWithdrawn', {}]
        ])
      })

      it('deletes a job with its steps, log and artifacts', async () => {
        const job = await add('a')
        await run()
        const dir = join(b.artifactsRoot, job.id)
        expect(existsSync(dir)).toBe(true)
        const events = seen()
        await q().remove(job.id)
        expect(existsSync(dir)).toBe(false)
        expect(await q().get(job.id)).toBeNull()
        expect(await b.leftovers(job.id)).toEqual({ steps: 0, lines: 0 })
        expect(events).toEqual([{ type: 'job.removed', jobId: job.id }])
        expect((await refusal(() => q().remove(job.id))).code).toBe('not_found')
      })

      it('reports stats per status and type, average duration and 24 h success rate', async () => {
        await add('one-a')
        await add('one-b')
        await add('three', { type: 'three' })
        const held = await add('held')
        await q().pauseJob(held.id)
        await run()
        await run()
        await run({ failAt: 'b' })
        const s = await q().stats()
        expect(s.byStatus).toEqual({ pending: 0, processing: 0, paused: 1, completed: 2, failed: 1, cancelled: 0 })
        expect(s.total).toBe(4)
        expect(s.byType).toEqual({ one: { completed: 2, paused: 1 }, three: { failed: 1 } })
        expect(s.successRate24h).toBeCloseTo(2 / 3)
        expect(s.finished24h).toBe(3)
        expect(s.waiting).toBe(0)
        expect(s.avgDurationMsByType).toEqual({ one: 5 })
        expect(s.paused).toBe(false)
      })

      it('cleans up finished jobs older than a given age, with their artifacts', async () => {
        const old = await add('old')
        await run()
        await add('fresh-pending')
        await q().setQueuePaused(true)
        await b.age(old.id, 40 * 86400_000)
        const bad = await refusal(() => q().cleanup({ olderThanMs: 1, statuses: ['pending'] }))
        expect([bad.code, bad.message]).toEqual(['bad_request', 'statuses: cleanup only removes finished jobs, not pending'])
        expect(await q().cleanup({ olderThanMs: 30 * 86400_000, statuses: ['failed'] })).toBe(0)
        const events = seen()
        expect(await q().cleanup({ olderThanMs: 30 * 86400_000 })).toBe(1)
        expect(events).toEqual([{ type: 'job.removed', jobId: old.id }])
        expect((await q().list()).map((j) => j.title)).toEqual(['fresh-pending'])
        expect(readdirSync(b.artifactsRoot)).not.toContain(old.id)
      })
    })

    describe('retry', () => {
      it('only finished jobs are retried; a failed one resumes at its failed step, keeping (and still counting) the finished ones', async () => {
        const job = await add('r', { type: 'three' })
        const pending = await refusal(() => q().retry(job.id))
        expect([pending.code, pending.message]).toEqual(['not_finished', 'job is pending; only failed, cancelled or completed jobs can be retried'])
        await run({ failAt: 'b' })
        expect(await q().get(job.id)).toMatchObject({ status: 'failed', error: 'b: boom' })
        const retried = await q().retry(job.id)
        expect(retried).toMatchObject({ status: 'pending', error: null, result: null, completedAt: null, startedAt: null, progress: 33.3, currentStep: null, costKnown: true })
        expect(retried.costUsd).toBeCloseTo(STEP_COST)
        const detail = (await q().get(job.id))!
        expect(detail.steps.map((s) => [s.name, s.status, s.output])).toEqual([
          ['a', 'completed', { step: 'a' }],
          ['b', 'pending', null],
          ['c', 'pending', null]
        ])
        expect(detail.steps[1]!.error).toBeNull()
        expect((await q().logs(job.id)).at(-1)).toMatchObject({ code: 'retryResumes', params: { step: 'b' }, message: 'retry requested; resumes at b' })
        // It runs again from b: a is not run again.
        await run()
        expect(await q().get(job.id)).toMatchObject({ status: 'completed', progress: 100 })
      })

      it('from a named step: that step and the later ones are cleared with their files, on a completed job too', async () => {
        const job = await add('r', { type: 'three' })
        await run()
        const done = await refusal(() => q().retry(job.id))
        expect([done.code, done.message]).toEqual(['finished', 'job is already completed; name a step to redo it from (retry --from STEP)'])
        const unknown = await refusal(() => q().retry(job.id, { fromStep: 'z' }))
        expect([unknown.code, unknown.message]).toEqual(['bad_request', 'fromStep: job has no step "z"; its steps are a, b, c'])
        const kept = join(b.artifactsRoot, job.id, 'a')
        const cleared = join(b.artifactsRoot, job.id, 'b')
        expect(existsSync(cleared)).toBe(true)
        const retried = await q().retry(job.id, { fromStep: '2' })
        expect(retried).toMatchObject({ status: 'pending', progress: 33.3 })
        expect(retried.costUsd).toBeCloseTo(STEP_COST)
        expect(existsSync(cleared)).toBe(false)
        expect(existsSync(kept)).toBe(true)
        const steps = (await q().get(job.id))!.steps
        expect(steps.map((s) => [s.name, s.status, s.output, s.cost])).toEqual([
          ['a', 'completed', { step: 'a' }, STEP_COST],
          ['b', 'pending', null, null],
          ['c', 'pending', null, null]
        ])
        expect((await q().logs(job.id)).at(-1)).toMatchObject({ code: 'retryFrom', params: { step: 'b' } })
      })

      it('redoing from a late step says which earlier unfinished step runs first', async () => {
        const job = await add('r', { type: 'three' })
        await run({ failAt: 'a' })
        const retried = await q().retry(job.id, { fromStep: 'c' })
        expect(retried).toMatchObject({ status: 'pending', progress: 0, costUsd: 0 })
        expect((await q().logs(job.id)).at(-1)).toMatchObject({ code: 'retryFromResumesEarlier', params: { step: 'c', resume: 'a' } })
        expect(await b.claim()).toBe(job.id)
        expect((await q().get(job.id))!.currentStep).toBe('a')
      })

      it('a cancelled job is retried from where it stopped', async () => {
        const job = await add('r', { type: 'three' })
        await q().cancel(job.id)
        expect(await q().retry(job.id)).toMatchObject({ status: 'pending', progress: 0 })
        expect(await claimOrder()).toEqual(['r'])
      })
    })

    describe('many jobs at once', () => {
      it('cancels a selection: each job done or skipped with its reason, duplicates once, events after the commit', async () => {
        const [a, bb, c] = [await add('j1', { type: 'three' }), await add('j2', { type: 'three' }), await add('j3', { type: 'three' })]
        await q().cancel(c!.id)
        const events = seen()
        const r = await q().cancelMany({ ids: [a!.id, shortJobId(bb!.id), c!.id, 'zzzzzzzz', a!.id] })
        expect(r.done).toBe(2)
        expect(r.skipped).toBe(2)
        expect(r.results).toEqual([
          { id: a!.id, outcome: 'done' },
          { id: bb!.id, outcome: 'done' },
          { id: c!.id, outcome: 'skipped', code: 'finished', reason: 'job is already cancelled; nothing to cancel' },
          { id: 'zzzzzzzz', outcome: 'skipped', code: 'not_found', reason: 'no job with id zzzzzzzz' }
        ])
        expect(await Promise.all([a, bb].map(async (j) => (await q().get(j!.id))!.status))).toEqual(['cancelled', 'cancelled'])
        expect(events.filter((e) => e.type === 'job.changed').map((e) => (e as { job: { id: string; status: string } }).job)).toMatchObject([
          { id: a!.id, status: 'cancelled' },
          { id: bb!.id, status: 'cancelled' }
        ])
      })

      it('by status: retry the cancelled, pause and resume the queued, set a priority, clear the finished', async () => {
        const jobs = [await add('s1', { type: 'three' }), await add('s2', { type: 'three' }), await add('s3', { type: 'three' }), await add('s4', { type: 'three' })]
        await q().cancelMany({ ids: [jobs[0]!.id, jobs[1]!.id] })
        expect((await q().retryMany({ status: 'cancelled' })).done).toBe(2)
        expect(await q().list({ status: 'pending' })).toHaveLength(4)
        expect((await q().retryMany({ ids: [jobs[2]!.id] })).results[0]).toEqual({
          id: jobs[2]!.id,
          outcome: 'skipped',
          code: 'not_retryable',
          reason: 'job is pending; only failed or cancelled jobs are retried'
        })
        expect((await q().pauseMany({ status: 'pending' })).done).toBe(4)
        expect((await q().resumeMany({ ids: [jobs[3]!.id] })).done).toBe(1)
        expect(await q().list({ status: 'paused' })).toHaveLength(3)
        expect((await q().resumeMany({ ids: [jobs[3]!.id] })).results[0]).toMatchObject({ outcome: 'skipped', code: 'not_paused' })

        expect((await q().setPriorityMany({ ids: jobs.map((j) => j.id) }, 2)).done).toBe(4)
        expect((await q().setPriorityMany({ ids: [jobs[0]!.id] }, 2)).results[0]).toEqual({
          id: jobs[0]!.id,
          outcome: 'skipped',
          code: 'unchanged',
          reason: 'job already has priority 2'
        })
        // In queue order: the selection by status is walked as the queue runs.
        await q().move(jobs[3]!.id, 'top')
        const order = await q().cancelMany({ status: ['paused', 'pending'] })
        expect(order.results.map((r) => r.id)).toEqual([jobs[3]!.id, jobs[0]!.id, jobs[1]!.id, jobs[2]!.id])
        const events = seen()
        const cleared = await q().removeMany({ status: ['completed', 'failed', 'cancelled'] })
        expect(cleared.done).toBe(4)
        expect(await q().list()).toEqual([])
        expect(events.map((e) => e.type)).toEqual(['job.removed', 'job.removed', 'job.removed', 'job.removed'])
        expect((await refusal(() => q().cancelMany({} as never))).code).toBe('bad_request')
      })

      it('a job refused half-way leaves nothing behind; the rest of the request stands', async () => {
        const running = await add('running')
        const queued = await add('queued')
        await b.claim()
        const r = await q().setPriorityMany({ ids: [running.id, queued.id] }, 4)
        expect(r.results).toEqual([
          { id: running.id, outcome: 'skipped', code: 'processing', reason: 'job is being processed; its priority cannot be changed until it finishes, is paused or is cancelled' },
          { id: queued.id, outcome: 'done' }
        ])
        expect((await q().get(running.id))!.priority).toBe(10)
        expect((await q().logs(running.id)).map((l) => l.code)).toEqual(['queued'])
        expect((await q().get(queued.id))!.priority).toBe(4)
      })
    })

    describe('log lines', () => {
      it('are stored as a code and its values, rendered to English when read, and announced live with them', async () => {
        const lines: unknown[] = []
        b.events.on('job.log', (e) => lines.push([e.line.code, e.line.params, e.line.message]))
        const job = await q().enqueue({ type: 'three', input: {}, priority: 4 })
        await q().setPriority(job.id, 2)
        expect(await b.storedLines(job.id)).toEqual([
          { level: 'info', step: null, message: '', code: 'queued', params: '{"priority":4}' },
          { level: 'info', step: null, message: '', code: 'prioritySet', params: '{"priority":2}' }
        ])
        expect((await q().logs(job.id)).map((l) => [l.code, l.params, l.message])).toEqual([
          ['queued', { priority: 4 }, 'queued with priority 4'],
          ['prioritySet', { priority: 2 }, 'priority set to 2']
        ])
        expect(lines).toEqual([['prioritySet', { priority: 2 }, 'priority set to 2']])
      })

      it('free text stays free text; a line for a gone job is dropped; pages follow afterId and limit', async () => {
        const job = await add('x')
        await q().log(job.id, 'warn', 'a line in my own words', 'only')
        await q().log('no-such-job', 'info', 'nobody reads this')
        const all = await q().logs(job.id)
        expect(all.map((l) => [l.level, l.step, l.code, l.params, l.message])).toEqual([
          ['info', null, 'queued', { priority: 10 }, 'queued with priority 10'],
          ['warn', 'only', null, null, 'a line in my own words']
        ])
        expect(all.every((l) => l.jobId === job.id && typeof l.ts === 'number')).toBe(true)
        expect((await q().logs(job.id, { afterId: all[0]!.id })).map((l) => l.message)).toEqual(['a line in my own words'])
        expect(await q().logs(job.id, { limit: 1 })).toHaveLength(1)
        expect((await refusal(() => q().logs('no-such-job'))).code).toBe('not_found')
      })
    })

    describe('the list', () => {
      it('running first, then the queue in order, then finished jobs newest first; filters by status, type, text, page', async () => {
        const done1 = await add('done-1', { priority: 1 })
        const done2 = await add('done-2', { priority: 1 })
        await run()
        await run()
        await add('queued 100% a_b', { type: 'three', priority: 5 })
        const paused = await add('paused', { priority: 3 })
        await q().pauseJob(paused.id)
        const running = await add('running', { priority: 1 })
        await b.claim()
        await b.age(done1.id, 1000)
        expect((await q().list()).map((j) => j.title)).toEqual(['running', 'paused', 'queued 100% a_b', 'done-2', 'done-1'])
        expect((await q().list({ status: ['completed'] })).map((j) => j.id)).toEqual([done2.id, done1.id])
        expect((await q().list({ type: 'three' })).map((j) => j.title)).toEqual(['queued 100% a_b'])
        // Text is matched as characters, never as a pattern, and case-blind.
        expect((await q().list({ text: '100%' })).map((j) => j.title)).toEqual(['queued 100% a_b'])
        expect((await q().list({ text: 'A_B' })).map((j) => j.title)).toEqual(['queued 100% a_b'])
        expect(await q().list({ text: 'a%b' })).toEqual([])
        expect((await q().list({ text: shortJobId(running.id).slice(0, 6) })).map((j) => j.title)).toEqual(['running'])
        expect((await q().list({ limit: 2, offset: 1 })).map((j) => j.title)).toEqual(['paused', 'queued 100% a_b'])
        const bad = await refusal(() => q().list({ limit: 0 }))
        expect([bad.code, bad.message.startsWith('limit: ')]).toEqual(['bad_request', true])
      })
    })

    describe('events', () => {
      it('each change announces the job as it now is, after its commit; a refused change announces nothing', async () => {
        const events = seen()
        const job = await add('e')
        await q().setPriority(job.id, 4)
        await q().pauseJob(job.id)
        await refusal(() => q().pauseJob(job.id))
        await q().resumeJob(job.id)
        await q().cancel(job.id)
        const changes = events.filter((e) => e.type === 'job.changed').map((e) => (e as { job: { status: string; priority: number } }).job)
        expect(changes.map((j) => [j.status, j.priority])).toEqual([
          ['pending', 10],
          ['pending', 4],
          ['paused', 4],
          ['pending', 4],
          ['cancelled', 4]
        ])
      })
    })
  })
}
