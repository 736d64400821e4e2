/**
 * The peer of bench/farm: graphile-worker, as shipped (its defaults: jobs fetched one at a time,
 * completions not batched, LISTEN/NOTIFY to wake, a 2 s poll as its safety net), on the same
 * PostgreSQL database as ours. W workers are W runners of concurrency 1, each with its own
 * connection pool, as W of our workers each hold one connection.
 */
import { Logger, makeWorkerUtils, run, type Runner } from 'graphile-worker'
import type pg from 'pg'
import { cpuMark, cpuSince } from './cpu'

const silent = new Logger(() => () => {})

export interface PeerRun {
  seconds: number
  done: number
  /** From a job's insert (all are inserted in one statement) to its task starting, per job. */
  startMs: number[]
  /** CPU ms of this process (where the runners run) and of the database's backends, from addJobs to the last completion stored. */
  cpu: { clientMs: number; serverMs: number }
}

/**
 * Start W idle runners, then add `n` jobs in one call and time until every one has run. The
 * runners start before the jobs exist so that their start-up (connections, schema check) is not
 * counted, as our drain starts from connected workers.
 */
export async function graphileDrain(url: string, workers: number, workMs: number, n: number, pool: pg.Pool): Promise<PeerRun> {
  const utils = await makeWorkerUtils({ connectionString: url, logger: silent })
  await utils.migrate()
  let done = 0
  let t0 = 0
  const startMs: number[] = []
  let finish: () => void = () => undefined
  const allDone = new Promise<void>((resolve) => (finish = resolve))
  const runners: Runner[] = await Promise.all(
    Array.from({ length: workers }, () =>
      run({
        connectionString: url,
        concurrency: 1,
        noHandleSignals: true,
        logger: silent,
        taskList: {
          bench: async () => {
            startMs.push(performance.now() - t0)
            if (workMs) await new Promise((r) => setTimeout(r, workMs))
            if (++done === n) finish()
          }
        }
      })
    )
  )
  try {
    const mark = await cpuMark(pool, [process.pid])
    t0 = performance.now()
    await utils.addJobs(Array.from({ length: n }, () => ({ identifier: 'bench', payload: {} })))
    await allDone
    // Its completions are written after the task returns, without the worker waiting for them:
    // the run ends when the last one is stored, as ours ends with its last fenced completion.
    for (;;) {
      const left = await utils.withPgClient((c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker.jobs'))
      if (left.rows[0]!.n === 0) break
      await new Promise((r) => setTimeout(r, 5))
    }
    const seconds = (performance.now() - t0) / 1000
    return { seconds, done, startMs, cpu: await cpuSince(pool, mark, [process.pid]) }
  } finally {
    await Promise.all(runners.map((r) => r.stop()))
    await utils.release()
  }
}

/**
 * One idle runner; `n` jobs added one after the other, each once the previous has started: the
 * time from addJob's return (committed, its NOTIFY sent) to the task starting.
 */
export async function graphileWakeLatency(url: string, n: number): Promise<number[]> {
  const utils = await makeWorkerUtils({ connectionString: url, logger: silent })
  let started: () => void = () => undefined
  const runner = await run({
    connectionString: url,
    concurrency: 1,
    noHandleSignals: true,
    logger: silent,
    taskList: { wake: async () => started() }
  })
  try {
    const latencies: number[] = []
    for (let i = 0; i < n; i++) {
      const woken = new Promise<void>((r) => (started = r))
      await utils.addJob('wake', {})
      const sentAt = performance.now()
      await woken
      latencies.push(performance.now() - sentAt)
    }
    return latencies
  } finally {
    await runner.stop()
    await utils.release()
  }
}
