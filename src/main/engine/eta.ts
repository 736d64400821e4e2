import type { JobEta, QueueEta } from '../../shared/types'
import type { EstimateStore } from './store/estimates'

/** How many recent runs of a step make its typical duration. */
const SAMPLE = 20

/**
 * ETA per job and for the whole queue (what HandBrake will not give you): each remaining step
 * costs the average of its last runs (or the pipeline's first guess), a running step only its
 * unfinished share; then the queue is laid out on the pool's workers in claim order.
 * Per-resource limits are not modelled: with a saturated resource the figure is optimistic.
 * Paused jobs are not work to come (only pending and processing ones are read). A job held back by
 * a retry backoff or a provider's open circuit starts no earlier than its `run_after`: that is
 * when the pool may claim it again. (Later jobs are not moved ahead into the gap, so their times
 * may be a little late; simple beats exact for a figure that is recomputed every few seconds.)
 * While the whole queue is paused nothing new starts, so no end time exists: see `queuePaused`.
 */
export function estimateQueue(
  store: EstimateStore,
  options: {
    concurrency: number
    queuePaused: boolean
    now?: number
    defaultEstimate: (type: string, step: string) => number
    /** A pipeline's step names, in order (the work a batch row not queued yet will be). */
    stepsOf: (type: string) => readonly string[]
  }
): QueueEta {
  const now = options.now ?? Date.now()
  const typical = store.typicalStepMs(SAMPLE)
  const jobs = store.waitingJobs()
  const steps = store.stepsLeft()
  const remaining = new Map<string, number>()
  /** How many steps each job has left, a running one included, and what is left of the running one. */
  const currentLeft = new Map<string, number>()
  const stepsLeft = new Map<string, number>()
  const typeOf = new Map(jobs.map((j) => [j.id, j.type]))
  for (const s of steps) {
    const full = typical.get(s.name) ?? options.defaultEstimate(typeOf.get(s.jobId) ?? '', s.name)
    let left = full
    if (s.status === 'running') {
      const elapsed = s.startedAt ? now - s.startedAt : 0
      left = Math.max(full * (1 - s.progress / 100), full - elapsed, 0)
      currentLeft.set(s.jobId, left)
    }
    remaining.set(s.jobId, (remaining.get(s.jobId) ?? 0) + left)
    stepsLeft.set(s.jobId, (stepsLeft.get(s.jobId) ?? 0) + 1)
  }

  const workers: number[] = Array.from({ length: Math.max(1, options.concurrency) }, () => 0)
  const out: JobEta[] = []
  let total = 0
  for (const job of jobs) {
    const work = Math.round(remaining.get(job.id) ?? 0)
    let finish: number | null
    if (job.status === 'processing') {
      // Running jobs already hold a worker (more may run than `concurrency` after a settings change).
      // Under a queue pause, or its own pause request, a running job ends its current step and
      // leaves its worker (pool.shouldYield), so only one on its last step will actually finish;
      // the others hold their worker for that step alone.
      const stops = (options.queuePaused || job.pauseRequested) && (stepsLeft.get(job.id) ?? 0) > 1
      const i = workers.indexOf(Math.min(...workers))
      finish = stops ? null : work
      workers[i] = Math.max(workers[i]!, stops ? Math.round(currentLeft.get(job.id) ?? 0) : work)
    } else if (options.queuePaused) {
      // Nothing is claimed while the queue is paused: this job waits for a resume, not for time.
      finish = null
    } else {
      const i = workers.indexOf(Math.min(...workers))
      const start = Math.max(workers[i]!, job.runAfter - now, 0)
      finish = start + work
      workers[i] = finish
    }
    if (finish !== null) total = Math.max(total, finish)
    out.push({ jobId: job.id, remainingWorkMs: work, finishInMs: finish === null ? null : Math.round(finish) })
  }

  // Running batches feed the queue a few rows at a time: their other rows are work to come too,
  // laid out after the queued jobs (a queue of "4 jobs, 8 s" was 3 000 rows away from done).
  let batchRowsWaiting = 0
  const rowWork = (type: string) => options.stepsOf(type).reduce((sum, step) => sum + (typical.get(step) ?? options.defaultEstimate(type, step)), 0)
  for (const b of waitingBatchRows(store)) {
    batchRowsWaiting += b.rows
    if (options.queuePaused) continue
    const work = rowWork(b.pipeline)
    // Rows are alike: deal them to the workers in whole rounds instead of one by one.
    const rounds = Math.floor(b.rows / workers.length)
    for (let i = 0; i < workers.length; i++) workers[i]! += rounds * work
    for (let k = 0; k < b.rows % workers.length; k++) {
      const i = workers.indexOf(Math.min(...workers))
      workers[i]! += work
    }
    total = Math.max(total, ...workers)
  }
  const paused = options.queuePaused
  return { paused, totalMs: paused ? null : Math.round(total), concurrency: options.concurrency, jobs: out, batchRowsWaiting }
}

/** Rows of running batches not queued yet, by batch, with the pipeline they will run. */
function waitingBatchRows(store: EstimateStore): Array<{ pipeline: string; rows: number }> {
  return store
    .waitingBatchRows()
    .filter((b) => b.rows > 0)
    .map((b) => ({ pipeline: String((JSON.parse(b.config) as { pipeline?: unknown }).pipeline ?? ''), rows: b.rows }))
}
