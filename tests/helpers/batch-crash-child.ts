/** A real engine with the batch manager running in its own process, until the parent SIGKILLs it. */
import { BatchManager } from '../../src/main/engine/batch/manager'
import { openTestEngine } from './engine'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: batch-crash-child <dataDir>')
const engine = openTestEngine({ concurrency: 2, timings: { leaseMs: 60_000, pollMs: 25, reclaimEveryMs: 100, progressIntervalMs: 100 } }, dataDir)
const batches = new BatchManager(engine)
batches.start()
engine.pool.start()
process.stdout.write('ready\n')
setInterval(() => {}, 1000)
