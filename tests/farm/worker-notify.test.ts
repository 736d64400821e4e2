/**
 * What a farm worker hears from other machines, as a real process of the built CLI on a real
 * PostgreSQL, with a safety sweep of a minute so that only LISTEN/NOTIFY can explain what happens
 * sooner: a job enqueued elsewhere starts at once; the queue paused elsewhere is not claimed from,
 * and resumed, is; a job cancelled elsewhere while it runs stops (its render too), stays cancelled,
 * and the worker carries on.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { jobState, startsAndFinishes, startWorker, useFarm, videoJob, waitFor, workerId, type WorkerProcess } from '../helpers/farm-worker'
import { pidsMentioning } from '../helpers/processes'

const farm = useFarm()
/** A long lease and a slow sweep: neither a renewal nor a poll comes within the deadlines below. */
const SLOW = { leaseMs: 60_000, heartbeatMs: 1_000, staleAfterMs: 120_000, sweepMs: 60_000, reclaimEveryMs: 60_000 }

const statusOf = async (id: string) => (await jobState(farm.user.pool, id)).status

describe('a farm worker hears other machines', () => {
  it('starts a job enqueued elsewhere at once, and follows the queue paused and resumed elsewhere', async () => {
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 1, timings: SLOW })
    farm.workers.push(w)
    await workerId(w)
    // The worker's first look found nothing; its next poll is a minute away.
    const first = await farm.user.store.enqueue(videoJob(1))
    await waitFor(async () => (await statusOf(first.id)) !== 'pending', 20_000, 'the job to be claimed on its wake-up', w.output)
    await waitFor(async () => (await statusOf(first.id)) === 'completed', 240_000, 'the job to complete', w.output)

    await farm.user.store.setQueuePaused(true)
    const second = await farm.user.store.enqueue(videoJob(2))
    // Woken by the enqueue, the worker must know the queue is paused: nothing is claimed.
    const claimedWhilePaused = await waitFor(async () => (await statusOf(second.id)) !== 'pending', 3_000, 'nothing').catch(() => false)
    expect(claimedWhilePaused).toBe(false)
    await farm.user.store.setQueuePaused(false)
    await waitFor(async () => (await statusOf(second.id)) !== 'pending', 20_000, 'the job to be claimed once the queue is resumed', w.output)
    await waitFor(async () => (await statusOf(second.id)) === 'completed', 240_000, 'the job to complete', w.output)
  }, 360_000)

  it('a job cancelled elsewhere while it runs stops here, stays cancelled, and the worker carries on', async () => {
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 1, timings: SLOW })
    farm.workers.push(w)
    const id = await workerId(w)
    const job = await farm.user.store.enqueue(videoJob(1))
    const workDir = await waitFor(
      async () => {
        const { rows } = await farm.user.pool.query<{ status: string; work_dir: string | null }>("SELECT status, work_dir FROM steps WHERE job_id = $1 AND name = 'video'", [job.id])
        return rows[0]?.status === 'running' && rows[0].work_dir ? join(farm.dataDir, rows[0].work_dir) : null
      },
      240_000,
      'the video step to run',
      w.output
    )
    await waitFor(() => pidsMentioning(workDir).length > 0, 60_000, 'ffmpeg to render', w.output)
    await farm.user.store.cancel(job.id)

    // The worker reports it and its render stops, long before a renewal could have told it.
    const finished = await waitFor(() => w.events.find((e) => e.type === 'job.finished'), 20_000, 'the worker to report the cancel', w.output)
    expect(finished.job).toMatchObject({ id: job.id, status: 'cancelled' })
    await waitFor(() => pidsMentioning(workDir).length === 0, 20_000, 'the render to stop', w.output)

    // The worker's slot is free again: the next job runs, and the cancelled one stayed cancelled.
    const next = await farm.user.store.enqueue(videoJob(2))
    await waitFor(async () => (await statusOf(next.id)) === 'completed', 240_000, 'the next job to complete', w.output)
    const state = await jobState(farm.user.pool, job.id)
    expect(state.status).toBe('cancelled')
    expect(state.steps.at(-1)).toMatchObject({ name: 'video', status: 'cancelled' })
    expect((await startsAndFinishes(farm.user.pool)).finishes.get(job.id)).toBeUndefined()
    expect((await jobState(farm.user.pool, next.id)).steps.every((s) => s.worker === id)).toBe(true)
  }, 360_000)
})
