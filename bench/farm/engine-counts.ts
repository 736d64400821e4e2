/**
 * What a no-op job costs the farm, counted: W = 1, 2 and 4 worker processes (engine-worker.ts, as
 * engine.ts runs them) drain `n` no-op jobs, each worker counting what it sends and hears
 * (engine-counting.ts): statements by kind, rows returned, claims and those that found nothing,
 * notifications by channel. Beside them, the database's own counts for the drain: rows inserted,
 * updated (and of those HOT) per table, from pg_stat_user_tables (read after the backends have
 * flushed their statistics), and the CPU of each process (cpu.ts). Per job, and per job per worker.
 * Prints figures, asserts nothing.
 *
 *   node --import tsx bench/farm/engine-counts.ts [--url postgres://…] [--n 1000] [--workers 1,2,4]
 */
import { mkdtempSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { EventBus } from '../../src/main/engine/events'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { benchPipelines } from './engine-pipelines'
import { EngineWorkers } from './engine-children'
import { benchDatabase } from './database'
import { cpuMark, cpuSince } from './cpu'

const { values } = parseArgs({ options: { url: { type: 'string' }, n: { type: 'string', default: '1000' }, workers: { type: 'string', default: '1,2,4' }, tables: { type: 'boolean', default: false }, sql: { type: 'string' }, reps: { type: 'string', default: '1' } } })
const N = Number(values.n)
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

type TableCounts = Map<string, { ins: number; upd: number; hot: number; del: number }>

async function tableCounts(pool: pg.Pool): Promise<TableCounts> {
  await pool.query('SELECT pg_stat_clear_snapshot()')
  const { rows } = await pool.query<{ relname: string; ins: string; upd: string; hot: string; del: string }>(
    `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_hot_upd AS hot, n_tup_del AS del FROM pg_stat_user_tables
     UNION ALL
     -- Index scans on jobs: entries read per scan show a claim walking past dead entries.
     SELECT 'index ' || indexrelname, idx_scan, idx_tup_read, idx_tup_fetch, 0 FROM pg_stat_user_indexes WHERE relname = 'jobs'`
  )
  return new Map(rows.map((r) => [r.relname, { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot), del: Number(r.del) }]))
}

/** Statistics reach pg_stat_user_tables when each backend flushes them: at most a second after a busy one's transaction, ten after it goes idle. */
async function settledCounts(pool: pg.Pool): Promise<TableCounts> {
  if (!values.tables) return new Map()
  await pause(11_000)
  return tableCounts(pool)
}

const database = await benchDatabase(values.url)
const url = database.url
const pool = new pg.Pool({ connectionString: url, max: 2 })
pool.on('error', () => undefined)
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
try {
  await farmInit(url)
  // An experiment on the schema (a trigger disabled, an index dropped), on this run's own database.
  if (values.sql) await pool.query(values.sql)
  const dataDir = mkdtempSync(join(tmpdir(), 'studio-bench-farm-'))
  const store = new PgJobStore({ pool, events: new EventBus(), pipelines: benchPipelines(() => undefined), dataDir, artifactsRoot: join(dataDir, 'jobs'), stepNeeds })
  for (const workers of Array.from({ length: Number(values.reps) }, () => values.workers.split(',').map(Number)).flat()) {
    const farm = await EngineWorkers.start(workers, url, dataDir, 120_000, { STUDIO_BENCH_COUNTS: '1' })
    try {
      await pool.query('DELETE FROM jobs')
      const warm = farm.completed(10 * workers, 120_000)
      await store.enqueueMany(Array.from({ length: 10 * workers }, () => ({ type: 'noop', input: {} })))
      await warm
      await pool.query('DELETE FROM jobs')
      const before = await settledCounts(pool)
      await farm.counts()
      const pids = [process.pid, ...farm.pids]
      const mark = await cpuMark(pool, pids)
      const t0 = performance.now()
      const finished = farm.completed(N, 600_000)
      await store.enqueueMany(Array.from({ length: N }, () => ({ type: 'noop', input: {} })))
      await finished
      const seconds = (performance.now() - t0) / 1000
      const cpu = await cpuSince(pool, mark, pids)
      const counts = await farm.counts()
      const after = await settledCounts(pool)
      console.log(`\n${workers} worker(s), ${N} no-op jobs: ${(N / seconds).toFixed(1)} jobs/s; CPU µs/job: clients ${Math.round((cpu.clientMs * 1000) / N)}, PostgreSQL ${Math.round((cpu.serverMs * 1000) / N)}`)
      if (values.tables) console.log('  rows per job (pg_stat_user_tables, the enqueue included), and scans of the jobs indexes:')
      for (const [table, a] of after) {
        const b = before.get(table) ?? { ins: 0, upd: 0, hot: 0, del: 0 }
        const d = { ins: a.ins - b.ins, upd: a.upd - b.upd, hot: a.hot - b.hot, del: a.del - b.del }
        if (d.ins + d.upd + d.del === 0) continue
        if (table.startsWith('index ')) {
          console.log(`    ${table.padEnd(28)} scans ${(d.ins / N).toFixed(2)}/job, entries read ${(d.upd / N).toFixed(2)}/job (${d.ins ? (d.upd / d.ins).toFixed(1) : '-'} a scan), rows fetched ${(d.hot / N).toFixed(2)}/job`)
          continue
        }
        console.log(`    ${table.padEnd(16)} inserted ${(d.ins / N).toFixed(2)}  updated ${(d.upd / N).toFixed(2)} (HOT ${(d.hot / N).toFixed(2)})  deleted ${(d.del / N).toFixed(2)}`)
      }
      counts.forEach((c, i) => {
        console.log(`  worker ${i + 1}: ${c.rows} rows returned (${(c.rows / N).toFixed(2)}/job), ${c.claims} claims (${c.emptyClaims} found nothing)`)
        for (const [k, n] of Object.entries(c.statements).sort((a, b) => b[1] - a[1])) console.log(`    ${(n / N).toFixed(3)}/job  ${n}  ${k}`)
        for (const [k, n] of Object.entries(c.notices).sort((a, b) => b[1] - a[1])) console.log(`    heard ${n}  ${k}`)
      })
    } finally {
      await farm.stop()
    }
  }
  console.log(`\nload average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
} finally {
  await pool.end()
  await database.close()
}
