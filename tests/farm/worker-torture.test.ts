/**
 * Issue 18's torture run, all at once: three `studio farm worker` processes of the built CLI on one
 * shared data folder and a real PostgreSQL run fifty five-step draft videos (the only built-in
 * pipeline with several steps; each of its paid steps calls an offline provider). While they run,
 * one worker is SIGKILLed mid-step, another SIGSTOPped past its lease and resumed once its job was
 * taken over, and a fourth process — the built CLI with --queue-url — moves a pending job to the
 * top and cancels a pending and a running job. Then: every job not cancelled completed exactly
 * once; no step that finished was started again (the farm's log) nor paid for twice (the farm's
 * provider calls); the killed worker's job resumed at its first unfinished step; the stopped
 * worker's late write was refused by the fence; the moved job was claimed before those that were
 * ahead of it; the cancelled jobs ended cancelled and never completed.
 */
import { describe, expect, it } from 'vitest'
import { builtStudio, type StudioRun } from '../helpers/cli'
import { jobState, startWorker, useFarm, videoJob, waitFor, workerId, type WorkerProcess } from '../helpers/farm-worker'

const farm = useFarm()

const JOBS = 50
const STEPS = ['script', 'adapt', 'audio', 'visuals', 'video']
const FINISHED = ['finished', 'finishedFallback', 'finishedJob', 'finishedJobFallback']

/** The shortest script the offline text provider writes (three body sentences): a shorter video. */
const shortVideo = (n: number) => {
  const job = videoJob(n)
  return { ...job, input: { ...job.input, style: { intensity: 0.5 } } }
}

/** The fourth process: `studio … --queue-url <farm>` on the shared folder, as a person runs it. */
function studio(...args: string[]): Promise<StudioRun> {
  return builtStudio([...args, '--queue-url', farm.url], { STUDIO_DATA_DIR: farm.dataDir })
}

/** A step of kind `step` running on `worker` (with its work folder set: really under way), or null. */
async function runningOn(worker: string, step: string, not: readonly string[] = []): Promise<string | null> {
  const { rows } = await farm.user.pool.query<{ job_id: string }>(
    `SELECT s.job_id FROM steps s JOIN jobs j ON j.id = s.job_id
      WHERE s.name = $1 AND s.status = 'running' AND s.worker_id = $2 AND s.work_dir IS NOT NULL
        AND j.status = 'processing' AND j.lease_owner = $2 AND NOT (s.job_id = ANY($3::text[]))
      LIMIT 1`,
    [step, worker, not]
  )
  return rows[0]?.job_id ?? null
}

/** Every log line's (job, step, code) in the order they were written. */
async function logRows(): Promise<Array<{ id: number; job_id: string; step: string | null; code: string | null }>> {
  const { rows } = await farm.user.pool.query<{ id: string; job_id: string; step: string | null; code: string | null }>('SELECT id, job_id, step, code FROM job_logs ORDER BY id')
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}

describe('three farm workers under torture', () => {
  it('fifty jobs survive a SIGKILL, a SIGSTOP past the lease, a move and two cancels: each completes once, no finished step runs again', async () => {
    const began = Date.now()
    const [a, b, c] = [0, 1, 2].map(() => startWorker(farm.url, farm.dataDir, { concurrency: 2 })) as [WorkerProcess, WorkerProcess, WorkerProcess]
    farm.workers.push(a, b, c)
    const [idA, idB, idC] = await Promise.all([workerId(a), workerId(b), workerId(c)])
    const all = () => `--- A ${idA} ---\n${a.output()}\n--- B ${idB} ---\n${b.output()}\n--- C ${idC} ---\n${c.output()}`
    const jobs = await farm.user.store.enqueueMany(Array.from({ length: JOBS }, (_, i) => shortVideo(i)))
    const ids = jobs.map((j) => j.id)
    const moved = ids.at(-1)!
    const cancelledPending = ids.at(-2)!

    // From the fourth process: the last job to the top, the one before it cancelled while pending.
    const move = await studio('move', moved, 'top')
    expect(move, move.err).toMatchObject({ code: 0 })
    // Every job still pending now was ahead of the moved one before the move.
    const { rows: aheadRows } = await farm.user.pool.query<{ id: string }>("SELECT id FROM jobs WHERE status = 'pending' AND id <> ALL($1::text[])", [[moved, cancelledPending]])
    const wasAhead = aheadRows.map((r) => r.id)
    expect(wasAhead.length).toBeGreaterThan(20)
    const cancel = await studio('cancel', cancelledPending)
    expect(cancel, cancel.err).toMatchObject({ code: 0, out: `${cancelledPending} cancelled\n` })

    // A running job on C cancelled from the fourth process, mid-step.
    const cancelledRunning = await waitFor(() => runningOn(idC, 'audio').then((j) => j ?? runningOn(idC, 'visuals')), 120_000, 'a step to run on C', all)
    const cancelRunning = await studio('cancel', cancelledRunning)
    expect(cancelRunning, cancelRunning.err).toMatchObject({ code: 0, out: `${cancelledRunning} cancelled\n` })

    // A SIGKILLed while rendering: what it had finished of that job, and the step it was in.
    const killedJob = await waitFor(() => runningOn(idA, 'video', [cancelledRunning]), 120_000, 'a video to render on A', all)
    const atKill = await jobState(farm.user.pool, killedJob)
    a.child.kill('SIGKILL')
    await a.exited
    const finishedAtKill = atKill.steps.filter((s) => s.status === 'completed').map((s) => s.name)
    const firstUnfinished = atKill.steps.find((s) => s.status !== 'completed')!.name

    // B SIGSTOPped while rendering, past its lease: its job is taken over (its video started again
    // elsewhere), then B wakes up believing it still holds it.
    const stoppedJob = await waitFor(() => runningOn(idB, 'video', [cancelledRunning, killedJob]), 120_000, 'a video to render on B', all)
    b.child.kill('SIGSTOP')
    await waitFor(
      async () => {
        const s = await jobState(farm.user.pool, stoppedJob)
        const video = s.steps.find((x) => x.name === 'video')!
        return s.status === 'completed' || (video.status === 'running' && video.worker !== idB && s.leaseOwner !== idB)
      },
      120_000,
      "B's job to be taken over",
      all
    )
    b.child.kill('SIGCONT')
    const finishedOn = (w: WorkerProcess) => w.events.filter((e) => e.type === 'job.finished').length
    const finishedByBBefore = finishedOn(b)

    // Everything ends: 48 completed, 2 cancelled.
    await waitFor(
      async () => {
        const { rows } = await farm.user.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM jobs GROUP BY status')
        const by = new Map(rows.map((r) => [r.status, r.n]))
        return (by.get('completed') ?? 0) + (by.get('cancelled') ?? 0) === JOBS
      },
      240_000,
      'every job to end',
      all
    )
    // B is still there, its stale run ended without a write.
    await waitFor(async () => (await farm.user.pool.query("SELECT 1 FROM jobs WHERE lease_owner IS NOT NULL")).rowCount === 0, 60_000, 'every lease to be let go', all)

    const statuses = new Map((await farm.user.pool.query<{ id: string; status: string }>('SELECT id, status FROM jobs')).rows.map((r) => [r.id, r.status]))
    expect(statuses.size).toBe(JOBS)
    expect(statuses.get(cancelledPending)).toBe('cancelled')
    expect(statuses.get(cancelledRunning)).toBe('cancelled')
    for (const id of ids) if (id !== cancelledPending && id !== cancelledRunning) expect(statuses.get(id), id).toBe('completed')

    const log = await logRows()
    const finishedJob = new Map<string, number>()
    const stepFinishes = new Map<string, number>()
    const starts = new Map<string, number>()
    for (const l of log) {
      const key = `${l.job_id}/${l.step}`
      if (l.code === 'started') {
        // No step that finished is started again.
        expect(stepFinishes.get(key) ?? 0, `${key} started after it finished`).toBe(0)
        starts.set(key, (starts.get(key) ?? 0) + 1)
      }
      if (l.code && FINISHED.includes(l.code)) stepFinishes.set(key, (stepFinishes.get(key) ?? 0) + 1)
      if (l.code === 'finishedJob' || l.code === 'finishedJobFallback') finishedJob.set(l.job_id, (finishedJob.get(l.job_id) ?? 0) + 1)
    }
    // Every job not cancelled completed exactly once, each of its steps finished exactly once.
    for (const id of ids) {
      if (id === cancelledPending || id === cancelledRunning) {
        expect(finishedJob.get(id), id).toBeUndefined()
        continue
      }
      expect(finishedJob.get(id), id).toBe(1)
      for (const step of STEPS) expect(stepFinishes.get(`${id}/${step}`), `${id}/${step}`).toBe(1)
    }
    // The pending job cancelled was never started; the running one never reached its last step.
    expect(log.filter((l) => l.job_id === cancelledPending && l.code === 'started')).toEqual([])
    expect(stepFinishes.get(`${cancelledRunning}/video`)).toBeUndefined()

    // Provider calls: one per step completed, by its provider; none for a run the fence refused.
    const byProvider = async (sql: string) => new Map((await farm.user.pool.query<{ provider: string; n: number }>(sql)).rows.map((r) => [r.provider, r.n]))
    const calls = await byProvider('SELECT provider, count(*)::int AS n FROM provider_calls WHERE ok GROUP BY provider')
    const completedSteps = await byProvider("SELECT provider, count(*)::int AS n FROM steps WHERE status = 'completed' AND provider IS NOT NULL GROUP BY provider")
    expect(calls).toEqual(completedSteps)
    expect([...calls.values()].reduce((n, v) => n + v, 0)).toBeGreaterThanOrEqual((JOBS - 2) * 3)

    // The killed worker's job resumed at its first unfinished step: the ones before it ran once, on A.
    const killed = await jobState(farm.user.pool, killedJob)
    for (const step of finishedAtKill) {
      expect(starts.get(`${killedJob}/${step}`), step).toBe(1)
      expect(killed.steps.find((s) => s.name === step)).toMatchObject({ status: 'completed', attempts: 1, worker: idA })
    }
    expect(starts.get(`${killedJob}/${firstUnfinished}`)).toBe(2)
    expect(killed.steps.find((s) => s.name === firstUnfinished)!.worker).not.toBe(idA)
    expect(log.filter((l) => l.job_id === killedJob && l.code === 'workerLost')).toHaveLength(1)

    // The stopped worker's late write was refused: its job's video is another worker's, finished
    // once, and B never reported that job finished.
    const stopped = await jobState(farm.user.pool, stoppedJob)
    expect(stopped.steps.at(-1)).toMatchObject({ name: 'video', status: 'completed' })
    expect(stopped.steps.at(-1)!.worker).not.toBe(idB)
    expect(starts.get(`${stoppedJob}/video`)).toBe(2)
    expect(b.events.filter((e) => e.type === 'job.finished').map((e) => (e.job as { id: string }).id)).not.toContain(stoppedJob)

    // The moved job was claimed before those that were ahead of it. A claim already under way on
    // another worker when the move committed still saw the old order: at most one per other worker.
    const firstStart = new Map<string, number>()
    for (const l of log) if (l.code === 'started' && !firstStart.has(l.job_id)) firstStart.set(l.job_id, l.id)
    const movedAt = firstStart.get(moved)!
    expect(movedAt).toBeDefined()
    const claimedBefore = wasAhead.filter((id) => (firstStart.get(id) ?? Infinity) < movedAt)
    expect(claimedBefore.length, `claimed before the moved job: ${claimedBefore.join(', ')}`).toBeLessThan(3)

    // B carried on after its refused write: still running, it finished other jobs since.
    expect(b.child.exitCode).toBeNull()
    expect(finishedOn(b)).toBeGreaterThan(finishedByBBefore)
    console.log(`worker torture: ${JOBS} jobs in ${((Date.now() - began) / 1000).toFixed(1)} s`)
  }, 600_000)
})
