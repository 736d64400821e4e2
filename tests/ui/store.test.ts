// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import type { PushEvent } from '../../src/shared/contract'
import { alwaysOpen, ConnectionSignal } from '../../src/renderer/src/api/connection'
import { getStudio, resetStudio, studioStore } from '../../src/renderer/src/store'
import { reduceEvents, RECENT_LOG_LIMIT } from '../../src/renderer/src/store/events'
import { startSync } from '../../src/renderer/src/store/sync'
import { batch, fakeApi, job, ok, PIPELINES, provider, stats, until } from './fixtures'

beforeEach(() => resetStudio())

const ids = () => getStudio().order
const apply = (...events: PushEvent[]) => getStudio().applyEvents(events)

describe('store: events routed to slices', () => {
  it('job.changed inserts new jobs in queue order (running, queued by priority/position, finished newest first)', () => {
    const a = job({ priority: 5, position: 1 })
    const b = job({ priority: 1, position: 2 })
    const running = job({ status: 'processing', priority: 9 })
    const old = job({ status: 'completed', completedAt: 10 })
    const recent = job({ status: 'failed', completedAt: 20 })
    apply(...[a, b, running, old, recent].map((j) => ({ type: 'job.changed' as const, job: j })))
    expect(ids()).toEqual([running.id, b.id, a.id, recent.id, old.id])
  })

  it('job.changed updates in place and reorders when priority, position or status change', () => {
    const a = job({ position: 1 })
    const b = job({ position: 2 })
    getStudio().setJobs([a, b])
    const before = getStudio().order
    apply({ type: 'job.changed', job: { ...a, title: 'renamed', updatedAt: a.updatedAt + 1 } })
    expect(getStudio().jobs[a.id]!.title).toBe('renamed')
    expect(getStudio().order).toBe(before) // same order array: rows did not move
    apply({ type: 'job.changed', job: { ...a, position: 3, updatedAt: a.updatedAt + 2 } })
    expect(ids()).toEqual([b.id, a.id])
    apply({ type: 'job.changed', job: { ...a, status: 'processing', updatedAt: a.updatedAt + 3 } })
    expect(ids()).toEqual([a.id, b.id])
  })

  it('ignores an event older than the snapshot (buffered before it)', () => {
    const a = job({ title: 'new', updatedAt: 200 })
    getStudio().setJobs([a])
    apply({ type: 'job.changed', job: { ...a, title: 'stale', updatedAt: 100 } })
    expect(getStudio().jobs[a.id]!.title).toBe('new')
  })

  it('job.removed drops the job, its live progress and its detail', () => {
    const a = job({ status: 'processing' })
    const b = job()
    getStudio().setJobs([a, b])
    apply({ type: 'job.progress', jobId: a.id, progress: 40, step: 'a', stepProgress: 80, message: null })
    getStudio().setDetail({ ...a, steps: [] })
    apply({ type: 'job.removed', jobId: a.id })
    const s = getStudio()
    expect(s.order).toEqual([b.id])
    expect(s.jobs[a.id]).toBeUndefined()
    expect(s.live[a.id]).toBeUndefined()
    expect(s.details[a.id]).toBeUndefined()
  })

  it('progress goes to the live map (latest wins) and is dropped when the job stops processing', () => {
    const a = job({ status: 'processing' })
    getStudio().setJobs([a])
    const jobsBefore = getStudio().jobs
    apply(
      { type: 'job.progress', jobId: a.id, progress: 10, step: 'a', stepProgress: 30, message: null },
      { type: 'job.progress', jobId: a.id, progress: 20, step: 'a', stepProgress: 60, message: 'working' }
    )
    expect(getStudio().live[a.id]).toEqual({ progress: 20, step: 'a', stepProgress: 60, message: 'working' })
    expect(getStudio().jobs).toBe(jobsBefore) // progress never rewrites the job map
    apply({ type: 'job.changed', job: { ...a, status: 'completed', progress: 100, completedAt: 5, updatedAt: a.updatedAt + 1 } })
    expect(getStudio().live[a.id]).toBeUndefined()
    // A late progress tick for a finished job is ignored.
    apply({ type: 'job.progress', jobId: a.id, progress: 99, step: 'c', stepProgress: 99, message: null })
    expect(getStudio().live[a.id]).toBeUndefined()
  })

  it('logs: a bounded recent ring for everyone, full logs for watched jobs, no duplicates', () => {
    const a = job()
    getStudio().setJobs([a])
    getStudio().setJobLogs(a.id, [{ id: 1, jobId: a.id, ts: 1, level: 'info', step: null, message: 'queued' }])
    apply({ type: 'job.log', line: { id: 1, jobId: a.id, ts: 1, level: 'info', step: null, message: 'queued' } })
    apply({ type: 'job.log', line: { id: 2, jobId: a.id, ts: 2, level: 'warn', step: 'a', message: 'slow' } })
    expect(getStudio().jobLogs[a.id]!.map((l) => l.id)).toEqual([1, 2])
    const many: PushEvent[] = Array.from({ length: RECENT_LOG_LIMIT + 50 }, (_, i) => ({
      type: 'job.log',
      line: { id: 10 + i, jobId: 'other', ts: i, level: 'info', step: null, message: String(i) }
    }))
    apply(...many)
    expect(getStudio().recentLogs).toHaveLength(RECENT_LOG_LIMIT)
    expect(getStudio().recentLogs.at(-1)!.id).toBe(10 + RECENT_LOG_LIMIT + 49)
  })

  it('queue, provider and batch events land in their slices; batch samples feed the charts', () => {
    apply({ type: 'queue.changed', paused: true })
    expect(getStudio().queuePaused).toBe(true)
    apply({ type: 'provider.changed', health: provider({ provider: 'openai:gpt', state: 'open' }) })
    expect(getStudio().providers['openai:gpt']!.state).toBe('open')
    apply({ type: 'batch.changed', batch: batch({ doneRows: 1 }) }, { type: 'batch.changed', batch: batch({ doneRows: 2, updatedAt: 2 }) })
    expect(getStudio().batches['batch-1']!.doneRows).toBe(2)
    expect(getStudio().batchSamples['batch-1']!.map((p) => p.done)).toEqual([1, 2])
  })

  it('counts per status follow job events between summaries; a summary resets them and later events count from it', () => {
    const queued = job({ title: 'Queued' })
    getStudio().setJobs([queued])
    getStudio().setStats(stats({ total: 1, byStatus: { pending: 1, processing: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 } }))
    const byStatus = () => getStudio().stats!.byStatus
    // Claimed: "1 running" at once, not "0 running · Idle" until the next summary.
    apply({ type: 'job.changed', job: { ...queued, status: 'processing', updatedAt: queued.updatedAt + 1 } })
    expect(byStatus()).toMatchObject({ pending: 0, processing: 1 })
    // A new job counts once; the same state again counts nothing.
    const added = job({ title: 'Added' })
    apply({ type: 'job.changed', job: added }, { type: 'job.changed', job: added })
    expect(byStatus()).toMatchObject({ pending: 1, processing: 1 })
    expect(getStudio().stats!.total).toBe(2)
    // The engine's figures win; what happens after them counts from them.
    apply(
      { type: 'queue.summary', stats: stats({ total: 5, byStatus: { pending: 3, processing: 2, paused: 0, completed: 0, failed: 0, cancelled: 0 } }), eta: { paused: false, totalMs: 0, concurrency: 2, jobs: [], batchRowsWaiting: 0 }, pool: { state: 'running', running: [], concurrency: 2, resources: [] }, providers: [], at: 1 },
      { type: 'job.removed', jobId: added.id }
    )
    expect(byStatus()).toMatchObject({ pending: 2, processing: 2 })
    expect(getStudio().stats!.total).toBe(4)
    // An old job this window never loaded (beyond its list) is left to the next summary.
    apply({ type: 'job.changed', job: job({ status: 'pending', createdAt: 1, updatedAt: 2 }) })
    expect(byStatus()).toMatchObject({ pending: 2, processing: 2 })
  })

  it('reduceEvents is pure and leaves untouched slices identical', () => {
    const s = getStudio()
    const patch = reduceEvents(s, [{ type: 'queue.changed', paused: true }])
    expect(patch).toEqual({ queuePaused: true })
    expect(getStudio().queuePaused).toBe(false)
  })

  it('an asset imported while the project\'s list was on its way is kept when the list arrives', () => {
    const asset = (id: string, createdAt: number) => ({ id, projectId: 'p', name: `${id}.png`, kind: 'image' as const, path: `/d/${id}.png`, bytes: 1, createdAt })
    const askedAt = 1_000
    getStudio().upsertAsset(asset('dropped', 1_500)) // the import answered first
    getStudio().setAssets('p', [asset('old', 10)], askedAt) // then the list, asked before it
    expect(getStudio().assets.p!.map((a) => a.id)).toEqual(['old', 'dropped'])
    // A later list that has it does not duplicate it; one without an askedAt replaces all.
    getStudio().setAssets('p', [asset('old', 10), asset('dropped', 1_500)], 2_000)
    expect(getStudio().assets.p!.map((a) => a.id)).toEqual(['old', 'dropped'])
    getStudio().setAssets('p', [])
    expect(getStudio().assets.p).toEqual([])
  })

  it('resetStudio restores data but keeps the actions', () => {
    getStudio().setJobs([job()])
    getStudio().notify('error', 'x')
    resetStudio()
    expect(getStudio().order).toEqual([])
    expect(getStudio().notices).toEqual([])
    expect(typeof getStudio().applyEvents).toBe('function')
  })
})

describe('sync: one subscription, one state update per frame', () => {
  function setup() {
    const running = job({ status: 'processing' })
    const fake = fakeApi({
      'jobs/list': ok([running]),
      'pipelines/list': ok(PIPELINES),
      'queue/stats': ok(stats({ total: 1 })),
      'queue/eta': ok({ paused: false, totalMs: 5000, concurrency: 2, jobs: [{ jobId: running.id, remainingWorkMs: 5000, finishInMs: 5000 }] }),
      'pool/status': ok({ state: 'running', running: [running.id], concurrency: 2, resources: [] }),
      'providers/health': ok([provider({ provider: 'local' })]),
      'batch/list': { ok: false, error: { code: 'unavailable', message: 'batch/list is not available in this session' } },
      'batch/configs/list': { ok: false, error: { code: 'unavailable', message: 'batch/configs/list is not available in this session' } }
    })
    return { fake, running }
  }

  /** Every snapshot is in once the last one (saved batch configs) has been asked for: the fake answers at once. */
  const loaded = (fake: ReturnType<typeof setup>['fake']) =>
    until(() => fake.of('batch/configs/list').length > 0 && getStudio().jobsLoaded, 10_000, 'the snapshots')

  it('loads the snapshots, subscribes once, and marks unavailable domains instead of failing', async () => {
    const { fake, running } = setup()
    const stop = startSync(fake.api, alwaysOpen(), studioStore, { schedule: (f) => queueMicrotask(f) })
    await loaded(fake)
    const s = getStudio()
    expect(fake.listenerCount()).toBe(1)
    expect(s.order).toEqual([running.id])
    expect(s.jobsLoaded).toBe(true)
    expect(s.pipelines).toHaveLength(2)
    expect(s.eta!.byId[running.id]!.finishInMs).toBe(5000)
    expect(s.providers.local).toBeDefined()
    expect(s.unavailable.batch).toMatch(/not available/)
    expect(s.notices).toEqual([]) // quiet: no error toast for a domain that is simply absent
    expect(fake.of('jobs/list')[0]).toEqual({ limit: 100_000 })
    stop()
    expect(fake.listenerCount()).toBe(0)
  })

  it('coalesces a burst of progress events into one store update per frame', async () => {
    const { fake, running } = setup()
    const frames: (() => void)[] = []
    const stop = startSync(fake.api, alwaysOpen(), studioStore, { schedule: (f) => frames.push(f) })
    await loaded(fake)
    let updates = 0
    const unsub = studioStore.subscribe(() => updates++)
    for (let i = 1; i <= 1000; i++) fake.push({ type: 'job.progress', jobId: running.id, progress: i / 10, step: 'a', stepProgress: i / 10, message: null })
    expect(frames).toHaveLength(1) // one frame requested for the whole burst
    expect(updates).toBe(0)
    frames.shift()!()
    expect(updates).toBe(1)
    expect(getStudio().live[running.id]!.progress).toBe(100)
    unsub()
    stop()
  })

  it('polls nothing: job events fetch no figures, and queue.summary events bring stats, ETA, pool and providers', async () => {
    const { fake, running } = setup()
    const stop = startSync(fake.api, alwaysOpen(), studioStore, { schedule: (f) => queueMicrotask(f) })
    await loaded(fake)
    const fetched = () => ['queue/stats', 'queue/eta', 'pool/status', 'providers/health'].map((c) => fake.of(c as never).length)
    const before = fetched()
    fake.push({ type: 'job.changed', job: { ...running, status: 'completed', progress: 100 } })
    fake.push({ type: 'queue.changed', paused: true })
    // Nothing to wait for: this checks that nothing comes (the old poll came every second).
    await new Promise((r) => setTimeout(r, 1_200))
    expect(fetched()).toEqual(before)

    fake.push({
      type: 'queue.summary',
      stats: stats({ total: 7, paused: false }),
      eta: { paused: false, totalMs: 9_000, concurrency: 2, jobs: [{ jobId: running.id, remainingWorkMs: 9_000, finishInMs: 9_000 }], batchRowsWaiting: 0 },
      pool: { state: 'running', running: [], concurrency: 4, resources: [] },
      providers: [provider({ provider: 'openai:gpt-4o-mini', state: 'open' })],
      at: 1_000
    })
    await until(() => getStudio().stats?.total === 7, 10_000, 'the summary to be applied')
    const s = getStudio()
    expect(s.stats!.total).toBe(7)
    expect(s.queuePaused).toBe(false)
    expect(s.eta).toMatchObject({ totalMs: 9_000, fetchedAt: 1_000 })
    expect(s.pool!.concurrency).toBe(4)
    expect(s.providers['openai:gpt-4o-mini']!.state).toBe('open')
    expect(s.providers.local).toBeUndefined() // the summary's list is whole: a provider the engine dropped leaves
    stop()
  })

  it('reloads every snapshot after a reconnection (events may have been missed)', async () => {
    const { fake } = setup()
    const conn = new ConnectionSignal()
    const stop = startSync(fake.api, conn, studioStore, { schedule: (f) => queueMicrotask(f) })
    expect(fake.of('jobs/list')).toHaveLength(0) // not connected yet
    conn.set({ state: 'open', epoch: 1 })
    await until(() => fake.of('jobs/list').length === 1, 10_000, 'the first load')
    expect(fake.of('jobs/list')).toHaveLength(1)
    conn.set({ state: 'reconnecting', retryInMs: 250 })
    expect(getStudio().connection.state).toBe('reconnecting')
    conn.set({ state: 'open', epoch: 2, retryInMs: null })
    await until(() => fake.of('jobs/list').length === 2, 10_000, 'the reload')
    expect(fake.of('jobs/list')).toHaveLength(2)
    stop()
  })

  it('the engine restarting: the banner shows while it is away, then a notice says it reconnected and everything is reloaded', async () => {
    const { fake } = setup()
    getStudio().setLocale('fr')
    const stop = startSync(fake.api, alwaysOpen(), studioStore, { schedule: (f) => queueMicrotask(f) })
    await new Promise((r) => setTimeout(r, 20))
    expect(fake.of('jobs/list')).toHaveLength(1)
    fake.push({ type: 'engine.connection', state: 'lost', restarts: 0 })
    expect(getStudio().connection.state).toBe('reconnecting')
    fake.push({ type: 'engine.connection', state: 'reconnected', restarts: 1 })
    expect(getStudio().connection.state).toBe('open')
    for (const start = Date.now(); fake.of('jobs/list').length < 2 && Date.now() - start < 5_000; ) await new Promise((r) => setTimeout(r, 10))
    expect(fake.of('jobs/list')).toHaveLength(2)
    expect(getStudio().notices.map((n) => [n.kind, n.text])).toEqual([['success', expect.stringMatching(/^Le moteur s’est arrêté et a été relancé/)]])
    stop()
  })
})
