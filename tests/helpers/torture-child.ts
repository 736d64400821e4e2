/**
 * The whole studio (built-in pipelines, batch manager) in its own process on the given data
 * folder, until the parent SIGKILLs it: no cleanup of any kind runs. The providers it uses are
 * whatever the parent saved in the folder's settings. Prints "ready" once work has started.
 *
 * A lease far longer than any kill interval: a job is taken back because its owner's process
 * is gone (recognised at once), never because a slow step outlived its lease.
 */
import { openStudio } from '../../src/main/engine/studio'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: torture-child <dataDir>')
const studio = openStudio({
  dataDir,
  concurrency: 2,
  env: { STUDIO_TEST_KEY: 'sk-test-torture' },
  timings: { leaseMs: 60_000, pollMs: 25, reclaimEveryMs: 100, progressIntervalMs: 100 },
  backoff: { baseMs: 20, maxMs: 200 },
  breaker: { failureThreshold: 3, cooldownMs: 150, maxCooldownMs: 600 }
})
studio.startWork()
process.stdout.write('ready\n')
setInterval(() => {}, 1000)
