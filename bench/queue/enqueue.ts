/**
 * Bulk enqueue alone: N no-op jobs through queue.enqueueMany (one transaction) into a fresh engine
 * on a fresh temp folder, as bench/queue/run.ts does, printing jobs/s and CPU µs per job (user +
 * system of this process during the call, and of the calling thread alone). One measurement per process, so that runs of two trees
 * can be interleaved by the caller with nothing warm carried over:
 *
 *   node --import tsx bench/queue/enqueue.ts [--n 2000] [--label ours]
 *
 * It prints one JSON line; it asserts nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openNoopEngine, payload } from './noop-engine'

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' }, label: { type: 'string', default: 'ours' } } })
const n = Number(values.n)

/**
 * CPU time of this thread alone in ns (Linux schedstat), or null elsewhere. The process's figure
 * counts the JIT's and GC's helper threads, which run beside the call on another core; this one
 * is the time the call itself held the thread, which bounds jobs/s on a quiet machine.
 */
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`
function threadNs(): number | null {
  return existsSync(SCHEDSTAT) ? Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) : null
}
const dataDir = mkdtempSync(join(tmpdir(), 'enqueue-bench-'))
try {
  const engine = openNoopEngine(dataDir, 2)
  const requests = Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) }))
  const thread = threadNs()
  const cpu = process.cpuUsage()
  const t = performance.now()
  engine.queue.enqueueMany(requests)
  const ms = performance.now() - t
  const used = process.cpuUsage(cpu)
  const threadUsed = thread === null ? null : threadNs()! - thread
  await engine.close()
  const cpuUsPerJob = (used.user + used.system) / n
  console.log(
    JSON.stringify({
      label: values.label,
      n,
      jobsPerS: Math.round(n / (ms / 1000)),
      cpuUsPerJob: Number(cpuUsPerJob.toFixed(2)),
      threadCpuUsPerJob: threadUsed === null ? null : Number((threadUsed / 1000 / n).toFixed(2))
    })
  )
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
