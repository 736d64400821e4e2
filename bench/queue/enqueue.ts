/**
 * Bulk enqueue alone: N no-op jobs through queue.enqueueMany (one transaction) into a fresh engine
 * on a fresh temp folder, as bench/queue/run.ts does, printing jobs/s and CPU µs per job (user +
 * system of this process during the call). One measurement per process, so that runs of two trees
 * can be interleaved by the caller with nothing warm carried over:
 *
 *   node --import tsx bench/queue/enqueue.ts [--n 2000] [--label ours]
 *
 * It prints one JSON line; it asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openNoopEngine, payload } from './noop-engine'

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' }, label: { type: 'string', default: 'ours' } } })
const n = Number(values.n)
const dataDir = mkdtempSync(join(tmpdir(), 'enqueue-bench-'))
try {
  const engine = openNoopEngine(dataDir, 2)
  const requests = Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) }))
  const cpu = process.cpuUsage()
  const t = performance.now()
  engine.queue.enqueueMany(requests)
  const ms = performance.now() - t
  const used = process.cpuUsage(cpu)
  await engine.close()
  const cpuUsPerJob = (used.user + used.system) / n
  console.log(JSON.stringify({ label: values.label, n, jobsPerS: Math.round(n / (ms / 1000)), cpuUsPerJob: Number(cpuUsPerJob.toFixed(2)) }))
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
