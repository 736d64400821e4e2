/**
 * One farm worker process for bench/farm/engine.ts: the farm worker engine (FarmWorker, as
 * `studio farm worker` runs it) with the bench's no-op and sleep pipelines, concurrency 1. It talks
 * to its parent over the fork channel: `ready` once listening, `start` when a step begins and `done`
 * when a job it took is stored as completed, each with the wall clock in ms (sub-ms, comparable
 * across processes on one machine); `stop` from the parent ends it.
 *
 *   forked by engine.ts with argv: <url> <shared data folder> <own folder>
 */
import { hostname, cpus } from 'node:os'
import { FarmWorker } from '../../src/main/engine/farm/worker'
import { benchPipelines } from './engine-pipelines'
import { startCounting, takeCounts } from './engine-counting'

const [url, dataDir, localDir] = process.argv.slice(2)
if (!url || !dataDir || !localDir || !process.send) throw new Error('engine-worker: forked by engine.ts with <url> <dataDir> <localDir>')
const send = (m: object) => process.send!(m)
// bench/farm/engine-counts.ts: what this worker sends and hears, asked for after each drain.
if (process.env.STUDIO_BENCH_COUNTS === '1') startCounting()
const now = () => performance.timeOrigin + performance.now()

const worker = new FarmWorker({
  url,
  dataDir,
  localDir,
  // The bench's steps occupy `cpu`, which needs nothing special: no probing of ffmpeg or providers.
  capabilities: { host: hostname(), platform: process.platform, cpus: cpus().length, ffmpeg: { ok: false, reason: 'not probed by the bench' }, speechEngine: null, providers: [], keys: [], gpus: [], has: [] },
  concurrency: 1,
  pipelines: benchPipelines((jobId) => send({ type: 'start', jobId, at: now() })),
  version: 'bench',
  log: (line) => console.error(`engine-worker ${process.pid}: ${line}`),
  onFinished: (job) => send({ type: job.status === 'completed' ? 'done' : 'ended', jobId: job.id, status: job.status, at: now() })
})

process.on('message', (m: { type?: string }) => {
  if (m?.type === 'counts') return send({ type: 'counts', counts: takeCounts(), at: now() })
  if (m?.type !== 'stop') return
  worker.stop(0).then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err)
      process.exit(1)
    }
  )
})

await worker.start()
send({ type: 'ready', id: worker.id })
