/**
 * What a running batch costs the engine each time one of its jobs finishes: the batch is topped
 * up (its open jobs counted) and checked for completion; and what its dashboard view costs. Measured on batches of 1 000, 10 000
 * and 100 000 rows, against the row-by-row count those checks made before schema 7 (each batch
 * row joined to its job), run side by side on the same database. Prints figures only.
 *
 *   node --import tsx bench/batch/feed.ts [1000,10000,100000]
 */
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { BatchManager } from '../../src/main/engine/batch/manager'
import { Engine } from '../../src/main/engine/engine'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'

const sizes = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number)
const REPS = 200

/** The count a job's end ran before schema 7: every row of the batch joined to its job. */
const ROW_JOIN_COUNT = `SELECT COUNT(*) AS n FROM batch_rows r JOIN jobs j ON j.id = r.job_id
  WHERE r.batch_id = ? AND j.status IN ('pending','processing','paused')`

function timeUs(fn: () => void): number {
  for (let i = 0; i < 5; i++) fn()
  const start = performance.now()
  for (let i = 0; i < REPS; i++) fn()
  return ((performance.now() - start) * 1000) / REPS
}

async function measure(rows: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'batch-feed-'))
  try {
    const pipelines = new PipelineRegistry<null>().register({
      name: 'noop',
      title: 'No-op',
      input: z.object({ label: z.string() }),
      steps: [{ name: 'noop', title: 'No-op', resource: 'cpu', estimateMs: 1, run: async () => ({ data: null }) }]
    })
    const engine = new Engine<null>({ dataDir: dir, pipelines, services: null, concurrency: 2 })
    const batches = new BatchManager(engine)
    const csv = join(dir, 'rows.csv')
    writeFileSync(csv, ['idea,label', ...Array.from({ length: rows }, (_, i) => `idea ${i + 2},row ${i + 2}`)].join('\n') + '\n')
    const b = await batches.create({ source: { kind: 'file', path: csv }, config: { pipeline: 'noop', mapping: { label: 'label' } } })
    if (b.status !== 'idle') throw new Error(`the batch did not import (${b.status})`)
    batches.startBatch(b.id)
    // Most of the batch already done, as late in a long run: its rows linked to finished jobs.
    const done = Math.floor(rows * 0.9)
    engine.db.transaction(() => {
      const jobs = engine.queue.enqueueMany(Array.from({ length: done }, (_, i) => ({ type: 'noop', input: { label: `d${i}` }, batchId: b.id })))
      // Ready rows are consecutive (one priority, taken in sheet order): linked by number from the
      // first of them. Looking the first ready row up for each one scanned every ready row once
      // the index gained `priority`, and setting up 100 000 rows took hours.
      const first = (engine.db.prepare("SELECT MIN(row_number) AS n FROM batch_rows WHERE batch_id = ? AND state = 'ready'").get(b.id) as { n: number }).n
      const link = engine.db.prepare("UPDATE batch_rows SET state = 'queued', job_id = ? WHERE batch_id = ? AND row_number = ?")
      const finish = engine.db.prepare("UPDATE jobs SET status = 'completed', progress = 100, completed_at = ?, actual_duration_ms = 900 WHERE id = ?")
      jobs.forEach((job, i) => {
        link.run(job.id, b.id, first + i)
        finish.run(1_700_000_000_000 + i * 1_000, job.id) // one a second
      })
    })()

    const feed = timeUs(() => batches.feed(b.id))
    const viewStart = performance.now()
    for (let i = 0; i < 5; i++) batches.view(b.id)
    const viewMs = (performance.now() - viewStart) / 5
    const joinCount = engine.db.prepare<[string], { n: number }>(ROW_JOIN_COUNT)
    const before = timeUs(() => joinCount.get(b.id))
    console.log(
      `${rows.toLocaleString('en-US').padStart(8)} rows: per finished job ${feed.toFixed(0).padStart(4)} µs` +
        ` (the row-by-row count alone, before schema 7: ${before.toFixed(0).padStart(6)} µs);` +
        ` dashboard view ${viewMs.toFixed(0).padStart(5)} ms, rebuilt at most every ${Math.max(250, 5 * viewMs).toFixed(0)} ms while it runs`
    )
    batches.stop()
    await engine.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

console.log(`each figure: mean of ${REPS} calls on a batch of N rows, 90 % of them done`)
for (const rows of sizes) await measure(rows)
