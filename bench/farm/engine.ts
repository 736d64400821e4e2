/**
 * The farm's real worker engine on a real PostgreSQL, beside graphile-worker on the same database.
 * W = 1, 2 and 4 worker processes (engine-worker.ts: FarmWorker, as `studio farm worker` runs it,
 * with a no-op and a 200 ms sleep pipeline, concurrency 1, each job one checkpointed step) drain
 * jobs enqueued through PgJobStore.enqueueMany: the time from the enqueue's start (the workers
 * idle, listening, each warmed by 10 untimed no-op jobs) to the last job reported completed, in jobs/s and × the 1-worker figure; then
 * graphile-worker's W runners of concurrency 1 (graphile-peer.ts) on the same jobs, and ours/peer.
 * Then the claim latency: one idle worker, a job enqueued at a time (the previous one done), from
 * the enqueue to its step starting, beside graphile-worker's addJob → task start. Prints figures,
 * asserts nothing.
 *
 *   node --import tsx bench/farm/engine.ts [--url postgres://…] [--n 1000] [--sleep-n 80] [--latency 100]
 * The URL names a server: a database of its own is created for the run and dropped after. Without
 * --url it starts a private cluster (scripts/test-postgres.sh) and stops it at the end.
 */
import { mkdtempSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { EventBus } from '../../src/main/engine/events'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { benchPipelines } from './engine-pipelines'
import { EngineWorkers } from './engine-children'
import { graphileDrain, graphileWakeLatency } from './graphile-peer'
import { benchDatabase } from './database'
import { cpuMark, cpuSince } from './cpu'

const { values } = parseArgs({
  options: { url: { type: 'string' }, n: { type: 'string', default: '1000' }, 'sleep-n': { type: 'string', default: '80' }, latency: { type: 'string', default: '100' } }
})
const N = Number(values.n)
const SLEEP_N = Number(values['sleep-n'])
const LATENCY_N = Number(values.latency)
const now = () => performance.timeOrigin + performance.now()
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Row {
  label: string
  workers: number
  ours: number
  peer: number
  /** CPU µs per job: the client processes (ours: this one and the workers; the peer runs in this one) and PostgreSQL's backends. */
  oursCpu: { client: number; server: number }
  peerCpu: { client: number; server: number }
}

const perJob = (cpu: { clientMs: number; serverMs: number }, n: number) => ({ client: (cpu.clientMs * 1000) / n, server: (cpu.serverMs * 1000) / n })
const cpuText = (c: { client: number; server: number }) => `CPU ${Math.round(c.client + c.server)} µs/job (clients ${Math.round(c.client)}, PostgreSQL ${Math.round(c.server)})`

async function main(): Promise<void> {
  const database = await benchDatabase(values.url)
  const url = database.url
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  // An idle connection the server ends (the drop at the end) is reported here; unheard, it would
  // end the process.
  pool.on('error', () => undefined)
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  try {
    await farmInit(url)
    const dataDir = mkdtempSync(join(tmpdir(), 'studio-bench-farm-'))
    const store = new PgJobStore({ pool, events: new EventBus(), pipelines: benchPipelines(() => undefined), dataDir, artifactsRoot: join(dataDir, 'jobs'), stepNeeds })
    const rows: Row[] = []
    let latencies: { fromCall: number[]; fromReturn: number[] } | undefined

    for (const workers of [1, 2, 4]) {
      const farm = await EngineWorkers.start(workers, url, dataDir)
      const ours: Record<string, number> = {}
      const oursCpu: Record<string, { client: number; server: number }> = {}
      try {
        // Not timed: a few jobs each first, so that a fresh process's first claims (its code compiled,
        // its connections opened, its statements planned) are not counted as the farm's pace.
        await pool.query('DELETE FROM jobs')
        const warm = farm.completed(10 * workers, 120_000)
        await store.enqueueMany(Array.from({ length: 10 * workers }, () => ({ type: 'noop', input: {} })))
        await warm
        for (const [label, type, n] of [['no-op', 'noop', N], ['200 ms sleep', 'sleep', SLEEP_N]] as const) {
          await pool.query('DELETE FROM jobs')
          const requests = Array.from({ length: n }, () => ({ type, input: {} }))
          const pids = [process.pid, ...farm.pids]
          const mark = await cpuMark(pool, pids)
          const t0 = now()
          const finished = farm.completed(n, 600_000)
          for (let i = 0; i < n; i += 1000) await store.enqueueMany(requests.slice(i, i + 1000))
          const end = await finished
          oursCpu[label] = perJob(await cpuSince(pool, mark, pids), n)
          const { rows: stored } = await pool.query<{ jobs: number; steps: number }>(
            "SELECT (SELECT count(*)::int FROM jobs WHERE status = 'completed') AS jobs, (SELECT count(*)::int FROM steps WHERE status = 'completed') AS steps"
          )
          ours[label] = n / ((end - t0) / 1000)
          console.log(
            `ours  ${label.padEnd(13)} ${workers} worker(s): ${ours[label]!.toFixed(1)} jobs/s, ${cpuText(oursCpu[label]!)} (${stored[0]!.jobs} jobs, ${stored[0]!.steps} step checkpoints stored completed)`
          )
        }
        if (workers === 1) {
          // One idle worker, woken by the enqueue's NOTIFY: each job once the previous is done and
          // the worker has gone back to waiting.
          await pool.query('DELETE FROM jobs')
          farm.reportStarts(true)
          const fromCall: number[] = []
          const fromReturn: number[] = []
          for (let i = 0; i < LATENCY_N; i++) {
            await pause(20)
            let startedAt = 0
            const finished = farm.completed(1, 60_000, (m) => (startedAt = m.at))
            const called = now()
            await store.enqueue({ type: 'noop', input: {} })
            const returned = now()
            await finished
            fromCall.push(startedAt - called)
            fromReturn.push(startedAt - returned)
          }
          latencies = { fromCall, fromReturn }
          farm.reportStarts(false)
        }
      } finally {
        await farm.stop()
      }
      for (const [label, workMs, n] of [['no-op', 0, N], ['200 ms sleep', 200, SLEEP_N]] as const) {
        const peer = await graphileDrain(url, workers, workMs, n, pool)
        const peerRate = peer.done / peer.seconds
        const peerCpu = perJob(peer.cpu, n)
        console.log(`peer  ${label.padEnd(13)} ${workers} worker(s): ${peerRate.toFixed(1)} jobs/s, ${cpuText(peerCpu)}`)
        rows.push({ label, workers, ours: ours[label]!, peer: peerRate, oursCpu: oursCpu[label]!, peerCpu })
      }
    }

    console.log('')
    console.log('| jobs | workers | ours jobs/s | × 1 worker | graphile-worker jobs/s | × 1 worker | ours/peer | ours CPU µs/job (PG) | peer CPU µs/job (PG) |')
    console.log('|---|---|---|---|---|---|---|---|---|')
    for (const r of [...rows].sort((a, b) => (a.label === b.label ? a.workers - b.workers : a.label === 'no-op' ? -1 : 1))) {
      const one = rows.find((x) => x.label === r.label && x.workers === 1)!
      console.log(
        `| ${r.label} | ${r.workers} | ${r.ours.toFixed(1)} | ${(r.ours / one.ours).toFixed(2)}× | ${r.peer.toFixed(1)} | ${(r.peer / one.peer).toFixed(2)}× | ${(r.ours / r.peer).toFixed(2)}× | ` +
          `${Math.round(r.oursCpu.client + r.oursCpu.server)} (${Math.round(r.oursCpu.server)}) | ${Math.round(r.peerCpu.client + r.peerCpu.server)} (${Math.round(r.peerCpu.server)}) |`
      )
    }
    const peerLatencies = await graphileWakeLatency(url, LATENCY_N)
    const l = latencies!
    console.log('')
    console.log(`claim latency, enqueue → step start on an idle woken worker (${LATENCY_N} jobs):`)
    console.log(`  ours, from the enqueue call:    p50 ${pct(l.fromCall, 50).toFixed(2)} ms  p99 ${pct(l.fromCall, 99).toFixed(2)} ms`)
    console.log(`  ours, from the enqueue's return: p50 ${pct(l.fromReturn, 50).toFixed(2)} ms  p99 ${pct(l.fromReturn, 99).toFixed(2)} ms`)
    console.log(`  graphile-worker, from addJob's return: p50 ${pct(peerLatencies, 50).toFixed(2)} ms  p99 ${pct(peerLatencies, 99).toFixed(2)} ms`)
    console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  } finally {
    await pool.end()
    await database.close()
  }
}

await main()
