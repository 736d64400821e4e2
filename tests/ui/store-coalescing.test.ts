// @vitest-environment jsdom
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import type { PushEvent } from '../../src/shared/contract'
import type { JobView } from '../../src/shared/types'
import { alwaysOpen } from '../../src/renderer/src/api/connection'
import { getStudio, resetStudio, studioStore } from '../../src/renderer/src/store'
import { reduceEvents, sortIds } from '../../src/renderer/src/store/events'
import { FLUSH_INTERVAL_MS, startSync } from '../../src/renderer/src/store/sync'
import { fakeApi, job, ok, PIPELINES, stats, until } from './fixtures'

beforeEach(() => resetStudio())

describe('list updates under a stream of events', () => {
  it('events arriving every few milliseconds are applied together, at most once per 100 ms', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => job({ title: `J${i}`, priority: (i % 10) + 1 }))
    const fake = fakeApi({ 'jobs/list': ok(jobs), 'pipelines/list': ok(PIPELINES), 'queue/stats': ok(stats()), 'queue/eta': ok({ totalMs: null, concurrency: 1, jobs: [] }),
      'providers/health': ok([]),
      'batch/list': ok([]),
      'projects/list': ok([]),
      'batch/configs/list': ok([])
    })
    window.requestAnimationFrame ??= ((cb: FrameRequestCallback) => setTimeout(() => cb(performance.now()), 0)) as never
    const stop = startSync(fake.api, alwaysOpen(), studioStore)
    // The snapshots are in once the last one (saved batch configs) is asked for and its answer kept.
    await until(() => fake.of('batch/configs/list').length > 0 && getStudio().jobsLoaded, 10_000, 'the snapshots')
    // Each application of events gives a new jobs map: count those.
    let updates = 0
    const unsub = studioStore.subscribe((s, before) => {
      if (s.jobs !== before.jobs) updates++
    })
    const started = performance.now()
    // Twenty jobs finishing, one every 10 ms (each in its own task, as WebSocket messages arrive).
    for (let i = 0; i < 20; i++) {
      fake.push({ type: 'job.changed', job: { ...jobs[i]!, status: 'completed', completedAt: 1000 + i, updatedAt: jobs[i]!.updatedAt + 1 } })
      await new Promise((r) => setTimeout(r, 10))
    }
    const deadline = Date.now() + 5_000
    while (Object.values(getStudio().jobs).filter((j) => j.status === 'completed').length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    const elapsed = performance.now() - started
    expect(Object.values(getStudio().jobs).filter((j) => j.status === 'completed')).toHaveLength(20)
    // One update per frame would be about twenty; at most one per 100 ms is a few.
    expect(updates).toBeLessThanOrEqual(Math.ceil(elapsed / FLUSH_INTERVAL_MS) + 1)
    expect(updates).toBeLessThan(10)
    unsub()
    stop()
  })

  it('the order kept by merging the changed jobs is the order a full sort gives', () => {
    const statuses = ['pending', 'paused', 'processing', 'completed', 'failed', 'cancelled'] as const
    const change = fc.record({ i: fc.nat(29), status: fc.constantFrom(...statuses), priority: fc.integer({ min: 1, max: 10 }), position: fc.nat(50), completedAt: fc.nat(100) })
    fc.assert(
      fc.property(fc.array(change, { maxLength: 25 }), fc.array(fc.nat(29), { maxLength: 5 }), (changes, removals) => {
        resetStudio()
        const base: JobView[] = Array.from({ length: 30 }, (_, i) => job({ id: `job-${String(i).padStart(3, '0')}`, priority: (i % 10) + 1, position: i }))
        getStudio().setJobs(base)
        let t = 10
        const events: PushEvent[] = changes.map((c) => ({ type: 'job.changed', job: { ...base[c.i]!, status: c.status, priority: c.priority, position: c.position, completedAt: c.completedAt, updatedAt: base[c.i]!.updatedAt + t++ } }))
        for (const r of removals) events.push({ type: 'job.removed', jobId: base[r]!.id })
        const patch = reduceEvents(getStudio(), events)
        const jobs = patch.jobs ?? getStudio().jobs
        expect(patch.order ?? getStudio().order).toEqual(sortIds(jobs))
      })
    )
  })
})
