/**
 * The SQL floor of our schema: the writes one no-op job needs (claim with a lease, step started,
 * log line, step done with its output, log line, job completed behind its fence), issued straight
 * to better-sqlite3 on the engine's own database, `group` jobs per transaction — as many as run at
 * once — and each group's completions sharing the transaction that claims the next group. No
 * engine around it: no events, no runner, no promises. It is a ceiling for the engine at this
 * concurrency, not a queue anyone could use; it shows what the schema itself costs per job.
 */
import type Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { EventBus } from '../../src/main/engine/events'
import type { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import { SqliteJobStore as Queue } from '../../src/main/engine/store/jobs'
import { databaseFile } from '../../src/main/engine/engine'
import { openDatabase } from '../../src/main/engine/store/database'

export interface FloorResult {
  enqueueMs: number
  processMs: number
  cpuMs: number
  processed: number
}

export function runSqlFloor(
  dataDir: string,
  pipelines: PipelineRegistry<null>,
  inputs: ReadonlyArray<Record<string, unknown>>,
  group: number,
  durable: boolean
): FloorResult {
  const db = openDatabase(databaseFile(dataDir))
  const queue = new Queue({ db, events: new EventBus(), pipelines, artifactsRoot: dataDir })
  const t = performance.now()
  queue.enqueueMany(inputs.map((input) => ({ type: 'noop', input })))
  const enqueueMs = performance.now() - t
  if (!durable) db.pragma('synchronous = NORMAL')

  const claim = db.prepare<[Record<string, unknown>], { id: string; seq: number }>(
    `UPDATE jobs SET status = 'processing', lease_token = @token, lease_owner = 'floor', lease_expires_at = @expires,
       started_at = @now, current_step = 'noop', updated_at = @now
     WHERE rowid = (SELECT rowid FROM jobs WHERE status = 'pending' AND run_after <= @now ORDER BY priority, position LIMIT 1)
     RETURNING id, seq`
  )
  // Steps are keyed by the job's number (schema 16).
  const started = db.prepare("UPDATE steps SET status = 'running', attempts = attempts + 1, started_at = ? WHERE job_seq = ? AND idx = 0")
  // A line is its template's code and values (schema 15), as the engine stores it.
  const log = db.prepare<[number, string, string, string]>(
    "INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params) SELECT seq, id, ?, 'info', 'noop', '', ?, ? FROM jobs WHERE id = ?"
  )
  const stepDone = db.prepare(
    "UPDATE steps SET status = 'completed', progress = 100, output = 'null', files = '{}', completed_at = ?, duration_ms = 0 WHERE job_seq = ? AND idx = 0"
  )
  const jobDone = db.prepare<[Record<string, unknown>], { id: string }>(
    `UPDATE jobs SET status = 'completed', progress = 100, current_step = NULL, result = '{}', completed_at = @now,
       lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
     WHERE id = @id AND lease_token = @token AND status = 'processing' RETURNING id`
  )
  const { processMs, cpuMs } = runTurns<{ id: string; seq: number }>(db, group, {
    finish({ id, seq }, token, now) {
      stepDone.run(now, seq)
      log.run(now, 'finishedJob', '{"step":"noop","duration":"0 ms"}', id)
      if (!jobDone.get({ now, id, token })) throw new Error(`lease lost on job ${id}`)
    },
    claim(token, now) {
      const row = claim.get({ token, expires: now + 30_000, now })
      if (!row) return null
      started.run(now, row.seq)
      log.run(now, 'started', '{"step":"noop","attempt":1,"max":3}', row.id)
      return row
    }
  })
  const processed = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status = 'completed'").get()!.n
  db.close()
  return { enqueueMs, processMs, cpuMs, processed }
}

/**
 * The floors' driver: turns of one transaction each, in which the jobs claimed by the previous
 * turn finish and up to `group` next jobs are claimed (as a pool of `group` workers would, with
 * no time spent in the steps). Returns the wall and CPU time of all turns.
 */
export function runTurns<Id>(
  db: Database.Database,
  group: number,
  jobs: { finish(id: Id, token: string, now: number): void; claim(token: string, now: number): Id | null }
): { processMs: number; cpuMs: number } {
  const turn = db.transaction((finishing: Array<{ id: Id; token: string }>) => {
    const now = Date.now()
    for (const j of finishing) jobs.finish(j.id, j.token, now)
    const next: Array<{ id: Id; token: string }> = []
    for (let k = 0; k < group; k++) {
      const token = randomUUID()
      const id = jobs.claim(token, now)
      if (id === null) break
      next.push({ id, token })
    }
    return next
  })
  const cpu = process.cpuUsage()
  const t = performance.now()
  let running = turn.immediate([])
  while (running.length) running = turn.immediate(running)
  const processMs = performance.now() - t
  const used = process.cpuUsage(cpu)
  return { processMs, cpuMs: (used.user + used.system) / 1000 }
}
