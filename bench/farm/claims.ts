/**
 * The farm's claim path on a real PostgreSQL, no engine around it: W workers (one connection each)
 * claim and complete no-op jobs, then 200 ms sleep jobs, with 1, 2 and 4 workers; then the time from
 * an enqueue (committed with its wake-up) to an idle listening worker's claim. Each figure is
 * printed beside graphile-worker's on the same database (bench/farm/graphile-peer.ts), run just
 * after ours. Prints figures, asserts nothing. The engine-level figures need the PG backend.
 *
 *   node --import tsx bench/farm/claims.ts [--url postgres://…] [--n 2000]
 * Without --url it starts a private cluster (scripts/test-postgres.sh) and stops it at the end.
 */
import { parseArgs } from 'node:util'
import pg from 'pg'
import { claimNext, completeFenced } from '../../src/main/engine/store/postgres/claims'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { listenForWake, wakeWorkers } from '../../src/main/engine/store/postgres/wake'
import { benchDatabase } from './database'
import { graphileDrain, graphileWakeLatency } from './graphile-peer'

const { values } = parseArgs({ options: { url: { type: 'string' }, n: { type: 'string', default: '2000' } } })
const N = Number(values.n)

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}

async function enqueue(pool: pg.Pool, n: number, type: string): Promise<void> {
  await pool.query(
    `INSERT INTO jobs (id, type, payload, status, position, created_at, updated_at)
     SELECT gen_random_uuid()::text, $2, '{}', 'pending', i, 0, 0 FROM generate_series(1, $1) AS i`,
    [n, type]
  )
}

async function drain(url: string, workers: number, workMs: number): Promise<{ seconds: number; done: number; claimMs: number[] }> {
  const clients = await Promise.all(Array.from({ length: workers }, async () => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    return c
  }))
  const claimMs: number[] = []
  let done = 0
  const t0 = performance.now()
  await Promise.all(clients.map(async (c, w) => {
    for (;;) {
      const t = performance.now()
      const lease = await claimNext(c, { workerId: `w${w}`, has: [], leaseMs: 60_000 })
      claimMs.push(performance.now() - t)
      if (!lease) return
      if (workMs) await new Promise((r) => setTimeout(r, workMs))
      if (await completeFenced(c, lease, '{}')) done++
    }
  }))
  const seconds = (performance.now() - t0) / 1000
  await Promise.all(clients.map((c) => c.end()))
  return { seconds, done, claimMs }
}

async function main(): Promise<void> {
  const database = await benchDatabase(values.url)
  const url = database.url
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  try {
    await farmInit(url)
    const base: Record<string, number> = {}
    const peerBase: Record<string, number> = {}
    for (const [label, workMs, n] of [['no-op', 0, N], ['200 ms sleep', 200, 80]] as const) {
      for (const workers of [1, 2, 4]) {
        await pool.query('DELETE FROM jobs')
        await enqueue(pool, n, label)
        const r = await drain(url, workers, workMs)
        const rate = r.done / r.seconds
        base[label] ??= rate
        const peer = await graphileDrain(url, workers, workMs, n)
        const peerRate = peer.done / peer.seconds
        peerBase[label] ??= peerRate
        const w = `${workers} worker${workers > 1 ? 's' : ' '}`
        console.log(
          `${label.padEnd(13)} ${w}  ours ${rate.toFixed(1).padStart(8)} jobs/s (${(rate / base[label]!).toFixed(2)}× 1 worker, claim p50 ${pct(r.claimMs, 50).toFixed(2)} ms p99 ${pct(r.claimMs, 99).toFixed(2)} ms)` +
            `  graphile-worker ${peerRate.toFixed(1).padStart(8)} jobs/s (${(peerRate / peerBase[label]!).toFixed(2)}× 1 worker)  ours/peer ${(rate / peerRate).toFixed(2)}×`
        )
      }
    }
    // Enqueue → claim by an idle worker woken by NOTIFY (no polling at all).
    await pool.query('DELETE FROM jobs')
    const worker = new pg.Client({ connectionString: url })
    await worker.connect()
    const latencies: number[] = []
    let sentAt = 0
    let wake: (() => void) | undefined
    const listener = await listenForWake(url, () => wake?.())
    for (let i = 0; i < 100; i++) {
      const woken = new Promise<void>((r) => (wake = r))
      const c = await pool.connect()
      await c.query('BEGIN')
      await c.query(`INSERT INTO jobs (id, type, payload, status, position, created_at, updated_at) VALUES (gen_random_uuid()::text, 'wake', '{}', 'pending', $1, 0, 0)`, [i])
      await wakeWorkers(c)
      sentAt = performance.now()
      await c.query('COMMIT')
      c.release()
      await woken
      const lease = await claimNext(worker, { workerId: 'idle', has: [], leaseMs: 60_000 })
      latencies.push(performance.now() - sentAt)
      if (!lease) throw new Error('woken but nothing to claim')
      await completeFenced(worker, lease, '{}')
    }
    await listener.close()
    await worker.end()
    console.log(`enqueue → claim by an idle worker woken by NOTIFY: p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms (100 jobs)`)
    const peerLatencies = await graphileWakeLatency(url, 100)
    console.log(`graphile-worker, addJob → its idle worker starts the task: p50 ${pct(peerLatencies, 50).toFixed(2)} ms, p99 ${pct(peerLatencies, 99).toFixed(2)} ms (100 jobs)`)
  } finally {
    await pool.end()
    await database.close()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
