/**
 * One farm worker process for tests/farm/farm-limits.test.ts: the farm worker engine (FarmWorker,
 * as `studio farm worker` runs it) with one pipeline, `provider-call`, whose first step occupies
 * the `music` resource and calls a local fake provider over HTTP (the test's server records when
 * each call arrives, and from which worker), then a quick `cpu` step. It talks to its parent over
 * the fork channel: `ready` with its worker id once listening; `laned?` is answered with whether
 * this worker holds a resource to the farm's limit (it has heard of it); `stop` ends it gracefully.
 *
 *   forked with argv: <url> <shared data folder> <own folder> <concurrency> <timings JSON>
 */
import { cpus, hostname } from 'node:os'
import { FarmWorker } from '../../src/main/engine/farm/worker'
import type { StudioServices } from '../../src/main/engine/services'
import { limitTestPipelines } from './farm-limits-pipelines'

const [url, dataDir, localDir, concurrency, timings] = process.argv.slice(2)
if (!url || !dataDir || !localDir || !concurrency || !timings || !process.send) throw new Error('farm-limits-child: forked with <url> <dataDir> <localDir> <concurrency> <timings>')

const worker = new FarmWorker({
  url,
  dataDir,
  localDir,
  // `music` steps need the `music` capability (capabilities.ts's stepNeeds): this worker says it has it.
  capabilities: { host: hostname(), platform: process.platform, cpus: cpus().length, ffmpeg: { ok: false, reason: 'not probed by this test' }, speechEngine: null, providers: [], keys: [], gpus: [], has: ['music'] },
  concurrency: Number(concurrency),
  timings: JSON.parse(timings) as object,
  pipelines: limitTestPipelines<StudioServices>(`${process.pid}`),
  version: 'test',
  log: (line) => console.error(`farm-limits-child ${process.pid}: ${line}`)
})

process.on('message', (m: { type?: string; resource?: string }) => {
  if (m?.type === 'laned?') return void process.send!({ type: 'laned', resource: m.resource, laned: worker.limiter.isLaned(m.resource ?? '') })
  if (m?.type !== 'stop') return
  worker.stop(30_000).then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err)
      process.exit(1)
    }
  )
})

// Node loads its HTTP client at the first fetch (a good 100 ms on a loaded machine): done before
// any step, so that what the provider measures is the farm's spacing, not this process's start.
await fetch('http://127.0.0.1:9/').catch(() => undefined)
await worker.start()
process.send({ type: 'ready', id: worker.id })
