/**
 * What the farm worker's tests share: `studio farm worker` as a real child process of the built
 * CLI (bin/studio.mjs), its output read line by line, and a PgJobStore on the same farm acting as
 * the user's machine (enqueue, cancel) — with the built-in pipelines, as the CLI enqueues them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { EventBus } from '../../src/main/engine/events'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { builtinPipelines } from '../../src/main/engine/pipelines/builtin'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { testDataDir } from './farm-jobs'
import { endPool } from './pg-pool'
import { usePostgres } from './postgres'

export interface WorkerProcess {
  child: ChildProcess
  /** Every line printed on stdout so far, parsed (the worker runs with --json). */
  events: Array<Record<string, unknown>>
  output: () => string
  exited: Promise<number | null>
}

/** Timings short enough for a test to wait out a lease (see farm/worker-timings.ts). */
// The stop grace stays long: a test that lets a step finish after SIGTERM must not depend on how
// fast a loaded machine renders (10 s was not always enough for a draft video's render).
export const SHORT_TIMINGS = { leaseMs: 1_500, heartbeatMs: 200, staleAfterMs: 3_000, sweepMs: 300, reclaimEveryMs: 200, stopGraceMs: 240_000 }

export function startWorker(url: string, dataDir: string, o: { concurrency?: number; timings?: object; localDir?: string } = {}): WorkerProcess {
  const localDir = o.localDir ?? mkdtempSync(join(tmpdir(), 'studio-worker-local-'))
  const child = spawn(
    process.execPath,
    ['bin/studio.mjs', '--json', '--queue-url', url, 'farm', 'worker', '--data-dir', dataDir, '--local-dir', localDir, '--concurrency', String(o.concurrency ?? 2)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STUDIO_QUEUE_URL: '', STUDIO_FARM_WORKER_TIMINGS: JSON.stringify(o.timings ?? SHORT_TIMINGS) } }
  )
  const events: Array<Record<string, unknown>> = []
  let out = ''
  let pending = ''
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
    pending += d.toString()
    let nl: number
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl)
      pending = pending.slice(nl + 1)
      try {
        events.push(JSON.parse(text) as Record<string, unknown>)
      } catch {
        events.push({ type: 'unparsed', text })
      }
    }
  })
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, events, output: () => out, exited }
}

/** The user's machine: a job store on the farm with the built-in pipelines. */
export function userMachine(url: string, dataDir: string): { store: PgJobStore; pool: pg.Pool; events: EventBus } {
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  const events = new EventBus()
  const store = new PgJobStore({ pool, events, pipelines: builtinPipelines(), dataDir, artifactsRoot: join(dataDir, 'jobs'), stepNeeds })
  return { store, pool, events }
}

/** A short draft video: five steps (script, adapt, audio, visuals, video), all offline. */
export const videoJob = (n: number) => ({ type: 'video', input: { idea: `Lighthouse number ${n}`, images: 1, music: false, draft: true, captions: 'none' as const } })

/** Wait for `check` to give a value, looking every 100 ms (each look may be a query). */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, what: string, output?: () => string): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${output ? `\n--- worker output ---\n${output()}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** How many times each (job, step) was started, and each job finished, as the farm's log says. */
export async function startsAndFinishes(pool: pg.Pool): Promise<{ starts: Map<string, number>; finishes: Map<string, number> }> {
  const { rows } = await pool.query<{ job_id: string; step: string | null; code: string; n: number }>(
    `SELECT job_id, step, code, count(*)::int AS n FROM job_logs WHERE code IN ('started', 'finishedJob', 'finishedJobFallback') GROUP BY job_id, step, code`
  )
  const starts = new Map<string, number>()
  const finishes = new Map<string, number>()
  for (const r of rows) {
    if (r.code === 'started') starts.set(`${r.job_id}/${r.step}`, r.n)
    else finishes.set(r.job_id, (finishes.get(r.job_id) ?? 0) + r.n)
  }
  return { starts, finishes }
}

/** A job's status and, for each step, its status, attempts and the worker that last ran it. */
export async function jobState(pool: pg.Pool, id: string): Promise<{ status: string; leaseOwner: string | null; steps: Array<{ name: string; status: string; attempts: number; worker: string | null }> }> {
  const job = await pool.query<{ status: string; lease_owner: string | null }>('SELECT status, lease_owner FROM jobs WHERE id = $1', [id])
  const steps = await pool.query<{ name: string; status: string; attempts: number; worker_id: string | null }>('SELECT name, status, attempts, worker_id FROM steps WHERE job_id = $1 ORDER BY idx', [id])
  return {
    status: job.rows[0]!.status,
    leaseOwner: job.rows[0]!.lease_owner,
    steps: steps.rows.map((s) => ({ name: s.name, status: s.status, attempts: s.attempts, worker: s.worker_id }))
  }
}

/** The worker's id, once it has said it started. */
export async function workerId(w: WorkerProcess): Promise<string> {
  const started = await waitFor(() => w.events.find((e) => e.type === 'worker.started'), 60_000, 'the worker to start', w.output)
  return started.id as string
}

/** Stop a worker gracefully (SIGTERM) and wait for it to leave; SIGKILL if it does not in time. */
export async function stopWorker(w: WorkerProcess, timeoutMs = 30_000): Promise<number | null> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return w.child.exitCode
  w.child.kill('SIGCONT')
  w.child.kill('SIGTERM')
  const timer = setTimeout(() => w.child.kill('SIGKILL'), timeoutMs)
  const code = await w.exited
  clearTimeout(timer)
  return code
}

/** A test file's farm: see useFarm. */
export interface TestFarm {
  /** The file's own database, its farm schema made. */
  readonly url: string
  /** The shared data folder every worker of the file mounts. */
  dataDir: string
  /** The user's machine: a job store on the farm, as a window or the CLI has. */
  user: ReturnType<typeof userMachine>
  /** Worker processes a test started: stopped (SIGCONT first, then SIGTERM) after each test. */
  workers: WorkerProcess[]
}

/**
 * Registers the hooks a farm worker test file needs: a database of its own with the farm's schema,
 * a shared folder, the user's machine, and after each test its workers stopped, the queue resumed
 * if a test paused it, and the jobs cleared. Call at the top of the file; read the fields inside
 * tests.
 */
export function useFarm(): TestFarm {
  const database = usePostgres()
  const farm: TestFarm = {
    get url() {
      return database.url
    },
    dataDir: '',
    user: undefined as unknown as TestFarm['user'],
    workers: []
  }
  beforeAll(async () => {
    await farmInit(database.url)
    farm.dataDir = testDataDir()
    farm.user = userMachine(database.url, farm.dataDir)
  })
  afterEach(async () => {
    await Promise.all(farm.workers.splice(0).map((w) => stopWorker(w)))
    if (await farm.user.store.isPaused()) await farm.user.store.setQueuePaused(false)
    await farm.user.pool.query('DELETE FROM jobs')
  })
  afterAll(async () => {
    await endPool(farm.user.pool)
  })
  return farm
}
