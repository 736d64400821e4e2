/**
 * A provider's limit held across the farm, not per machine: three real worker processes (the farm
 * worker engine, forked) on a real PostgreSQL run jobs whose first step calls a local fake provider
 * on the `music` resource, which the farm limits to N at a time, `interval` ms apart. The provider
 * itself measures: never more than N calls in flight at once, and no two calls arriving closer than
 * the interval (less a tolerance for a loaded machine: the slot is granted in the database, and a
 * worker's step start and HTTP request come after). Each machine's own limiter (the same numbers
 * per worker) lets three times as many through, and calls at once from different workers.
 * A worker killed mid-call holds its slot only until its lease runs out: another's waiting step
 * then calls, with nobody releasing anything.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EventBus } from '../../src/main/engine/events'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { changeFarmLimits } from '../../src/main/engine/store/postgres/resource-lanes'
import { testDataDir } from '../helpers/farm-jobs'
import { waitFor } from '../helpers/farm-worker'
import { limitTestPipelines } from '../helpers/farm-limits-pipelines'
import { endPool } from '../helpers/pg-pool'
import { usePostgres } from '../helpers/postgres'

const db = usePostgres()
const CHILD = new URL('../helpers/farm-limits-child.ts', import.meta.url).pathname
const TIMINGS = { leaseMs: 1_500, heartbeatMs: 200, staleAfterMs: 3_000, sweepMs: 300, reclaimEveryMs: 200, stopGraceMs: 30_000 }

interface Call {
  job: string
  worker: string
  /** Arrival at the provider, ms (sub-ms precision). */
  at: number
  /** When the step sent it, on the same machine's clock. */
  sent: number
  /** Calls in flight at the provider when this one arrived, itself included. */
  inFlight: number
}

/** The fake provider: answers each call after `answerMs`, or holds it open when `hold` says so. */
class FakeProvider {
  readonly calls: Call[] = []
  private inFlight = 0
  maxInFlight = 0
  hold: (call: Call) => boolean = () => false
  private server!: Server
  url = ''

  async start(answerMs: number): Promise<void> {
    this.server = createServer((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams
      this.inFlight++
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
      const call: Call = { job: q.get('job') ?? '', worker: q.get('worker') ?? '', at: performance.timeOrigin + performance.now(), sent: Number(q.get('sent')), inFlight: this.inFlight }
      this.calls.push(call)
      let open = true
      const done = () => {
        if (!open) return
        open = false
        this.inFlight--
      }
      // A caller killed mid-call: its connection closes, and its call is no longer in flight.
      res.on('close', done)
      if (this.hold(call)) return
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }))
        done()
      }, answerMs)
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }
}

interface Worker {
  child: ChildProcess
  id: Promise<string>
  exited: Promise<number | null>
}

function startWorker(dataDir: string, concurrency: number, timings: object = TIMINGS): Worker {
  const localDir = mkdtempSync(join(tmpdir(), 'studio-limits-worker-'))
  const child = fork(CHILD, [db.url, dataDir, localDir, String(concurrency), JSON.stringify(timings)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const id = new Promise<string>((resolve, reject) => {
    child.on('message', (m: { type?: string; id?: string }) => m.type === 'ready' && resolve(m.id!))
    void exited.then((code) => reject(new Error(`a worker exited with ${code} before it was ready`)))
  })
  return { child, id, exited }
}

/** Whether the worker holds `resource` to the farm's limit (it has heard of the limit). */
function laned(w: Worker, resource: string): Promise<boolean> {
  return new Promise((resolve) => {
    const answer = (m: { type?: string; resource?: string; laned?: boolean }) => {
      if (m.type !== 'laned' || m.resource !== resource) return
      w.child.off('message', answer)
      resolve(m.laned === true)
    }
    w.child.on('message', answer)
    w.child.send({ type: 'laned?', resource })
  })
}

async function stopWorker(w: Worker): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return
  w.child.send({ type: 'stop' })
  const timer = setTimeout(() => w.child.kill('SIGKILL'), 40_000)
  await w.exited
  clearTimeout(timer)
}

let pool: pg.Pool
let store: PgJobStore
let dataDir: string
const workers: Worker[] = []
let provider: FakeProvider

beforeAll(async () => {
  await farmInit(db.url)
  dataDir = testDataDir()
  pool = new pg.Pool({ connectionString: db.url, max: 4 })
  store = new PgJobStore({ pool, events: new EventBus(), pipelines: limitTestPipelines('user'), dataDir, artifactsRoot: join(dataDir, 'jobs'), stepNeeds })
})
afterEach(async () => {
  await Promise.all(workers.splice(0).map(stopWorker))
  await provider?.close()
  await pool.query('DELETE FROM jobs')
  await pool.query('DELETE FROM resource_lanes')
})
afterAll(async () => {
  await endPool(pool)
})

const statusOf = async (ids: readonly string[]) => (await pool.query<{ status: string }>('SELECT status FROM jobs WHERE id = ANY($1)', [ids])).rows.map((r) => r.status)
const allCompleted = (ids: readonly string[]) => async () => (await statusOf(ids)).every((s) => s === 'completed') && (await statusOf(ids)).length === ids.length

describe('farm-wide resource limits', () => {
  it('three workers hold the farm\'s "N at a time, interval apart" together, as the provider measures it', async () => {
    const N = 2
    const INTERVAL = 500
    // A call lasts longer than N intervals, so that both limits bind in turn: a start waits for a
    // slot to be released, or for the spacing after the previous start.
    const ANSWER_MS = 1_100
    // What the provider sees is the grant (on the database's clock) plus each caller's own delay
    // before its request arrives: its step start (a write), then the HTTP request itself. Alone,
    // the steps sent their calls 499 ms apart at the closest and the provider saw 450-490 ms (the
    // request's own trip varies by up to ~70 ms); with a dozen other test files on the two cores
    // and the same PostgreSQL, 454 ms at the steps and as little as 170 ms at the provider (one
    // caller descheduled between its grant and its request). So the spacing is asserted where one
    // caller's delay cannot move it much: the median gap, and the whole run's span (only its two
    // ends' delays count); any single gap only has to show that no two workers called at once.
    // Each machine's own limiter (the same numbers per worker) lets calls of different workers
    // arrive a few ms apart, 3 × N at once, and the run take a third of the time.
    const TOLERANCE = 50
    provider = new FakeProvider()
    await provider.start(ANSWER_MS)
    await changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: N, minIntervalMs: INTERVAL }], clear: [] })
    for (let i = 0; i < 3; i++) workers.push(startWorker(dataDir, 4))
    await Promise.all(workers.map((w) => w.id))

    const jobs = await Promise.all(Array.from({ length: 15 }, (_, i) => store.enqueue({ type: 'provider-call', input: { url: provider.url, n: i } })))
    const ids = jobs.map((j) => j.id)
    await waitFor(allCompleted(ids), 120_000, 'every job to complete')

    const calls = [...provider.calls].sort((a, b) => a.at - b.at)
    // Each job called once (no finished step ran again), and the work was spread over the farm.
    expect(calls.map((c) => c.job).sort()).toEqual([...ids].sort())
    const callers = new Set(calls.map((c) => c.worker)).size
    expect(callers).toBeGreaterThanOrEqual(2)
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at)
    const closest = Math.min(...gaps)
    const median = [...gaps].sort((x, y) => x - y)[Math.floor(gaps.length / 2)]!
    const span = calls.at(-1)!.at - calls[0]!.at
    const bySent = [...calls].sort((a, b) => a.sent - b.sent)
    const closestSent = Math.min(...bySent.slice(1).map((c, i) => c.sent - bySent[i]!.sent))
    const transit = Math.max(...calls.map((c) => c.at - c.sent))
    console.log(
      `farm limits: ${calls.length} calls from ${callers} workers; at most ${provider.maxInFlight} in flight (limit ${N}); ` +
        `starts ${closest.toFixed(1)} ms apart at the closest, ${median.toFixed(1)} ms the median, first to last ${span.toFixed(0)} ms (interval ${INTERVAL} ms); ` +
        `as the steps sent them, ${closestSent.toFixed(1)} ms apart at the closest; slowest request ${transit.toFixed(1)} ms from step to provider`
    )
    expect(provider.maxInFlight).toBeLessThanOrEqual(N)
    expect(median).toBeGreaterThanOrEqual(INTERVAL - TOLERANCE)
    expect(span).toBeGreaterThanOrEqual((calls.length - 1) * INTERVAL - TOLERANCE)
    expect(closest).toBeGreaterThanOrEqual(INTERVAL / 5)
  }, 180_000)

  it("a worker killed mid-call frees its slot when its lease runs out: another worker's waiting step then calls", async () => {
    provider = new FakeProvider()
    await provider.start(50)
    await changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: 1, minIntervalMs: 0 }], clear: [] })
    const a = startWorker(dataDir, 1)
    workers.push(a)
    const idA = await a.id
    // The first call never gets an answer: its worker is killed while it waits.
    provider.hold = (call) => provider.calls.length === 1 && call.worker !== ''
    const first = await store.enqueue({ type: 'provider-call', input: { url: provider.url, n: 1 } })
    await waitFor(() => provider.calls.length === 1, 60_000, 'the first call to reach the provider')
    expect((await pool.query('SELECT lease_owner FROM jobs WHERE id = $1', [first.id])).rows[0].lease_owner).toBe(idA)

    const b = startWorker(dataDir, 1)
    workers.push(b)
    const idB = await b.id
    const second = await store.enqueue({ type: 'provider-call', input: { url: provider.url, n: 2 } })
    // B leaves the second job in the queue while A holds the farm's one slot of its resource (and
    // A renews its lease). Waiting out more than a lease here shows A's slot holds while A lives.
    await new Promise((r) => setTimeout(r, 2 * TIMINGS.leaseMs))
    expect((await pool.query('SELECT status FROM jobs WHERE id = $1', [second.id])).rows[0].status).toBe('pending')
    expect(provider.calls).toHaveLength(1)

    a.child.kill('SIGKILL')
    await a.exited
    const killedAt = performance.timeOrigin + performance.now()
    await waitFor(allCompleted([first.id, second.id]), 60_000, 'both jobs to complete on worker B')
    const later = provider.calls.slice(1)
    expect(later.map((c) => c.job).sort()).toEqual([first.id, second.id].sort())
    expect(later.every((c) => c.at > killedAt)).toBe(true)
    expect(provider.maxInFlight).toBe(1)
    const ran = await pool.query<{ worker_id: string }>("SELECT DISTINCT worker_id FROM steps WHERE job_id = ANY($1) AND name = 'call' AND status = 'completed'", [[first.id, second.id]])
    expect(ran.rows.map((r) => r.worker_id)).toEqual([idB])
  }, 180_000)

  it('a limit set while the workers run is heard at once (a notification, not the sweep) and holds from then on', async () => {
    provider = new FakeProvider()
    await provider.start(300)
    // A sweep far longer than the wait below: only the change's notification can tell them in time.
    const slowSweep = { ...TIMINGS, sweepMs: 60_000 }
    for (let i = 0; i < 3; i++) workers.push(startWorker(dataDir, 3, slowSweep))
    await Promise.all(workers.map((w) => w.id))
    for (const w of workers) expect(await laned(w, 'music')).toBe(false)
    // No farm limit yet: each worker's own settings (music: 5 at a time, 2 s apart) apply.
    await changeFarmLimits(pool, { set: [{ resource: 'music', concurrency: 1, minIntervalMs: 0 }], clear: [] })
    await waitFor(async () => (await Promise.all(workers.map((w) => laned(w, 'music')))).every(Boolean), 20_000, 'every worker to hear of the limit')
    const jobs = await Promise.all(Array.from({ length: 6 }, (_, i) => store.enqueue({ type: 'provider-call', input: { url: provider.url, n: i } })))
    await waitFor(allCompleted(jobs.map((j) => j.id)), 120_000, 'every job to complete')
    expect(provider.calls).toHaveLength(6)
    expect(new Set(provider.calls.map((c) => c.worker)).size).toBeGreaterThanOrEqual(2)
    expect(provider.maxInFlight).toBe(1)
  }, 180_000)
})
