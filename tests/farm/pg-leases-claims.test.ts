/**
 * The farm's lease store claiming from several connections at once, by capability and queue
 * order, and taking back the jobs of workers that are gone. Real PostgreSQL.
 */
import { spawn } from 'node:child_process'
import { hostname } from 'node:os'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { WorkerCapabilities } from '../../src/main/engine/farm/capabilities'
import { EventBus } from '../../src/main/engine/events'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import type { PgClaimedJob, PgLeaseStore } from '../../src/main/engine/store/postgres/leases'
import { listenForWake } from '../../src/main/engine/store/postgres/wake'
import { registerWorker } from '../../src/main/engine/store/postgres/workers'
import { addJob, claimOne, commit, held, leaseStore, success, testDataDir, workDirOf } from '../helpers/farm-jobs'
import type { EngineEvent } from '../../src/shared/types'
import { usePostgres } from '../helpers/postgres'
import { endPool } from '../helpers/pg-pool'

const db = usePostgres()
let pool: pg.Pool
const dataDir = testDataDir()
const clock = { now: 1_000_000 }

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 4 })
})
afterAll(async () => {
  await endPool(pool)
})
beforeEach(async () => {
  await pool.query('DELETE FROM jobs')
  await pool.query('DELETE FROM workers')
  await pool.query('DELETE FROM provider_calls')
  clock.now = 1_000_000
})

const LEASE = 30_000

function caps(host: string, has: string[]): WorkerCapabilities {
  return { host, platform: 'linux', cpus: 2, ffmpeg: { ok: false, reason: 'test' }, speechEngine: null, providers: [], keys: [], gpus: [], has: has as WorkerCapabilities['has'] }
}

/** Run a claimed job's remaining steps to the end, as a runner would. */
async function runToEnd(store: PgLeaseStore, c: PgClaimedJob): Promise<void> {
  const todo = c.steps.filter((s) => s.status !== 'completed')
  for (const [i, s] of todo.entries()) {
    await store.startStep(c.lease, held(s), workDirOf(dataDir, c.lease.jobId, s.name), 3)
    const last = i === todo.length - 1
    await commit(store, 
      store.completeStep(c.lease, { ...held(s), attempts: s.attempts + 1 }, success(dataDir, c.lease.jobId, s.name, { provider: 'offline' }), {
        resource: last ? null : 'cpu',
        jobProgress: last ? 100 : 50,
        ...(last ? { jobResult: c.lease.jobId } : {})
      })
    )
  }
}

describe('farm lease store: claims', () => {
  it('four workers on four connections claiming at once take each of 60 two-step jobs exactly once, and run each step once', async () => {
    for (let i = 0; i < 60; i++) await addJob(pool, `c${String(i).padStart(3, '0')}`, [{ name: 'one' }, { name: 'two' }])
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: db.url, max: 1 }))
    try {
      const taken: string[][] = [[], [], [], []]
      await Promise.all(
        pools.map(async (p, w) => {
          const store = leaseStore(p, `w${w}`, dataDir, { now: Date.now() }, { now: Date.now })
          for (let c; (c = await claimOne(store, 60_000)); ) {
            taken[w]!.push(c.lease.jobId)
            await runToEnd(store, c)
          }
        })
      )
      const all = taken.flat()
      expect(all).toHaveLength(60)
      expect(new Set(all).size).toBe(60)
      // More than one worker got work (they ran at once, not one after another).
      expect(taken.filter((t) => t.length > 0).length).toBeGreaterThan(1)
      const jobs = (await pool.query(`SELECT status, count(*)::int AS n, max(lease_fence)::int AS fence FROM jobs GROUP BY status`)).rows
      expect(jobs).toEqual([{ status: 'completed', n: 60, fence: 1 }])
      const starts = (await pool.query(`SELECT count(*)::int AS n FROM job_logs WHERE code = 'started'`)).rows[0].n
      expect(starts).toBe(120)
      expect((await pool.query('SELECT count(*)::int AS n FROM provider_calls')).rows[0].n).toBe(120)
    } finally {
      await Promise.all(pools.map(endPool))
    }
  })

  it('claims in queue order among the jobs this worker can run, leaving aside resources with no free slot', async () => {
    await addJob(pool, 'render-low', [{ name: 'r', resource: 'ffmpeg' }], { priority: 10 })
    await addJob(pool, 'speech', [{ name: 's', resource: 'tts' }], { priority: 5 })
    await addJob(pool, 'render-high', [{ name: 'r', resource: 'ffmpeg' }], { priority: 1 })
    await addJob(pool, 'gpu', [{ name: 'g', resource: 'cpu' }], { priority: 1, needs: ['gpu'] })
    await addJob(pool, 'plain', [{ name: 'p', resource: 'cpu' }], { priority: 10 })
    const renderer = leaseStore(pool, 'renderer', dataDir, clock, { has: ['ffmpeg', 'libass'] })
    // Its ffmpeg slots are full: the render jobs wait, the next job it can run comes first.
    expect((await claimOne(renderer, LEASE, ['ffmpeg']))?.lease.jobId).toBe('plain')
    const order: string[] = []
    for (let c; (c = await claimOne(renderer, LEASE)); ) order.push(c.lease.jobId)
    expect(order).toEqual(['render-high', 'render-low'])
    const voice = leaseStore(pool, 'voice', dataDir, clock, { has: ['speech'] })
    expect((await claimOne(voice, LEASE))?.lease.jobId).toBe('speech')
    expect(await claimOne(voice, LEASE)).toBeNull()
    expect(await voice.nextRunAfter()).toBeNull()
    const left = (await pool.query(`SELECT id FROM jobs WHERE status = 'pending'`)).rows
    expect(left).toEqual([{ id: 'gpu' }])
  })
})

describe('farm lease store: the queue as a whole', () => {
  it('a claim for several slots asks again which resources are full before each job (a plan may take the last slot)', async () => {
    await addJob(pool, 'r1', [{ name: 'r', resource: 'ffmpeg' }])
    await addJob(pool, 'r2', [{ name: 'r', resource: 'ffmpeg' }])
    await addJob(pool, 'p1', [{ name: 'p', resource: 'cpu' }])
    const store = leaseStore(pool, 'w', dataDir, clock)
    let ffmpegFree = 1
    const claims = await store.claim({
      leaseMs: LEASE,
      max: 3,
      excludeResources: () => (ffmpegFree > 0 ? [] : ['ffmpeg']),
      plan: (c) => {
        if (c.steps[0]!.resource === 'ffmpeg') ffmpegFree--
        return { step: held(c.steps[0]!), workDir: workDirOf(dataDir, c.lease.jobId, c.steps[0]!.name), maxAttempts: 3, skipped: [] }
      }
    })
    expect(claims.map((c) => [c.lease.jobId, c.started?.attempt])).toEqual([
      ['r1', 1],
      ['p1', 1]
    ])
    expect((await pool.query(`SELECT id, status FROM jobs ORDER BY id`)).rows).toEqual([
      { id: 'p1', status: 'processing' },
      { id: 'r1', status: 'processing' },
      { id: 'r2', status: 'pending' }
    ])
  })

  it('a job waiting for its provider is held back until the provider comes back; what is queued, held back and running', async () => {
    await addJob(pool, 'w1', [{ name: 'voice', resource: 'tts' }])
    const store = leaseStore(pool, 'w', dataDir, clock)
    expect(await store.hasWork()).toBe(true)
    const c = (await claimOne(store, LEASE))!
    expect(await store.currentStep('w1')).toBe('voice')
    await store.startStep(c.lease, held(c.steps[0]!), workDirOf(dataDir, 'w1', 'voice'), 3)
    await commit(store, store.waitForProvider(c.lease, { ...held(c.steps[0]!), attempts: 1 }, 'elevenlabs', 'HTTP 503', clock.now + 60_000, { durationMs: 20 }))
    expect(await store.currentStep('w1')).toBeNull()
    expect(await store.nextRunAfter()).toBe(clock.now + 60_000)
    expect(await claimOne(store, LEASE)).toBeNull()
    expect(await store.releaseWaiting('openai')).toBe(0)
    expect(await store.releaseWaiting('elevenlabs')).toBe(1)
    expect(await store.nextRunAfter()).toBeNull()
    const again = (await claimOne(store, LEASE))!
    expect(again.job).toMatchObject({ id: 'w1', waitingReason: null, currentStep: 'voice' })
    // The provider was down: the attempt is given back, and the failed call counted.
    expect(again.steps[0]!.attempts).toBe(0)
    expect((await pool.query('SELECT provider, ok, error FROM provider_calls')).rows).toEqual([{ provider: 'elevenlabs', ok: false, error: 'HTTP 503' }])
    await store.startStep(again.lease, held(again.steps[0]!), workDirOf(dataDir, 'w1', 'voice'), 3)
    await commit(store, store.completeStep(again.lease, { ...held(again.steps[0]!), attempts: 1 }, success(dataDir, 'w1', 'voice'), { resource: null, jobProgress: 100, jobResult: 'ok' }))
    expect(await store.hasWork()).toBe(false)
    expect(await store.currentStep('gone')).toBeNull()
  })
})

describe('farm lease store: reclaim', () => {
  it('takes back expired leases and the jobs of workers whose heartbeat stopped; leaves live ones and its own held jobs', async () => {
    const now = clock.now
    await registerWorker(pool, { id: 'gone', pid: 1, version: 't', capabilities: caps('far-away', []) }, now - 60_000)
    await registerWorker(pool, { id: 'alive', pid: 1, version: 't', capabilities: caps('far-away', []) }, now)
    for (const id of ['expired', 'by-gone', 'by-alive', 'mine']) await addJob(pool, id, [{ name: 'one' }, { name: 'two' }])
    const short = leaseStore(pool, 'someone', dataDir, clock)
    const gone = leaseStore(pool, 'gone', dataDir, clock)
    const alive = leaseStore(pool, 'alive', dataDir, clock)
    const me = leaseStore(pool, 'me', dataDir, clock)
    const expired = (await claimOne(short, 1000))!
    await short.startStep(expired.lease, held(expired.steps[0]!), workDirOf(dataDir, 'expired', 'one'), 3)
    const byGone = (await claimOne(gone, 600_000))!
    await claimOne(alive, 600_000)
    const mine = (await claimOne(me, 1000))!
    clock.now += 2000
    // Its own job with an expired lease (its renewals could not be written) stays while it runs it.
    const back = await me.reclaimAbandoned({ held: (id) => id === mine.lease.jobId })
    expect(back.sort()).toEqual(['by-gone', 'expired'])
    expect(byGone.lease.jobId).toBe('by-gone')
    const jobs = (await pool.query(`SELECT id, status, lease_owner, current_step, run_after FROM jobs ORDER BY id`)).rows
    expect(jobs).toEqual([
      { id: 'by-alive', status: 'processing', lease_owner: 'alive', current_step: 'one', run_after: '0' },
      { id: 'by-gone', status: 'pending', lease_owner: null, current_step: null, run_after: '0' },
      { id: 'expired', status: 'pending', lease_owner: null, current_step: null, run_after: '0' },
      { id: 'mine', status: 'processing', lease_owner: 'me', current_step: 'one', run_after: '0' }
    ])
    // The step that was running is pending again; the reason is in the job's log.
    expect((await pool.query(`SELECT status, progress FROM steps WHERE job_id = 'expired' ORDER BY idx`)).rows).toEqual([
      { status: 'pending', progress: 0 },
      { status: 'pending', progress: 0 }
    ])
    const lost = (await pool.query(`SELECT job_id, level, code, params FROM job_logs WHERE code = 'workerLost' ORDER BY job_id`)).rows
    expect(lost).toEqual([
      { job_id: 'by-gone', level: 'warn', code: 'workerLost', params: JSON.stringify({ worker: 'gone', step: 'one' }) },
      { job_id: 'expired', level: 'warn', code: 'workerLost', params: JSON.stringify({ worker: 'someone', step: 'one' }) }
    ])
    // A worker that renews its leases is alive: the renewal beats its heart too.
    clock.now += 60_000
    expect(await alive.renewAll([], LEASE)).toEqual([])
    expect((await pool.query(`SELECT heartbeat_at FROM workers WHERE id = 'alive'`)).rows[0].heartbeat_at).toBe(String(clock.now))
    expect(await me.reclaimAbandoned({ held: (id) => id === mine.lease.jobId })).toEqual([])
    // Nothing left to take back; without `held`, its own expired job goes too.
    expect(await me.reclaimAbandoned({ held: (id) => id === mine.lease.jobId })).toEqual([])
    expect(await me.reclaimAbandoned()).toEqual(['mine'])
  })

  it("takes back at once the jobs of a worker process on this machine that no longer exists, and names its work folders", async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    const deadPid = child.pid!
    await new Promise((resolve) => child.on('exit', resolve))
    await registerWorker(pool, { id: 'crashed', pid: deadPid, version: 't', capabilities: caps(hostname(), []) }, clock.now)
    await addJob(pool, 'k1', [{ name: 'one' }])
    const crashed = leaseStore(pool, 'crashed', dataDir, clock)
    const c = (await claimOne(crashed, 600_000))!
    await crashed.startStep(c.lease, held(c.steps[0]!), workDirOf(dataDir, 'k1', 'one'), 3)
    const events = new EventBus()
    const seen: EngineEvent[] = []
    events.subscribe((e) => seen.push(e))
    const other = leaseStore(pool, 'other', dataDir, clock, { events })
    const work: string[][] = []
    expect(await other.reclaimAbandoned({ onAbandonedWork: (dirs) => work.push(dirs) })).toEqual(['k1'])
    expect(work).toEqual([[workDirOf(dataDir, 'k1', 'one')]])
    // The job's change and the line saying why are announced, as stored.
    const lineId = Number((await pool.query(`SELECT id FROM job_logs WHERE code = 'workerLost'`)).rows[0].id)
    expect(seen.map((e) => (e.type === 'job.log' ? [e.type, e.line.id, e.line.code, e.line.message] : e.type === 'job.changed' ? [e.type, e.job.status] : [e.type]))).toEqual([
      ['job.log', lineId, 'workerLost', 'worker crashed stopped responding during one; job returned to the queue'],
      ['job.changed', 'pending']
    ])
  })

  it('a job given back to the queue wakes the idle workers (LISTEN/NOTIFY), at its commit', async () => {
    await addJob(pool, 'n1', [{ name: 'one' }])
    const store = leaseStore(pool, 'w', dataDir, clock)
    const c = (await claimOne(store, LEASE))!
    const woken: string[] = []
    const listener = await listenForWake(db.url, (reason) => woken.push(reason))
    try {
      await store.startStep(c.lease, held(c.steps[0]!), workDirOf(dataDir, 'n1', 'one'), 3)
      await commit(store, store.retryLater(c.lease, { ...held(c.steps[0]!), attempts: 1 }, 'flaky', clock.now, 10, null))
      const deadline = Date.now() + 20_000
      while (woken.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      expect(woken).toEqual(['jobs'])
    } finally {
      await listener.close()
    }
  })
})
