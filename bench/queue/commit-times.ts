/**
 * How long each commit of our engine takes on no-op jobs, and the few longest: an automatic WAL
 * checkpoint runs inside the commit that takes the WAL past `wal_autocheckpoint` pages, on the
 * thread that commits, and that one commit syncs the WAL and the database file (bench/RESULTS.md,
 * "queue CPU, second pass": ~20–40 ms of a ~110 ms run of 1000 jobs at 2 at once).
 *
 *   node --import tsx bench/queue/commit-times.ts [--n 1000] [--concurrency 2,8] [--runs 3]
 *
 * better-sqlite3's COMMIT statement is wrapped to time each call. It prints figures; it asserts nothing.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { walFsyncs } from '../../src/main/engine/store/database'
import { openNoopEngine, payload } from './noop-engine'

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '2,8' }, runs: { type: 'string', default: '3' } } })
const n = Number(values.n)

const commits: number[] = []
type Run = (this: Database.Statement, ...args: unknown[]) => unknown
const statementProto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as { run: Run }
const run = statementProto.run
statementProto.run = function (this: Database.Statement, ...args: unknown[]) {
  if (this.source !== 'COMMIT') return run.apply(this, args)
  const start = process.hrtime.bigint()
  try {
    return run.apply(this, args)
  } finally {
    commits.push(Number(process.hrtime.bigint() - start) / 1000)
  }
}

for (const concurrency of values.concurrency!.split(',').map(Number)) {
  for (let r = 0; r < Number(values.runs); r++) {
    const dir = mkdtempSync(join(tmpdir(), 'commit-times-'))
    try {
      const engine = openNoopEngine(dir, concurrency)
      engine.queue.enqueueMany(Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) })))
      commits.length = 0
      const fsyncs = walFsyncs(engine.db)
      const started = performance.now()
      engine.pool.start()
      await engine.pool.whenIdle()
      const wallMs = performance.now() - started
      const flushed = walFsyncs(engine.db) - fsyncs
      await engine.close()
      const sorted = [...commits].sort((a, b) => b - a)
      const total = commits.reduce((a, b) => a + b, 0)
      const ms = (us: number) => (us / 1000).toFixed(1)
      console.log(
        `C=${concurrency} run ${r + 1}: ${wallMs.toFixed(0)} ms for ${n} jobs, ${commits.length} commits taking ${ms(total)} ms ` +
          `(median ${Math.round(sorted[sorted.length >> 1] ?? 0)} µs); longest ${sorted.slice(0, 4).map(ms).join(', ')} ms; WAL fsyncs off the thread ${flushed}`
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
