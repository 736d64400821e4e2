/**
 * Runs a real engine in its own process on the given data dir until the parent kills it
 * (SIGKILL: no cleanup of any kind runs). Prints "ready" once the pool has started.
 */
import { openTestEngine } from './engine'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: crash-child <dataDir>')
const engine = openTestEngine({ concurrency: 2, timings: { leaseMs: 60_000, pollMs: 25, reclaimEveryMs: 100, progressIntervalMs: 100 } }, dataDir)
engine.pool.start()
process.stdout.write('ready\n')
setInterval(() => {}, 1000)
