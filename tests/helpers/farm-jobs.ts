/**
 * Jobs on a test farm database, and lease stores on it: what the farm's lease tests share.
 * Jobs are inserted as the enqueue would leave them (pending, steps pending, next_needs of the
 * first step), so the tests exercise the lease store alone.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import type { GroupedWrite, HeldStep, StepSuccess } from '../../src/main/engine/store/leases'
import { PgLeaseStore, type PgClaimedJob, type PgLeaseStoreOptions } from '../../src/main/engine/store/postgres/leases'
import type { JobView, StepView } from '../../src/shared/types'

export interface TestStep {
  name: string
  resource?: string
}

let nextPosition = 0

/** A pending job with its steps, queued last. */
export async function addJob(
  pool: pg.Pool,
  id: string,
  steps: readonly TestStep[],
  o: { priority?: number; needs?: string[]; resource?: string | null } = {}
): Promise<void> {
  const first = steps[0]
  const resource = o.resource !== undefined ? o.resource : (first?.resource ?? null)
  await pool.query(
    `INSERT INTO jobs (id, type, title, payload, status, priority, position, next_resource, next_needs, created_at, updated_at)
     VALUES ($1, 'test', $1, '{"n":1}', 'pending', $2, $3, $4, $5, 0, 0)`,
    [id, o.priority ?? 10, ++nextPosition, resource, o.needs ?? (resource ? stepNeeds(resource) : [])]
  )
  await pool.query(
    `INSERT INTO steps (job_id, idx, name, title, resource, status)
     SELECT $1, i - 1, n, n, r, 'pending' FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(n, r, i)`,
    [id, steps.map((s) => s.name), steps.map((s) => s.resource ?? 'cpu')]
  )
}

/** A shared data folder for one test file. */
export function testDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'studio-farm-data-'))
}

/** Every capability a worker may advertise (farm/capabilities.ts). */
export const EVERYTHING = ['ffmpeg', 'libass', 'text', 'image', 'speech', 'moderation', 'music', 'stock', 'gpu']

/** A lease store for worker `owner`, able to run anything unless told, with a clock the test moves. */
export function leaseStore(pool: pg.Pool, owner: string, dataDir: string, clock: { now: number }, o: Partial<PgLeaseStoreOptions> = {}): PgLeaseStore {
  return new PgLeaseStore({ pool, owner, dataDir, has: EVERYTHING, stepNeeds, now: () => clock.now, ...o })
}

export const held = (s: StepView): HeldStep => ({ index: s.index, name: s.name, attempts: s.attempts })

/** What a step returns, its files in its work folder under the data folder. */
export function success(dataDir: string, jobId: string, step: string, o: Partial<StepSuccess> = {}): StepSuccess {
  const workDir = join(dataDir, 'jobs', jobId, `${step}.w`)
  return {
    data: { step },
    files: { out: join(workDir, `${step}.txt`) },
    workDir,
    costUsd: 0.01,
    provider: null,
    fallback: false,
    durationMs: 100,
    durable: true,
    ...o
  }
}

export function workDirOf(dataDir: string, jobId: string, step: string): string {
  return join(dataDir, 'jobs', jobId, `${step}.w`)
}

let sharedDataDir: string | undefined

/**
 * One ready job claimed by worker `owner` (able to run `has`) on the real clock, without a planned
 * start, or null: how a test plays a worker on another machine taking a job.
 */
export async function claimAs(pool: pg.Pool, owner: string, has: readonly string[] = [], leaseMs = 60_000): Promise<PgClaimedJob | null> {
  sharedDataDir ??= testDataDir()
  return claimOne(leaseStore(pool, owner, sharedDataDir, { now: 0 }, { has: [...has], now: Date.now }), leaseMs)
}

/** One ready job claimed without a planned start, or null. */
export async function claimOne(store: PgLeaseStore, leaseMs: number, exclude: readonly string[] = []): Promise<PgClaimedJob | null> {
  const [claimed] = await store.claim({ leaseMs, max: 1, excludeResources: () => exclude })
  return claimed ?? null
}

/** A checkpoint committed in a group of its own, as the group commit would: the job, or why not. */
export async function commit(store: PgLeaseStore, write: GroupedWrite): Promise<JobView> {
  const { outcomes } = await store.commitGroup([write], { flushed: write.durable, isolated: false, join: null })
  const outcome = outcomes[0]!
  if ('failure' in outcome) throw outcome.failure
  write.committed?.()
  return outcome.job
}
