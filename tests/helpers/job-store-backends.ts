/**
 * The job store on each backend, for the semantics suite (tests/farm/job-store-semantics.test.ts):
 * the store itself, plus what a test needs of the workers' side to reach every status — a real
 * claim on each backend, and a worker's checkpoints. On SQLite those are the engine's own lease
 * store and group commit; on PostgreSQL the claim is the farm's lease store's (PgLeaseStore) and
 * the checkpoints are written as a farm worker's are (fenced by its claim), by the fixture below.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import type { Engine } from '../../src/main/engine/engine'
import { EventBus } from '../../src/main/engine/events'
import type { ClaimedJob } from '../../src/main/engine/store/leases'
import type { AsyncJobStore } from '../../src/main/engine/store/jobs'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { PgLeaseStore, type PgLease } from '../../src/main/engine/store/postgres/leases'
import { claimOne } from '../../src/main/engine/store/leases'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import { formatMs } from '../../src/shared/format-ms'
import { openTestEngine, tempDir } from './engine'
import { testPipelines } from './test-pipelines'

/** Each finished step of the fixture worker ran this long and cost this much. */
export const STEP_MS = 5
export const STEP_COST = 0.01

export interface StoredLine {
  level: string
  step: string | null
  message: string
  code: string | null
  params: string | null
}

export interface JobStoreBackend {
  name: 'sqlite' | 'postgres'
  store: AsyncJobStore
  events: EventBus
  artifactsRoot: string
  /** Claim the next ready job as a worker does; its id, or null when none is ready. */
  claim(): Promise<string | null>
  /**
   * Finish a job this backend claimed: every step, or those before `failAt`, which then fails the
   * job. Each finished step leaves a file in its work folder (under the job's artifacts).
   */
  finish(jobId: string, outcome?: { failAt?: string }): Promise<void>
  /** Pretend the job finished `ms` earlier (as the SQLite tests do, for cleanup). */
  age(jobId: string, ms: number): Promise<void>
  /** A job's log lines as stored: the columns, not the rendering. */
  storedLines(jobId: string): Promise<StoredLine[]>
  /** How many rows of steps and log lines are left for a job id. */
  leftovers(jobId: string): Promise<{ steps: number; lines: number }>
  close(): Promise<void>
}

function stepFile(root: string, jobId: string, step: string): { dir: string; file: string } {
  const dir = join(root, jobId, step)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${step}.txt`)
  writeFileSync(file, step)
  return { dir, file }
}

export function openSqliteBackend(): JobStoreBackend {
  const engine: Engine<any> = openTestEngine()
  const claims = new Map<string, ClaimedJob>()
  return {
    name: 'sqlite',
    store: engine.queue,
    events: engine.events,
    artifactsRoot: engine.artifactsRoot,
    async claim() {
      // One job, asked as either face of the lease store asks (a job or null; a list of at most `max`).
      const claim = engine.leases.claim.bind(engine.leases) as unknown as (o: { leaseMs: number; max: number }) => unknown
      const got = (await claim({ leaseMs: 60_000, max: 1 })) as ClaimedJob | ClaimedJob[] | null
      const c = Array.isArray(got) ? got[0] : got
      if (!c) return null
      claims.set(c.job.id, c)
      return c.job.id
    },
    async finish(jobId, outcome = {}) {
      const c = claims.get(jobId)
      if (!c) throw new Error(`fixture: job ${jobId} was not claimed here`)
      const steps = c.steps
      for (let i = 0; i < steps.length; i++) {
        const s = steps[i]!
        if (s.status === 'completed') continue
        if (s.name === outcome.failAt) {
          await engine.pool.commits.submit(engine.leases.failJob(c.lease, s, 'boom', STEP_MS, null))
          return
        }
        const { dir, file } = stepFile(engine.artifactsRoot, jobId, s.name)
        const next = steps[i + 1]
        const success = { data: { step: s.name }, files: { [s.name]: file }, workDir: dir, costUsd: STEP_COST, provider: null, fallback: false, durationMs: STEP_MS, durable: false }
        await engine.pool.commits.submit(
          engine.leases.completeStep(
            c.lease,
            s,
            success,
            next ? { resource: next.resource, step: next.name, jobProgress: ((i + 1) / steps.length) * 100 } : { resource: null, jobProgress: 100, jobResult: { ok: true } }
          )
        )
      }
    },
    async age(jobId, ms) {
      engine.db.prepare('UPDATE jobs SET completed_at = completed_at - ? WHERE id = ?').run(ms, jobId)
    },
    async storedLines(jobId) {
      return engine.db.prepare('SELECT level, step, message, code, params FROM job_logs WHERE job_id = ? ORDER BY id').all(jobId) as StoredLine[]
    },
    async leftovers(jobId) {
      const n = (sql: string) => (engine.db.prepare(sql).get(jobId) as { n: number }).n
      return { steps: n('SELECT COUNT(*) AS n FROM steps WHERE job_id = ?'), lines: n('SELECT COUNT(*) AS n FROM job_logs WHERE job_id = ?') }
    },
    close: () => engine.close(100)
  }
}

/** The PostgreSQL backend on `pool` (a database farmInit has set up), its tables emptied first. */
export async function openPostgresBackend(pool: pg.Pool): Promise<JobStoreBackend> {
  await pool.query('DELETE FROM jobs')
  await pool.query('DELETE FROM settings')
  const dataDir = tempDir('studio-farm-')
  const artifactsRoot = join(dataDir, 'jobs')
  const events = new EventBus()
  const store = new PgJobStore({ pool, events, pipelines: testPipelines(), dataDir, artifactsRoot, stepNeeds })
  const worker = new PgLeaseStore({ pool, owner: 'semantics', dataDir, has: [], stepNeeds })
  const leases = new Map<string, PgLease>()
  // What a worker's fenced checkpoint writes; nothing when its lease is gone.
  const fenced = (lease: PgLease) => `EXISTS (SELECT 1 FROM jobs WHERE id = '${lease.jobId}' AND lease_fence = ${lease.fence} AND status = 'processing')`
  const line = (lease: PgLease, level: string, step: string, code: string, params: object) =>
    pool.query(`INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params) VALUES ($1, $2, $3, $4, $5, '', $6, $7)`, [
      lease.seq, lease.jobId, Date.now(), level, step, code, JSON.stringify(params)
    ])
  return {
    name: 'postgres',
    store,
    events,
    artifactsRoot,
    async claim() {
      const claimed = await claimOne(worker, 60_000)
      if (!claimed) return null
      const lease = claimed.lease as PgLease
      leases.set(lease.jobId, lease)
      return lease.jobId
    },
    async finish(jobId, outcome = {}) {
      const lease = leases.get(jobId)
      if (!lease) throw new Error(`fixture: job ${jobId} was not claimed here`)
      const { rows: steps } = await pool.query<{ idx: number; name: string; resource: string; status: string }>(
        'SELECT idx, name, resource, status FROM steps WHERE job_id = $1 ORDER BY idx',
        [jobId]
      )
      const runMs = async () =>
        Number((await pool.query(`SELECT COALESCE(sum(duration_ms), 0) AS ms FROM steps WHERE job_id = $1 AND status = 'completed'`, [jobId])).rows[0].ms)
      for (let i = 0; i < steps.length; i++) {
        const s = steps[i]!
        if (s.status === 'completed') continue
        const now = Date.now()
        if (s.name === outcome.failAt) {
          const ran = (await runMs()) + STEP_MS
          await pool.query(`UPDATE steps SET status = 'failed', error = 'boom' WHERE job_id = $1 AND idx = $2 AND ${fenced(lease)}`, [jobId, s.idx])
          await line(lease, 'error', s.name, 'failed', { step: s.name, error: 'boom' })
          await pool.query(
            `UPDATE jobs SET status = 'failed', error = $2, completed_at = $3, updated_at = $3, actual_duration_ms = $4,
               lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
             WHERE id = $1 AND lease_fence = $5 AND status = 'processing'`,
            [jobId, `${s.name}: boom`, now, ran, lease.fence]
          )
          return
        }
        const { dir, file } = stepFile(artifactsRoot, jobId, s.name)
        await pool.query(
          `UPDATE steps SET status = 'completed', progress = 100, output = $3, files = $4, work_dir = $5, error = NULL, cost_usd = $6,
             completed_at = $7, duration_ms = $8
           WHERE job_id = $1 AND idx = $2 AND ${fenced(lease)}`,
          [jobId, s.idx, JSON.stringify({ step: s.name }), JSON.stringify({ [s.name]: file.slice(dataDir.length + 1) }), dir.slice(dataDir.length + 1), STEP_COST, now, STEP_MS]
        )
        const next = steps[i + 1]
        await line(lease, 'info', s.name, next ? 'finished' : 'finishedJob', { step: s.name, duration: formatMs(STEP_MS) })
        const cost = `cost_usd = (SELECT COALESCE(sum(cost_usd), 0) FROM steps WHERE job_id = jobs.id)`
        if (next) {
          await pool.query(`UPDATE jobs SET progress = $2, next_resource = $3, current_step = $4, ${cost} WHERE id = $1 AND lease_fence = $5`, [
            jobId, ((i + 1) / steps.length) * 100, next.resource, next.name, lease.fence
          ])
        } else {
          const completed = await pool.query(
            `UPDATE jobs SET status = 'completed', result = $3, progress = 100, completed_at = $4, updated_at = $4,
                    lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, current_step = NULL
              WHERE id = $1 AND lease_fence = $2 AND status = 'processing'`,
            [jobId, lease.fence, JSON.stringify({ ok: true }), now]
          )
          if (completed.rowCount !== 1) throw new Error(`fixture: lost the lease on ${jobId}`)
          await pool.query(`UPDATE jobs SET next_resource = NULL, actual_duration_ms = $2, ${cost} WHERE id = $1`, [jobId, await runMs()])
        }
      }
    },
    async age(jobId, ms) {
      await pool.query('UPDATE jobs SET completed_at = completed_at - $2 WHERE id = $1', [jobId, ms])
    },
    async storedLines(jobId) {
      const { rows } = await pool.query<StoredLine>('SELECT level, step, message, code, params FROM job_logs WHERE job_id = $1 ORDER BY id', [jobId])
      return rows
    },
    async leftovers(jobId) {
      const { rows } = await pool.query<{ steps: number; lines: number }>(
        `SELECT (SELECT count(*)::int FROM steps WHERE job_id = $1) AS steps, (SELECT count(*)::int FROM job_logs WHERE job_id = $1) AS lines`,
        [jobId]
      )
      return rows[0]!
    },
    close: async () => undefined
  }
}
