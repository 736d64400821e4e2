/**
 * Farm workers that die or stall mid-step, as real processes of the built CLI on a real
 * PostgreSQL. A worker killed with SIGKILL: its job is taken back by the other worker and resumes
 * at its first unfinished step (the finished ones are not started again), and the tool it left
 * rendering is stopped. A worker SIGSTOPped past its lease: the other takes its job over; once
 * resumed, its late write is refused by the fence (the job completes once, by the other), and it
 * carries on with other jobs.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { jobState, startsAndFinishes, startWorker, stopWorker, useFarm, videoJob, waitFor, workerId, type WorkerProcess } from '../helpers/farm-worker'
import { pidsMentioning } from '../helpers/processes'

const farm = useFarm()

const FIRST_FOUR = ['script', 'adapt', 'audio', 'visuals']
const both = (a: WorkerProcess, b: WorkerProcess) => () => `${a.output()}\n--- other worker ---\n${b.output()}`

/** The job's video step running on `worker`, with the first four steps done: its work folder. */
async function renderingOn(jobId: string, worker: string, output: () => string): Promise<string> {
  return waitFor(
    async () => {
      const { rows } = await farm.user.pool.query<{ status: string; worker_id: string | null; work_dir: string | null }>(
        "SELECT status, worker_id, work_dir FROM steps WHERE job_id = $1 AND name = 'video'",
        [jobId]
      )
      const video = rows[0]
      return video?.status === 'running' && video.worker_id === worker && video.work_dir ? join(farm.dataDir, video.work_dir) : null
    },
    240_000,
    'the video step to run',
    output
  )
}

describe('farm workers that die or stall', () => {
  it('a worker killed mid-step: the other takes its job back and resumes at the first unfinished step', async () => {
    const job = await farm.user.store.enqueue(videoJob(1))
    const a = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
    farm.workers.push(a)
    const idA = await workerId(a)
    await waitFor(async () => (await jobState(farm.user.pool, job.id)).leaseOwner === idA, 60_000, 'worker A to claim the job', a.output)
    const b = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
    farm.workers.push(b)
    const idB = await workerId(b)
    const workDir = await renderingOn(job.id, idA, both(a, b))
    a.child.kill('SIGKILL')
    await a.exited

    await waitFor(async () => (await jobState(farm.user.pool, job.id)).status === 'completed', 240_000, 'worker B to complete the job', both(a, b))
    const state = await jobState(farm.user.pool, job.id)
    for (const s of state.steps.filter((s) => FIRST_FOUR.includes(s.name))) expect(s, s.name).toMatchObject({ status: 'completed', attempts: 1, worker: idA })
    expect(state.steps.at(-1)).toMatchObject({ name: 'video', status: 'completed', worker: idB })
    const { starts, finishes } = await startsAndFinishes(farm.user.pool)
    for (const step of FIRST_FOUR) expect(starts.get(`${job.id}/${step}`), step).toBe(1)
    expect(starts.get(`${job.id}/video`)).toBe(2)
    expect(finishes.get(job.id)).toBe(1)
    const lost = await farm.user.pool.query("SELECT 1 FROM job_logs WHERE job_id = $1 AND code = 'workerLost'", [job.id])
    expect(lost.rowCount).toBe(1)
    // The render the killed worker left running was stopped when its job was taken back.
    await waitFor(() => pidsMentioning(workDir).length === 0, 30_000, "the killed worker's ffmpeg to be stopped")
    expect(b.events.filter((e) => e.type === 'job.finished').map((e) => (e.job as { id: string }).id)).toEqual([job.id])
  }, 360_000)

  it('a worker stopped past its lease: its late write is refused by the fence, and it carries on', async () => {
    const first = await farm.user.store.enqueue(videoJob(1))
    const a = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
    farm.workers.push(a)
    const idA = await workerId(a)
    await waitFor(async () => (await jobState(farm.user.pool, first.id)).leaseOwner === idA, 60_000, 'worker A to claim the job', a.output)
    const b = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
    farm.workers.push(b)
    const idB = await workerId(b)
    await renderingOn(first.id, idA, both(a, b))
    a.child.kill('SIGSTOP')

    // A's lease runs out (it cannot renew): B takes the job over and renders it. A wakes up
    // meanwhile, believing it still holds the job: its renewal or its checkpoint must be refused
    // by the fence while B holds the job (a write checked only against the job's status would land).
    await renderingOn(first.id, idB, both(a, b))
    a.child.kill('SIGCONT')
    await waitFor(async () => (await jobState(farm.user.pool, first.id)).status === 'completed', 240_000, 'worker B to complete the job', both(a, b))
    expect(await stopWorker(b)).toBe(0)

    // A carries on. Its one slot frees only once its stale run has ended: the next job runs on A.
    const second = await farm.user.store.enqueue(videoJob(2))
    await waitFor(async () => (await jobState(farm.user.pool, second.id)).status === 'completed', 240_000, 'worker A to complete another job', a.output)
    expect((await jobState(farm.user.pool, second.id)).steps.every((s) => s.worker === idA)).toBe(true)

    const state = await jobState(farm.user.pool, first.id)
    expect(state.steps.at(-1)).toMatchObject({ name: 'video', status: 'completed', worker: idB })
    const { starts, finishes } = await startsAndFinishes(farm.user.pool)
    expect(finishes.get(first.id)).toBe(1)
    expect(starts.get(`${first.id}/video`)).toBe(2)
    for (const step of FIRST_FOUR) expect(starts.get(`${first.id}/${step}`), step).toBe(1)
    // A prints a job's end after its commit: the database may say completed before A's line is read.
    const finishedOnA = () => a.events.filter((e) => e.type === 'job.finished').map((e) => (e.job as { id: string }).id)
    await waitFor(() => finishedOnA().includes(second.id), 30_000, "worker A's line for the job it finished", a.output)
    expect(finishedOnA()).toEqual([second.id])
    // Its job was the other's completion only: no result, no line of A's after the takeover.
    const late = await farm.user.pool.query(
      "SELECT 1 FROM job_logs l JOIN steps s ON s.job_id = l.job_id AND s.name = 'video' WHERE l.job_id = $1 AND l.code IN ('finished', 'finishedJob') AND l.ts > s.completed_at",
      [first.id]
    )
    expect(late.rowCount).toBe(0)
  }, 480_000)
})
