/**
 * Where a farm worker's time per no-op job goes: one FarmWorker (as engine.ts's children run it,
 * concurrency 1, in this process) drains `n` no-op jobs, and every statement its connections send
 * is counted and timed from the call to its reply (pg.Client.prototype.query wrapped for the run:
 * measurement only, the statements are the worker's own). Prints statements per job and ms per
 * job for each, and what is left for the engine's own code. Asserts nothing.
 *
 *   node --import tsx bench/farm/engine-statements.ts [--url postgres://…] [--n 300]
 * The URL names a server (a database of its own is created and dropped); without it a private
 * cluster is started (scripts/test-postgres.sh) and stopped at the end.
 */
import { mkdtempSync } from 'node:fs'
import { cpus, hostname, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { EventBus } from '../../src/main/engine/events'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { FarmWorker } from '../../src/main/engine/farm/worker'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { benchPipelines } from './engine-pipelines'
import { benchDatabase } from './database'

const { values } = parseArgs({ options: { url: { type: 'string' }, n: { type: 'string', default: '300' } } })
const N = Number(values.n)

const counts = new Map<string, { n: number; ms: number }>()
let counting = false
const original = pg.Client.prototype.query as (...args: unknown[]) => unknown
;(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string }
  const text = typeof first === 'string' ? first : first?.text
  const t = performance.now()
  const reply = original.apply(this, args)
  if (counting && reply instanceof Promise) {
    // Savepoint names carry a counter, and statements sent together carry their values as
    // literals (E'…' or '…'): one line for all of each kind. A message of several statements is
    // one line, named by the kinds of statement it holds.
    const flat = String(text).replace(/\s+/g, ' ').replace(/sp_\d+/g, 'sp_N').replace(/E?'(?:[^']|'')*'/g, '?')
    const key = flat.includes(';') ? `one message: ${flat.split(';').map((part) => part.trim().slice(0, 28)).join(' ; ')}` : flat.slice(0, 100)
    reply.then(
      () => {
        const c = counts.get(key) ?? { n: 0, ms: 0 }
        c.n++
        c.ms += performance.now() - t
        counts.set(key, c)
      },
      () => undefined
    )
  }
  return reply
}

const database = await benchDatabase(values.url)
const url = database.url
const pool = new pg.Pool({ connectionString: url, max: 2 })
try {
  await farmInit(url)
  const dataDir = mkdtempSync(join(tmpdir(), 'studio-bench-farm-'))
  const store = new PgJobStore({ pool, events: new EventBus(), pipelines: benchPipelines(() => undefined), dataDir, artifactsRoot: join(dataDir, 'jobs'), stepNeeds })
  let done = 0
  let finish: () => void = () => undefined
  const worker = new FarmWorker({
    url,
    dataDir,
    localDir: mkdtempSync(join(tmpdir(), 'studio-bench-farm-worker-')),
    capabilities: { host: hostname(), platform: process.platform, cpus: cpus().length, ffmpeg: { ok: false, reason: 'not probed by the bench' }, speechEngine: null, providers: [], keys: [], gpus: [], has: [] },
    concurrency: 1,
    pipelines: benchPipelines(() => undefined),
    onFinished: () => {
      if (++done === N) finish()
    }
  })
  await worker.start()
  try {
    const all = new Promise<void>((r) => (finish = r))
    // Counted from after the enqueue: the worker's statements, not the enqueue's.
    await store.enqueueMany(Array.from({ length: N }, () => ({ type: 'noop', input: {} })))
    counting = true
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    await all
    const perJob = (performance.now() - t0) / N
    const cpu = process.cpuUsage(cpu0)
    counting = false
    console.log(
      `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; one worker, ${N} no-op jobs: ${(1000 / perJob).toFixed(1)} jobs/s, ${perJob.toFixed(2)} ms per job, ` +
        `the worker's CPU ${((cpu.user + cpu.system) / N).toFixed(0)} µs per job`
    )
    let sql = 0
    for (const [text, c] of [...counts].sort((a, b) => b[1].ms - a[1].ms)) {
      sql += c.ms / N
      if (c.n / N >= 0.01) console.log(`  ${(c.n / N).toFixed(2)}/job  ${(c.ms / N).toFixed(2)} ms/job  ${text}`)
    }
    console.log(`  statements' time ${sql.toFixed(2)} ms/job (a claim's may overlap the previous job's end); left for the engine's code ${(perJob - sql).toFixed(2)} ms/job`)
  } finally {
    await worker.stop(0)
  }
} finally {
  await pool.end()
  await database.close()
}
