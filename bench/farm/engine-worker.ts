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

/**
 * The bench's messages cost CPU on both ends (a serialised object over the fork channel), which a
 * drain would count as the farm's: graphile-worker's runners, in the bench's own process, send
 * none. So a step's start is sent only while the parent asks (the latency runs), and completions
 * go together, at most one message every DONE_EVERY_MS, each with its count and the time the last
 * of them completed (the drain's end is that time, not the message's).
 */
const DONE_EVERY_MS = 2
let reportStarts = false
let done = 0
let lastDoneAt = 0
let doneTimer: NodeJS.Timeout | null = null
const sendDone = () => {
  doneTimer = null
  send({ type: 'done', count: done, at: lastDoneAt })
  done = 0
}

const worker = new FarmWorker({
  url,
  dataDir,
  localDir,
  // The bench's steps occupy `cpu`, which needs nothing special: no probing of ffmpeg or providers.
  capabilities: { host: hostname(), platform: process.platform, cpus: cpus().length, ffmpeg: { ok: false, reason: 'not probed by the bench' }, speechEngine: null, providers: [], keys: [], gpus: [], has: [] },
  concurrency: 1,
  pipelines: benchPipelines((jobId) => {
    if (reportStarts) send({ type: 'start', jobId, at: now() })
  }),
  version: 'bench',
  log: (line) => console.error(`engine-worker ${process.pid}: ${line}`),
  onFinished: (job) => {
    if (job.status !== 'completed') return send({ type: 'ended', jobId: job.id, status: job.status, at: now() })
    done++
    lastDoneAt = now()
    // The first completion after a pause goes at once (a latency run's only job); later ones together.
    if (reportStarts) sendDone()
    else doneTimer ??= setTimeout(sendDone, DONE_EVERY_MS)
  }
})

process.on('message', (m: { type?: string; on?: boolean }) => {
  if (m?.type === 'starts') return void (reportStarts = m.on === true)
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
