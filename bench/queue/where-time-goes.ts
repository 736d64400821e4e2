/**
 * Where our engine spends its time on no-op jobs: each SQL statement's wall time per job, the
 * commits, and what is left for the engine's own JavaScript (events, runner, promises, GC).
 *
 *   node --import tsx bench/queue/where-time-goes.ts [--n 10000] [--concurrency 2]
 *
 * better-sqlite3's statement methods are wrapped to time each call (outermost only: a statement
 * run inside another is counted in its caller's figure). The wrapping adds a little to every
 * call, so the totals are slightly above what bench/queue/run.ts measures. It prints figures; it
 * asserts nothing.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openNoopEngine, payload } from './noop-engine'

const { values } = parseArgs({ options: { n: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '2' } } })
const n = Number(values.n)
const concurrency = Number(values.concurrency)

const spent = new Map<string, { ns: number; calls: number }>()
let depth = 0

type Method = (this: Database.Statement, ...args: unknown[]) => unknown
const statementProto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<string, Method>
for (const method of ['run', 'get', 'all'] as const) {
  const original = statementProto[method]!
  statementProto[method] = function (this: Database.Statement, ...args: unknown[]) {
    if (depth > 0) return original.apply(this, args)
    depth++
    const start = process.hrtime.bigint()
    try {
      return original.apply(this, args)
    } finally {
      depth--
      const key = this.source.replace(/\s+/g, ' ').trim().slice(0, 100)
      const entry = spent.get(key) ?? { ns: 0, calls: 0 }
      entry.ns += Number(process.hrtime.bigint() - start)
      entry.calls++
      spent.set(key, entry)
    }
  }
}

/**
 * CPU ticks (1/100 s) used so far by this process's main thread and by its other threads (V8's
 * optimizing compiler and garbage collector helpers, libuv's pool), from /proc; null elsewhere.
 * process.cpuUsage() counts both: at 1000 jobs the compiler threads are a third of it.
 */
function threadTicks(): { main: number; other: number } | null {
  try {
    let main = 0
    let other = 0
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const ticks = Number(fields[11]) + Number(fields[12])
      if (tid === String(process.pid)) main += ticks
      else other += ticks
    }
    return { main, other }
  } catch {
    return null
  }
}

const dir = mkdtempSync(join(tmpdir(), 'where-time-goes-'))
try {
  const engine = openNoopEngine(dir, concurrency)
  engine.queue.enqueueMany(Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) })))
  spent.clear()
  const ticks = threadTicks()
  const cpu = process.cpuUsage()
  const started = performance.now()
  engine.pool.start()
  await engine.pool.whenIdle()
  const wallUs = ((performance.now() - started) * 1000) / n
  const used = process.cpuUsage(cpu)
  const ticksAfter = threadTicks()
  await engine.close()

  console.log(`${n} no-op jobs, concurrency ${concurrency}: ${Math.round(1e6 / wallUs).toLocaleString('en-US')} jobs/s`)
  console.log(`per job: ${wallUs.toFixed(1)} us wall, ${((used.user + used.system) / n).toFixed(1)} us CPU`)
  if (ticks && ticksAfter) {
    const perJob = (t: number) => ((t * 10_000) / n).toFixed(0)
    console.log(
      `  of which main thread ${perJob(ticksAfter.main - ticks.main)} us, other threads (V8 compiler, GC helpers) ${perJob(ticksAfter.other - ticks.other)} us (10 ms ticks)`
    )
  }
  console.log('')
  console.log('us/job   calls/job  statement')
  let sqlUs = 0
  for (const [sql, { ns, calls }] of [...spent].sort((a, b) => b[1].ns - a[1].ns)) {
    const us = ns / 1000 / n
    sqlUs += us
    if (us >= 0.05) console.log(`${us.toFixed(1).padStart(6)}   ${(calls / n).toFixed(2).padStart(9)}  ${sql}`)
  }
  console.log(`${sqlUs.toFixed(1).padStart(6)}              all SQL (statements and commits)`)
  console.log(`${(wallUs - sqlUs).toFixed(1).padStart(6)}              the rest: the engine's JavaScript, GC, the event loop`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
