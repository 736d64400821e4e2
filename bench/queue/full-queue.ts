/**
 * A studio data folder whose queue holds many video jobs, some of them interrupted mid-pipeline as
 * a kill -9 leaves them: processing, script and adapt done, audio running in its own work folder,
 * the lease expired a minute ago, the owner this process (dead by the time the folder is opened
 * again, when the caller runs this in a child process that then exits). Shared by the recovery and
 * memory benches. The jobs go in through the queue's own enqueueMany (one transaction); the
 * interruption is one more transaction of plain SQL.
 */
import { statSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { openStudio } from '../../src/main/engine/studio'

export interface FullQueue {
  enqueueMs: number
  interruptMs: number
  processing: number
  dbBytes: number
}

export async function buildFullQueue(dataDir: string, jobs: number, interrupted: number): Promise<FullQueue> {
  const studio = openStudio({ dataDir })
  const requests = Array.from({ length: jobs }, (_, i) => ({
    type: 'video',
    input: { idea: `Idea number ${i}: why the sea is salty`, language: i % 2 ? 'fr' : 'en' },
    priority: (i % 10) + 1
  }))
  let t = performance.now()
  studio.queue.enqueueMany(requests)
  const enqueueMs = performance.now() - t

  const now = Date.now()
  const owner = `${hostname()}:${process.pid}:deadbeef`
  const every = Math.max(1, Math.floor(jobs / Math.max(1, interrupted)))
  const db = studio.db
  t = performance.now()
  db.transaction(() => {
    const ids = db
      .prepare<[number, number], { id: string }>('SELECT id FROM jobs WHERE seq % ? = 0 ORDER BY seq LIMIT ?')
      .all(every, interrupted)
      .map((r) => r.id)
    const job = db.prepare(
      `UPDATE jobs SET status = 'processing', current_step = 'audio', progress = 40, lease_token = ?, lease_owner = ?,
         lease_expires_at = ?, started_at = ?, updated_at = ? WHERE id = ?`
    )
    const done = db.prepare(
      `UPDATE steps SET status = 'completed', attempts = 1, progress = 100, output = ?, started_at = ?, completed_at = ?,
         duration_ms = 1000 WHERE job_seq = (SELECT seq FROM jobs WHERE id = ?) AND idx < 2`
    )
    const running = db.prepare(
      "UPDATE steps SET status = 'running', attempts = 1, progress = 30, work_dir = ?, started_at = ? WHERE job_seq = (SELECT seq FROM jobs WHERE id = ?) AND idx = 2"
    )
    for (const id of ids) {
      job.run(`token-${id}`, owner, now - 60_000, now - 120_000, now - 60_000, id)
      done.run(JSON.stringify({ text: 'A script of a few hundred characters. '.repeat(8) }), now - 120_000, now - 100_000, id)
      running.run(join(dataDir, 'jobs', id, `audio-${id.slice(0, 8)}`), now - 90_000, id)
    }
  })()
  const interruptMs = performance.now() - t
  const processing = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status = 'processing'").get()!.n
  await studio.close(0)
  return { enqueueMs, interruptMs, processing, dbBytes: statSync(join(dataDir, 'studio.db')).size }
}
