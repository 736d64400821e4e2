/**
 * The process that runs our engine for the queue benchmarks: `cold` (one run of N no-op jobs, as
 * run.ts's "ours" row) or `warm` (several rounds of N in one process, the mean of the later half).
 * It prints one `RESULT {json}` line.
 *
 * The benchmarks run it as shipped: bundled by esbuild as scripts/build-cli.mjs bundles out/cli
 * (see shipped.ts), then started with plain `node`. `--dev` in run.ts, ab.ts and warm.ts starts
 * this file through tsx instead (the sources, each named function wrapped by tsx's `__name`).
 *
 *   node <built ours.mjs> --mode cold|warm [--variant shipped|power-safe] [--n 2000] [--concurrency 2] [--rounds 8]
 *
 * Bundled from another checkout too (ab.ts, run.ts --base): keep its imports to what every tree
 * has (noop-engine.ts and the store's commit counters).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { commitCounts, walFsyncs } from '../../src/main/engine/store/database'
import { openNoopEngine, payload } from './noop-engine'

type Variant = 'shipped' | 'power-safe'

async function cold(n: number, concurrency: number, variant: Variant): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'queue-bench-ours-'))
  try {
    const engine = openNoopEngine(dataDir, concurrency)
    const requests = Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) }))
    let t = performance.now()
    engine.queue.enqueueMany(requests)
    const enqueueMs = performance.now() - t

    if (variant === 'power-safe') {
      // Treat the no-op step like a paid one: its checkpoint is fsynced.
      const leases = engine.leases
      const complete = leases.completeStep.bind(leases)
      leases.completeStep = (lease, step, success, next) => complete(lease, step, { ...success, durable: true }, next)
    }

    const before = commitCounts(engine.db)
    const fsyncsBefore = walFsyncs(engine.db)
    const cpu = process.cpuUsage()
    t = performance.now()
    engine.pool.start()
    await engine.pool.whenIdle()
    const processMs = performance.now() - t
    const d = process.cpuUsage(cpu)
    const after = commitCounts(engine.db)
    const fsyncs = walFsyncs(engine.db) - fsyncsBefore

    const processed = engine.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status = 'completed'").get()!.n
    await engine.close()
    return {
      lib: 'ours',
      variant,
      n,
      concurrency,
      enqueueMs,
      enqueueHow: 'queue.enqueueMany (1 tx)',
      processMs,
      cpuMs: (d.user + d.system) / 1000,
      processed,
      commits: { durable: after.durable - before.durable, relaxed: after.relaxed - before.relaxed },
      fsyncs
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Rounds of N jobs in one process (a fresh engine and folder each, the same JIT): the steady cost. */
async function warm(n: number, concurrency: number, count: number): Promise<Record<string, unknown>> {
  const rounds: Array<{ cpuMs: number; processMs: number }> = []
  for (let round = 0; round < count; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'queue-warm-'))
    const engine = openNoopEngine(dir, concurrency)
    engine.queue.enqueueMany(Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) })))
    const cpu = process.cpuUsage()
    const t = performance.now()
    engine.pool.start()
    await engine.pool.whenIdle()
    const processMs = performance.now() - t
    const d = process.cpuUsage(cpu)
    rounds.push({ cpuMs: (d.user + d.system) / 1000, processMs })
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
  // The second half of the rounds: warm.
  const later = rounds.slice(Math.floor(rounds.length / 2))
  const mean = (pick: (r: (typeof rounds)[number]) => number) => later.reduce((a, r) => a + pick(r), 0) / later.length
  return { processMs: mean((r) => r.processMs), cpuMs: mean((r) => r.cpuMs), rounds }
}

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'cold' },
    variant: { type: 'string', default: 'shipped' },
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '8' }
  }
})
const n = Number(values.n)
const concurrency = Number(values.concurrency)
const result =
  values.mode === 'warm' ? await warm(n, concurrency, Number(values.rounds)) : await cold(n, concurrency, values.variant as Variant)
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
process.exit(0)
