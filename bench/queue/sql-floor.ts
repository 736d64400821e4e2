/**
 * The SQL floor of our schema: the writes one no-op job needs (claim with a lease, step started,
 * log line, step done with its output, log line, job completed behind its fence), issued straight
 * to better-sqlite3 on the engine's own database, `group` jobs per transaction — as many as run at
 * once — and each group's completions sharing the transaction that claims the next group. No
 * engine around it: no events, no runner, no promises. It is a ceiling for the engine at this
 * concurrency, not a queue anyone could use; it shows what the schema itself costs per job.
 */
import { randomUUID } from 'node:crypto'
import { EventBus } from '../../src/main/engine/events'
import type { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import { Queue } from '../../src/main/engine/queue/queue'
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
  let t = performance.now()
  queue.enqueueMany(inputs.map((input) => ({ type: 'noop', input })))
  const enqueueMs = performance.now() - t
  if (!durable) db.pragma('synchronous = NORMAL')

  const claim = db.prepare<[Record<string, unknown>], { id: string }>(
    `UPDATE jobs SET status = 'processing', lease_token = @token, lease_owner = 'floor', lease_expires_at = @expires,
       started_at = @now, current_step = 'noop', updated_at = @now
     WHERE id = (SELECT id FROM jobs WHERE status = 'pending' AND run_after <= @now ORDER BY priority, position LIMIT 1)
     RETURNING id`
  )
  const started = db.prepare("UPDATE steps SET status = 'running', attempts = attempts + 1, started_at = ? WHERE job_id = ? AND idx = 0")
  const log = db.prepare("INSERT INTO job_logs (job_id, ts, level, step, message) VALUES (?, ?, 'info', 'noop', ?)")
  const stepDone = db.prepare(
    "UPDATE steps SET status = 'completed', progress = 100, output = 'null', files = '{}', completed_at = ?, duration_ms = 0 WHERE job_id = ? AND idx = 0"
  )
  const jobDone = db.prepare<[Record<string, unknown>], { id: string }>(
    `UPDATE jobs SET status = 'completed', progress = 100, current_step = NULL, result = '{}', completed_at = @now,
       lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
     WHERE id = @id AND lease_token = @token AND status = 'processing' RETURNING id`
  )
  const turn = db.transaction((finishing: Array<{ id: string; token: string }>) => {
    const now = Date.now()
    for (const j of finishing) {
      stepDone.run(now, j.id)
      log.run(j.id, now, 'finished noop in 0 ms; job completed')
      jobDone.get({ now, id: j.id, token: j.token })
    }
    const next: Array<{ id: string; token: string }> = []
    for (let k = 0; k < group; k++) {
      const token = randomUUID()
      const row = claim.get({ token, expires: now + 30_000, now })
      if (!row) break
      started.run(now, row.id)
      log.run(row.id, now, 'started noop (attempt 1/3)')
      next.push({ id: row.id, token })
    }
    return next
  })

  const cpu = process.cpuUsage()
  t = performance.now()
  let running = turn.immediate([])
  while (running.length) running = turn.immediate(running)
  const processMs = performance.now() - t
  const used = process.cpuUsage(cpu)
  const processed = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status = 'completed'").get()!.n
  db.close()
  return { enqueueMs, processMs, cpuMs: (used.user + used.system) / 1000, processed }
}
