/**
 * The farm feeds batches: a running batch's ready rows become jobs as the queue drains, on real
 * workers (`studio farm worker`, the built CLI) over a real PostgreSQL.
 *  - Two worker processes run a batch of rows to completion: every ready row gets exactly one job,
 *    a refused row none, every job completes, and the batch is recorded completed with its end.
 *  - Two feeders on two connection pools, feeding one batch at once over and over, give each ready
 *    row exactly one job (the batch's row is taken with SKIP LOCKED, the jobs written in the same
 *    transaction as the rows' marks), and never more open jobs than the window.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { EventBus } from '../../src/main/engine/events'
import { FarmBatchFeeder } from '../../src/main/engine/farm/batch-feeder'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { builtinPipelines } from '../../src/main/engine/pipelines/builtin'
import type { RowImport } from '../../src/main/engine/store/batches'
import { addFarmRows, insertFarmBatch, markFarmBatchImported, setFarmBatchStatus } from '../../src/main/engine/store/postgres/batches'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { endPool } from '../helpers/pg-pool'
import { startWorker, useFarm, waitFor, workerId } from '../helpers/farm-worker'

const farm = useFarm()

/** A text batch written to the farm as a creating machine does: `ready` rows (one refused), imported, running. */
async function writeBatch(pool: pg.Pool, ready: number, o: { running?: boolean } = {}): Promise<string> {
  const id = randomUUID()
  const now = Date.now()
  await insertFarmBatch(pool, {
    id,
    name: 'Ideas',
    sourceLabel: 'ideas.csv',
    sourceFile: 'ideas.csv',
    sheet: null,
    projectId: 'default',
    config: JSON.stringify({ pipeline: 'text' }),
    template: null,
    now
  })
  const rows: RowImport[] = []
  for (let n = 0; n < ready; n++) {
    rows.push({ rowNumber: n + 2, state: 'ready', input: { prompt: `Idea number ${n + 2}` }, error: null, priority: 10, cells: { prompt: `Idea number ${n + 2}` } })
  }
  rows.push({ rowNumber: ready + 2, state: 'invalid', input: null, error: `row ${ready + 2}: prompt: empty`, priority: 10, cells: { prompt: '' } })
  await addFarmRows(pool, id, rows, now)
  await markFarmBatchImported(pool, id, { totalRows: rows.length, format: 'csv', encoding: 'utf-8', delimiter: ',', now })
  if (o.running !== false) await setFarmBatchStatus(pool, id, 'running', { started: true }, now)
  return id
}

async function batchState(pool: pg.Pool, id: string) {
  const b = await pool.query<{ status: string; finished_at: string | null }>('SELECT status, finished_at FROM batches WHERE id = $1', [id])
  const rows = await pool.query<{ row_number: number; state: string; job_id: string | null }>('SELECT row_number, state, job_id FROM batch_rows WHERE batch_id = $1 ORDER BY row_number', [id])
  const jobs = await pool.query<{ id: string; status: string; title: string; payload: string }>('SELECT id, status, title, payload FROM jobs WHERE batch_id = $1', [id])
  return { status: b.rows[0]!.status, finishedAt: b.rows[0]!.finished_at, rows: rows.rows, jobs: jobs.rows }
}

describe('farm workers feed batches', () => {
  it('two worker processes run a batch to completion: one job per ready row, none for a refused one, the batch completed', async () => {
    const id = await writeBatch(farm.user.pool, 14)
    const a = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    const b = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(a, b)
    await Promise.all([workerId(a), workerId(b)])
    let mostOpen = 0
    const done = await waitFor(
      async () => {
        const s = await batchState(farm.user.pool, id)
        mostOpen = Math.max(mostOpen, s.jobs.filter((j) => j.status === 'pending' || j.status === 'processing' || j.status === 'paused').length)
        return s.status === 'completed' ? s : null
      },
      240_000,
      'the batch to complete',
      () => a.output() + b.output()
    )
    expect(done.finishedAt).not.toBeNull()
    expect(done.jobs).toHaveLength(14)
    expect(done.jobs.every((j) => j.status === 'completed')).toBe(true)
    const ready = done.rows.filter((r) => r.state !== 'invalid')
    expect(ready.every((r) => r.state === 'queued')).toBe(true)
    // Each row's own job: distinct ids, its input and its number in the title.
    expect(new Set(ready.map((r) => r.job_id)).size).toBe(14)
    for (const r of ready) {
      const job = done.jobs.find((j) => j.id === r.job_id)!
      expect(JSON.parse(job.payload)).toMatchObject({ prompt: `Idea number ${r.row_number}` })
      expect(job.title).toBe(`Idea number ${r.row_number} · #${r.row_number}`)
    }
    expect(done.rows.find((r) => r.state === 'invalid')!.job_id).toBeNull()
    // The window: twice the farm's slots (2 workers × 2), never the whole sheet at once.
    expect(mostOpen).toBeLessThanOrEqual(8)
    // Which worker ran which job is left to their claims: on a loaded machine one may take them all.
    // That two feeding at once give each row one job is the next test's.
  }, 300_000)

  it('feeders on two machines feeding one batch at once give each ready row exactly one job, within the window', async () => {
    const id = await writeBatch(farm.user.pool, 40)
    const pipelines = builtinPipelines()
    const machines = [0, 1].map(() => {
      const pool = new pg.Pool({ connectionString: farm.url, max: 6 })
      const jobs = new PgJobStore({ pool, events: new EventBus(), pipelines, dataDir: farm.dataDir, artifactsRoot: join(farm.dataDir, 'jobs'), stepNeeds })
      // No worker is live: the window is 2 × 15 slots × 1 = 30 open jobs.
      return { pool, feeder: new FarmBatchFeeder({ pool, jobs, pipelines, dataDir: farm.dataDir, slotsPerWorker: 15 }) }
    })
    try {
      const feeds = machines.flatMap((m) => Array.from({ length: 6 }, () => m.feeder.feed(id)))
      // Separate feeders of one machine share one run; the two machines race on the batch's row.
      await Promise.all(feeds)
      let s = await batchState(farm.user.pool, id)
      expect(s.jobs).toHaveLength(30)
      expect(s.rows.filter((r) => r.state === 'queued')).toHaveLength(30)
      // The queue drains: the jobs finish (as a worker would finish them), and the rest is fed.
      await farm.user.pool.query("UPDATE jobs SET status = 'completed', completed_at = $2 WHERE batch_id = $1", [id, Date.now()])
      await Promise.all(machines.flatMap((m) => [m.feeder.feed(id), m.feeder.feed(id), m.feeder.feedAll()]))
      s = await batchState(farm.user.pool, id)
      expect(s.jobs).toHaveLength(40)
      const linked = s.rows.filter((r) => r.state === 'queued').map((r) => r.job_id)
      expect(linked).toHaveLength(40)
      expect(new Set(linked).size).toBe(40)
      expect(new Set(s.jobs.map((j) => j.id))).toEqual(new Set(linked))
      expect(s.status).toBe('running')
      await farm.user.pool.query("UPDATE jobs SET status = 'completed', completed_at = $2 WHERE batch_id = $1", [id, Date.now()])
      const last = await Promise.all(machines.map((m) => m.feeder.feed(id)))
      expect(last.filter((o) => o.completed)).toHaveLength(1)
      s = await batchState(farm.user.pool, id)
      expect(s.status).toBe('completed')
      expect(s.finishedAt).not.toBeNull()
    } finally {
      for (const m of machines) {
        await m.feeder.close()
        await endPool(m.pool)
      }
    }
  }, 120_000)

  it('an idle batch is not fed', async () => {
    const id = await writeBatch(farm.user.pool, 3, { running: false })
    const pool = new pg.Pool({ connectionString: farm.url, max: 2 })
    const pipelines = builtinPipelines()
    const jobs = new PgJobStore({ pool, events: new EventBus(), pipelines, dataDir: farm.dataDir, artifactsRoot: join(farm.dataDir, 'jobs'), stepNeeds })
    const feeder = new FarmBatchFeeder({ pool, jobs, pipelines, dataDir: farm.dataDir, slotsPerWorker: 2 })
    try {
      expect(await feeder.feed(id)).toEqual({ queued: 0, completed: false })
      expect((await batchState(farm.user.pool, id)).jobs).toHaveLength(0)
    } finally {
      await feeder.close()
      await endPool(pool)
    }
  })
})
