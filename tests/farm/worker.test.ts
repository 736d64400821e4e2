/**
 * `studio farm worker` as real processes of the built CLI on a real PostgreSQL, with the built-in
 * pipelines: five-step draft videos enqueued through PgJobStore (the user's machine) run to
 * completion, their files under the shared folder and stored relative to it; two workers share
 * twenty jobs, each completed once and no step started twice.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { jobState, startsAndFinishes, startWorker, stopWorker, useFarm, videoJob, waitFor, workerId, type WorkerProcess } from '../helpers/farm-worker'

const farm = useFarm()

const completedCount = async () => (await farm.user.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE status = 'completed'")).rows[0]!.n

describe('studio farm worker', () => {
  it('runs multi-step jobs enqueued on the farm to completion, their files under the shared folder', async () => {
    const jobs = await farm.user.store.enqueueMany([videoJob(1), videoJob(2), videoJob(3)])
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(w)
    const id = await workerId(w)
    await waitFor(async () => (await completedCount()) === 3, 240_000, 'three jobs to complete', w.output)
    for (const job of jobs) {
      const state = await jobState(farm.user.pool, job.id)
      expect(state.steps.map((s) => s.name)).toEqual(['script', 'adapt', 'audio', 'visuals', 'video'])
      expect(state.steps.every((s) => s.status === 'completed' && s.attempts === 1 && s.worker === id)).toBe(true)
      const detail = (await farm.user.store.get(job.id))!
      // Stored relative to the shared folder, read back here as a path inside it.
      const { rows } = await farm.user.pool.query<{ files: string }>("SELECT files FROM steps WHERE job_id = $1 AND name = 'video'", [job.id])
      const stored = JSON.parse(rows[0]!.files) as Record<string, string>
      expect(stored.video).toMatch(new RegExp(`^jobs/${job.id}/[^/]+/video\\.mp4$`))
      expect(existsSync(join(farm.dataDir, stored.video!))).toBe(true)
      expect(detail.status).toBe('completed')
    }
    // One line per finished job, naming it.
    await waitFor(() => w.events.filter((e) => e.type === 'job.finished').length === 3, 30_000, 'three finished lines', w.output)
    const finished = w.events.filter((e) => e.type === 'job.finished').map((e) => (e.job as { id: string; status: string }))
    expect(finished.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort())
    expect(finished.every((j) => j.status === 'completed')).toBe(true)
    // Graceful stop: exit code 0, a summary, and the worker listed as stopping.
    expect(await stopWorker(w)).toBe(0)
    expect(w.events.at(-1)).toMatchObject({ type: 'worker.stopped', completed: 3, failed: 0 })
    const { rows } = await farm.user.pool.query<{ stopping: boolean; has: string[] }>('SELECT stopping, has FROM workers WHERE id = $1', [id])
    expect(rows[0]!.stopping).toBe(true)
    expect(rows[0]!.has).toEqual(expect.arrayContaining(['ffmpeg', 'text']))
  }, 300_000)

  it('two workers share twenty jobs: each completes exactly once, no step starts twice', async () => {
    const a = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    const b = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(a, b)
    const [idA, idB] = await Promise.all([workerId(a), workerId(b)])
    // Enqueued once both listen: the wake-up, not a poll, starts them.
    const jobs = await farm.user.store.enqueueMany(Array.from({ length: 20 }, (_, i) => videoJob(i)))
    const both = () => `${a.output()}\n--- b ---\n${b.output()}`
    await waitFor(async () => (await completedCount()) === 20, 540_000, 'twenty jobs to complete', both)
    const { starts, finishes } = await startsAndFinishes(farm.user.pool)
    for (const job of jobs) {
      expect(finishes.get(job.id), job.id).toBe(1)
      for (const step of ['script', 'adapt', 'audio', 'visuals', 'video']) expect(starts.get(`${job.id}/${step}`), `${job.id}/${step}`).toBe(1)
    }
    const { rows } = await farm.user.pool.query<{ worker_id: string; n: number }>("SELECT worker_id, count(*)::int AS n FROM steps WHERE name = 'video' GROUP BY worker_id")
    const byWorker = new Map(rows.map((r) => [r.worker_id, r.n]))
    expect(byWorker.get(idA)).toBeGreaterThan(0)
    expect(byWorker.get(idB)).toBeGreaterThan(0)
    expect((byWorker.get(idA) ?? 0) + (byWorker.get(idB) ?? 0)).toBe(20)
    // Each worker reported exactly the jobs it finished.
    await waitFor(() => a.events.filter((e) => e.type === 'job.finished').length + b.events.filter((e) => e.type === 'job.finished').length === 20, 30_000, 'twenty finished lines', both)
  }, 600_000)

  it('SIGTERM mid-step lets the step finish; a second one stops it and gives the job back', async () => {
    const videoRunning = (jobId: string, output: () => string) =>
      waitFor(
        async () => (await jobState(farm.user.pool, jobId)).steps.find((s) => s.name === 'video' && s.status === 'running'),
        240_000,
        'the video step to run',
        output
      )
    const first = await farm.user.store.enqueue(videoJob(1))
    const a = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
    farm.workers.push(a)
    await videoRunning(first.id, a.output)
    a.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect((await jobState(farm.user.pool, first.id)).status).toBe('completed')
    expect(a.events.at(-1)).toMatchObject({ type: 'worker.stopped', completed: 1 })

    const second = await farm.user.store.enqueue(videoJob(2))
    const b = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
    farm.workers.push(b)
    await videoRunning(second.id, b.output)
    b.child.kill('SIGTERM')
    await waitFor(() => b.output().includes('SIGTERM: finishing running steps'), 30_000, 'the worker to take the signal', b.output)
    b.child.kill('SIGTERM')
    expect(await b.exited).toBe(0)
    // Given back at once, not left for its lease to run out: pending, its attempt returned.
    const state = await jobState(farm.user.pool, second.id)
    expect(state).toMatchObject({ status: 'pending', leaseOwner: null })
    expect(state.steps.at(-1)).toMatchObject({ name: 'video', status: 'pending', attempts: 0 })
    expect(state.steps.slice(0, 4).every((s) => s.status === 'completed')).toBe(true)
  }, 300_000)
})
