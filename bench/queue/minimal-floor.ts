/**
 * The SQL floor of *any* queue that keeps what issue 2 asks for, on the smallest schema that can
 * hold it: jobs with integer ids (sequential pages, as plainjob's), a priority + manual-order
 * index, a lease token that fences the completion, steps as rows of their own (clustered by job),
 * and a stored log line when a step starts and when it finishes. No other column or index, no
 * engine: `group` jobs per transaction, each group's completions sharing the transaction that
 * claims the next group. Whatever an engine adds (events, views, async steps, abort signals,
 * ETA) only slows it down from here, so this row bounds every design on this machine that commits
 * as SQLite does. Power-cut safe, it fsyncs inside each commit (synchronous=FULL): an engine that
 * flushes the WAL off its thread, as ours does for what is worth an fsync, is not bound by that.
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { runTurns, type FloorResult } from './sql-floor'

const SCHEMA = `
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY, status TEXT NOT NULL, priority INTEGER NOT NULL, position INTEGER NOT NULL,
    payload TEXT NOT NULL, lease_token TEXT, lease_expires_at INTEGER, current_step TEXT, result TEXT,
    started_at INTEGER, completed_at INTEGER);
  CREATE INDEX jobs_order ON jobs (status, priority, position);
  CREATE TABLE steps (
    job_id INTEGER NOT NULL, idx INTEGER NOT NULL, status TEXT NOT NULL, output TEXT,
    started_at INTEGER, completed_at INTEGER, PRIMARY KEY (job_id, idx)) WITHOUT ROWID;
  CREATE TABLE logs (id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, ts INTEGER NOT NULL, message TEXT NOT NULL);
  CREATE INDEX logs_by_job ON logs (job_id, id);`

export function runMinimalFloor(dir: string, inputs: ReadonlyArray<Record<string, unknown>>, group: number, durable: boolean): FloorResult {
  const db = new Database(join(dir, 'minimal.db'))
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`)
  db.exec(SCHEMA)

  const insertJob = db.prepare("INSERT INTO jobs (status, priority, position, payload) VALUES ('pending', 10, ?, ?)")
  const insertStep = db.prepare("INSERT INTO steps (job_id, idx, status) VALUES (?, 0, 'pending')")
  const t = performance.now()
  db.transaction(() => {
    inputs.forEach((input, i) => insertStep.run(insertJob.run(i, JSON.stringify(input)).lastInsertRowid))
  })()
  const enqueueMs = performance.now() - t

  const claim = db.prepare<[Record<string, unknown>], { id: number }>(
    `UPDATE jobs SET status = 'processing', lease_token = @token, lease_expires_at = @expires, started_at = @now, current_step = 'noop'
     WHERE id = (SELECT id FROM jobs WHERE status = 'pending' ORDER BY priority, position LIMIT 1) RETURNING id`
  )
  const started = db.prepare("UPDATE steps SET status = 'running', started_at = ? WHERE job_id = ? AND idx = 0")
  const log = db.prepare('INSERT INTO logs (job_id, ts, message) VALUES (?, ?, ?)')
  const stepDone = db.prepare("UPDATE steps SET status = 'completed', output = 'null', completed_at = ? WHERE job_id = ? AND idx = 0")
  const jobDone = db.prepare(
    `UPDATE jobs SET status = 'completed', current_step = NULL, result = '{}', completed_at = @now, lease_token = NULL, lease_expires_at = NULL
     WHERE id = @id AND lease_token = @token AND status = 'processing'`
  )
  const { processMs, cpuMs } = runTurns<number>(db, group, {
    finish(id, token, now) {
      stepDone.run(now, id)
      log.run(id, now, 'finished noop')
      if (jobDone.run({ now, id, token }).changes !== 1) throw new Error(`lease lost on job ${id}`)
    },
    claim(token, now) {
      const row = claim.get({ token, expires: now + 30_000, now })
      if (!row) return null
      started.run(now, row.id)
      log.run(row.id, now, 'started noop')
      return row.id
    }
  })
  const processed = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status = 'completed'").get()!.n
  db.close()
  return { enqueueMs, processMs, cpuMs, processed }
}
