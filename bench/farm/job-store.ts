/**
 * The farm's job store (PgJobStore) on a real PostgreSQL: bulk enqueue (one statement per call),
 * single enqueues, reading the queue's first 1000 rows, and a bulk cancel by status (a savepoint
 * per job). Prints figures, asserts nothing.
 *
 *   node --import tsx bench/farm/job-store.ts [--url postgres://…] [--n 20000]
 * The URL names a server: a database of its own is created for the run and dropped after. Without
 * --url it starts a private cluster (scripts/test-postgres.sh) and stops it at the end.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { z } from 'zod'
import { EventBus } from '../../src/main/engine/events'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { benchDatabase } from './database'

const { values } = parseArgs({ options: { url: { type: 'string' }, n: { type: 'string', default: '20000' } } })
const N = Number(values.n)

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6

async function main(): Promise<void> {
  const database = await benchDatabase(values.url)
  const url = database.url
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  try {
    await farmInit(url)
    // Three no-op steps, as the queue benches' jobs: the store's work, not a pipeline's.
    const pipelines = new PipelineRegistry<unknown>().register({
      name: 'noop',
      title: 'No-op',
      input: z.object({}).passthrough(),
      steps: ['a', 'b', 'c'].map((s) => ({ name: s, title: s, resource: 'cpu', estimateMs: 1, run: async () => ({ data: null }) }))
    })
    const dataDir = mkdtempSync(join(tmpdir(), 'studio-bench-farm-'))
    const store = new PgJobStore({ pool, events: new EventBus(), pipelines, dataDir, artifactsRoot: join(dataDir, 'jobs'), stepNeeds })
    const req = { type: 'noop', input: {} }

    let t0 = process.hrtime.bigint()
    for (let done = 0; done < N; done += 1000) await store.enqueueMany(Array.from({ length: Math.min(1000, N - done) }, () => req))
    const bulk = ms(t0)
    console.log(`bulk enqueue      ${N} jobs (3 steps each) in calls of 1000: ${Math.round(N / (bulk / 1000))} jobs/s`)

    const single: number[] = []
    for (let i = 0; i < 500; i++) {
      t0 = process.hrtime.bigint()
      await store.enqueue(req)
      single.push(ms(t0))
    }
    console.log(`single enqueue    p50 ${pct(single, 50).toFixed(2)} ms  p99 ${pct(single, 99).toFixed(2)} ms`)

    const reads: number[] = []
    for (let i = 0; i < 50; i++) {
      t0 = process.hrtime.bigint()
      await store.list({ limit: 1000 })
      reads.push(ms(t0))
    }
    console.log(`list 1000 of ${N + 500}  p50 ${pct(reads, 50).toFixed(2)} ms  p99 ${pct(reads, 99).toFixed(2)} ms`)

    const moves: number[] = []
    const ids = (await store.list({ limit: 100 })).map((j) => j.id)
    for (const id of ids) {
      t0 = process.hrtime.bigint()
      await store.move(id, 'bottom')
      moves.push(ms(t0))
    }
    console.log(`move to bottom    p50 ${pct(moves, 50).toFixed(2)} ms  p99 ${pct(moves, 99).toFixed(2)} ms (reads the whole queue's order)`)

    t0 = process.hrtime.bigint()
    const cancelled = await store.cancelMany({ status: 'pending' })
    const cancel = ms(t0)
    console.log(`cancelMany        ${cancelled.done} jobs in one transaction: ${Math.round(cancelled.done / (cancel / 1000))} jobs/s`)
  } finally {
    await pool.end()
    await database.close()
  }
}

await main()
