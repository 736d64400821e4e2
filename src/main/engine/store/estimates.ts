import { prep, type Db } from './database'

/** A queued or running job, as the ETA lays the queue out. */
export interface WaitingJob {
  id: string
  type: string
  status: 'processing' | 'pending'
  /** Not claimed before this time (a retry backoff, an open circuit). */
  runAfter: number
  pauseRequested: boolean
}

/** A step not finished yet of a queued or running job. */
export interface StepLeft {
  jobId: string
  name: string
  status: string
  progress: number
  startedAt: number | null
}

/**
 * What estimates read from past and present work: how long steps took lately, what is left to
 * run, and what finished steps left behind (fallbacks reuse it). Read-only, aggregates only.
 * Synchronous on SQLite; on a network database every method returns a promise (the ETA is
 * recomputed every few seconds, so it can await them).
 */
export interface EstimateStore {
  /** Mean duration of the last `sample` completed runs of each step name (fallback runs excluded). */
  typicalStepMs(sample: number): Map<string, number>
  /** Pending and processing jobs, running ones first, then in claim order. */
  waitingJobs(): WaitingJob[]
  /** Their unfinished steps, by job then in order. */
  stepsLeft(): StepLeft[]
  /** Rows of running batches not queued yet, by batch, with the batch config (JSON text). */
  waitingBatchRows(): Array<{ config: string; rows: number }>
  /**
   * Mean time of the last 50 runs of a step kind (`segment` covers every `segment:<scene>`),
   * null when none ran yet.
   */
  averageStepMs(kind: string): number | null
  /** The files of the newest finished runs of a step (at most 20, newest first). */
  latestStepFiles(stepName: string): Array<Record<string, string>>
}

export class SqliteEstimateStore implements EstimateStore {
  constructor(private readonly db: Db) {}

  typicalStepMs(sample: number): Map<string, number> {
    const typical = new Map<string, number>()
    for (const r of prep<[number], { name: string; avg: number }>(
      this.db,
      `SELECT name, AVG(duration_ms) AS avg FROM (
         SELECT name, duration_ms, ROW_NUMBER() OVER (PARTITION BY name ORDER BY completed_at DESC) AS rn
         FROM steps WHERE status = 'completed' AND duration_ms IS NOT NULL AND fallback = 0)
       WHERE rn <= ? GROUP BY name`
    ).all(sample)) {
      typical.set(r.name, r.avg)
    }
    return typical
  }

  waitingJobs(): WaitingJob[] {
    return prep<[], { id: string; type: string; status: 'processing' | 'pending'; run_after: number; pause_requested: number }>(
      this.db,
      `SELECT id, type, status, run_after, pause_requested FROM jobs WHERE status IN ('processing','pending')
       ORDER BY status = 'pending', priority, position`
    )
      .all()
      .map((j) => ({ id: j.id, type: j.type, status: j.status, runAfter: j.run_after, pauseRequested: j.pause_requested === 1 }))
  }

  stepsLeft(): StepLeft[] {
    return prep<[], { job_id: string; name: string; status: string; progress: number; started_at: number | null }>(
      this.db,
      `SELECT s.job_id, s.name, s.status, s.progress, s.started_at FROM steps s JOIN jobs j ON j.seq = s.job_seq
       WHERE j.status IN ('processing','pending') AND s.status != 'completed' ORDER BY s.job_id, s.idx`
    )
      .all()
      .map((s) => ({ jobId: s.job_id, name: s.name, status: s.status, progress: s.progress, startedAt: s.started_at }))
  }

  waitingBatchRows(): Array<{ config: string; rows: number }> {
    return prep<[], { config: string; rows: number }>(
      this.db,
      `SELECT b.config, (SELECT COUNT(*) FROM batch_rows r WHERE r.batch_id = b.id AND r.state = 'ready') AS rows
       FROM batches b WHERE b.status = 'running'`
    ).all()
  }

  averageStepMs(kind: string): number | null {
    // A range on the name uses its index.
    const row = prep<[string, string, string], { avg: number | null }>(
      this.db,
      `SELECT AVG(duration_ms) AS avg FROM (
         SELECT duration_ms FROM steps
         WHERE status = 'completed' AND (name = ? OR (name >= ? AND name < ?)) AND duration_ms IS NOT NULL
         ORDER BY completed_at DESC LIMIT 50)`
    ).get(kind, `${kind}:`, `${kind};`)
    return row?.avg ?? null
  }

  latestStepFiles(stepName: string): Array<Record<string, string>> {
    return prep<[string], { files: string }>(
      this.db,
      "SELECT files FROM steps WHERE name = ? AND status = 'completed' AND files IS NOT NULL ORDER BY completed_at DESC LIMIT 20"
    )
      .all(stepName)
      .map((r) => JSON.parse(r.files) as Record<string, string>)
  }
}
