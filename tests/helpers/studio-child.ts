/**
 * Runs the real studio (built-in pipelines, storyboards) in its own process on a data folder until
 * the parent kills it. Prints "ready" once the pool has started.
 */
import { openStudio } from '../../src/main/engine/studio'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: studio-child <dataDir>')
const studio = openStudio({ dataDir, concurrency: 2, timings: { leaseMs: 60_000, pollMs: 25, reclaimEveryMs: 100, progressIntervalMs: 100 } })
studio.startWork()
process.stdout.write('ready\n')
setInterval(() => {}, 1000)
