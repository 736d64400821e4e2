/**
 * Another process can hold SQLite's write lock for a while: a CLI cleanup, an import, a backup
 * tool. A step that finishes meanwhile has done its work (maybe paid for it): its checkpoint must
 * wait for the database, not throw the work away and run the step again.
 */
import Database from 'better-sqlite3'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { databaseFile } from '../../src/main/engine/engine'
import { claimOne } from '../../src/main/engine/store/leases'
import { closeAfterEach } from '../helpers/closing'
import { openTestEngine, tempDir, until } from '../helpers/engine'
import { callsOf } from '../helpers/test-pipelines'

const track = closeAfterEach()

/** An engine, and a second connection to its database to hold the write lock with. */
function engineBesideLock(overrides: Parameters<typeof openTestEngine>[0] = {}) {
  const dir = tempDir()
  const engine = track(openTestEngine(overrides, dir), (e) => e.close(100))
  // The busy wait blocks the engine's thread; keep it short so the lock outlasts it many times.
  engine.db.pragma('busy_timeout = 50')
  const other = track(new Database(databaseFile(dir)), (db) => db.close())
  return { dir, engine, other }
}

/** Runs a `three` job (label `label`) until its step b works, holding on the file `hold`. */
async function holdAtB(dir: string, engine: ReturnType<typeof openTestEngine>, label: string) {
  writeFileSync(join(dir, 'hold'), '')
  const job = engine.queue.enqueue({ type: 'three', input: { label, holdWhile: { b: 'hold' } } })
  engine.pool.start()
  await until(() => callsOf(dir).includes(`${label}:b`), 5_000, 'step b to run')
  return job
}

async function finishWhileLocked(lockMs: number) {
  const { dir, engine, other } = engineBesideLock()
  const job = await holdAtB(dir, engine, 'x')

  other.exec('BEGIN IMMEDIATE')
  rmSync(join(dir, 'hold')) // step b finishes while the other connection holds the lock
  await new Promise((r) => setTimeout(r, lockMs))
  expect(engine.queue.get(job.id)!.steps[1]!.status).toBe('running')
  other.exec('COMMIT')
  // Its lease may have run out meanwhile (no renewal could be written): still, it is not
  // abandoned, this engine is running it.
  expect(await engine.pool.reclaimAbandoned()).toEqual([])

  await until(() => engine.queue.get(job.id)!.status === 'completed', 10_000, 'the job to complete')
  // b ran once: its checkpoint waited for the database.
  expect(callsOf(dir)).toEqual(['x:a', 'x:b', 'x:c'])
  expect(engine.queue.logs(job.id).map((l) => l.message).filter((m) => m.startsWith('finished b'))).toHaveLength(1)
}

describe('a checkpoint while another process holds the database', () => {
  it('waits for the lock to go, then is stored: the step is not run again', async () => {
    await finishWhileLocked(600)
  })

  it('also when the lock outlasts the lease, which this engine does not take back from itself', async () => {
    await finishWhileLocked(2_500)
  })
})

describe("a step's failure while another process holds the database", () => {
  it('is stored once the lock goes: the job fails, its step is not run again', async () => {
    const { dir, engine, other } = engineBesideLock()
    const job = await holdAtB(dir, engine, 'f')

    other.exec('BEGIN IMMEDIATE')
    writeFileSync(join(dir, 'fail-b-f'), '') // b fails for good at the end of its work, during the lock
    rmSync(join(dir, 'hold'))
    await new Promise((r) => setTimeout(r, 600))
    expect(engine.queue.get(job.id)!.status).toBe('processing')
    expect(await engine.pool.reclaimAbandoned()).toEqual([])
    other.exec('COMMIT')

    await until(() => engine.queue.get(job.id)!.status === 'failed', 10_000, 'the job to fail')
    expect(engine.queue.get(job.id)!.error).toBe('b: b refused f')
    // It would otherwise sit in processing until its lease ran out, then run b again.
    await new Promise((r) => setTimeout(r, 300))
    expect(callsOf(dir)).toEqual(['f:a', 'f:b'])
  })

  it('a retry waits too: the step runs again as that retry, not as a job taken back from a lost worker', async () => {
    const { dir, engine, other } = engineBesideLock()
    const job = await holdAtB(dir, engine, 'r')

    other.exec('BEGIN IMMEDIATE')
    writeFileSync(join(dir, 'flaky-b-r'), '') // b times out at the end of its work, during the lock
    rmSync(join(dir, 'hold'))
    await new Promise((r) => setTimeout(r, 600))
    expect(await engine.pool.reclaimAbandoned()).toEqual([])
    other.exec('COMMIT')

    await until(() => engine.queue.get(job.id)!.status === 'completed', 10_000, 'the job to complete')
    expect(callsOf(dir)).toEqual(['r:a', 'r:b', 'r:b', 'r:c'])
    const log = engine.queue.logs(job.id).map((l) => l.message)
    expect(log.filter((m) => m.startsWith('b failed, will retry'))).toHaveLength(1)
    expect(log.join('\n')).not.toMatch(/stopped responding/)
    expect(engine.queue.get(job.id)!.steps[1]!.attempts).toBe(2)
  })
})

describe("a step's start while another process holds the database", () => {
  it('gives the job back, saying why, instead of failing it; it then runs', async () => {
    // Two llm calls at least 2.5 s apart: the later one starts on a timer, during the lock.
    const { dir, engine, other } = engineBesideLock({ resources: { llm: { concurrency: 2, minIntervalMs: 2_500 } } })
    const first = engine.queue.enqueue({ type: 'remote', input: { label: 'x' } })
    const second = engine.queue.enqueue({ type: 'remote', input: { label: 'y' } })
    engine.pool.start()
    // One job's call runs; the other's waits for the rate limit.
    const calls = () => callsOf(dir).filter((c) => c.endsWith(':call'))
    await until(() => calls().length === 1 && [first, second].every((j) => engine.queue.get(j.id)!.steps[0]!.status === 'completed'), 2_000, 'a call to wait')
    const firstCallStartedBy = Date.now()
    const waiting = calls()[0] === 'x:call' ? second : first
    const label = waiting === first ? 'x' : 'y'

    other.exec('BEGIN IMMEDIATE')
    // Held until well after the later call's turn, so its start meets the lock.
    await new Promise((r) => setTimeout(r, firstCallStartedBy + 3_500 - Date.now()))
    expect(calls()).toHaveLength(1)
    other.exec('COMMIT')

    // Given back, the job is claimed again in the very commit that gives it back: the run that
    // gave it back must not take the new run's lease with it as it ends (it stopped renewing).
    await until(() => [first, second].every((j) => engine.queue.get(j.id)!.status === 'completed'), 10_000, 'both jobs to complete')
    const log = engine.queue.logs(waiting.id).map((l) => l.message)
    expect(log).toContain('the database was locked by another process at call; job returned to the queue')
    expect(log.join('\n')).not.toMatch(/stopped responding|internal error/)
    expect(callsOf(dir).filter((c) => c === `${label}:call`)).toHaveLength(1)
  })
})

describe('stopping the engine while another process holds the database', () => {
  it('ends within its grace period; the next engine resumes the job at the step whose checkpoint could not be stored', async () => {
    const dir = tempDir()
    const engine = openTestEngine({}, dir)
    engine.db.pragma('busy_timeout = 50')
    const other = track(new Database(databaseFile(dir)), (db) => db.close())
    writeFileSync(join(dir, 'hold'), '')
    const job = engine.queue.enqueue({ type: 'three', input: { label: 's', holdWhile: { b: 'hold' } } })
    engine.pool.start()
    await until(() => callsOf(dir).includes('s:b'), 5_000, 'step b to run')

    other.exec('BEGIN IMMEDIATE')
    rmSync(join(dir, 'hold')) // b's checkpoint waits for the lock, then its job's hand-back too
    await engine.close(200)
    other.exec('COMMIT')

    const next = track(openTestEngine({}, dir), (e) => e.close(100))
    next.pool.start()
    await until(() => next.queue.get(job.id)!.status === 'completed', 10_000, 'the job to resume and complete')
    expect(callsOf(dir)).toEqual(['s:a', 's:b', 's:b', 's:c'])
  })
})

describe('taking back abandoned jobs while another process holds the database', () => {
  it('neither the start nor the pool fails; the job is taken back once the lock is gone', async () => {
    const dir = tempDir()
    const gone = track(openTestEngine({}, dir), (e) => e.close(0))
    const job = gone.queue.enqueue({ type: 'one', input: { label: 'y' } })
    await claimOne(gone.leases, 1) // its worker stops answering: the lease runs out
    const engine = track(openTestEngine({}, dir), (e) => e.close(100))
    engine.db.pragma('busy_timeout = 50')
    const other = track(new Database(databaseFile(dir)), (db) => db.close())
    other.exec('BEGIN IMMEDIATE')
    expect(() => engine.pool.start()).not.toThrow()
    await new Promise((r) => setTimeout(r, 400)) // several reclaim rounds meet the lock
    other.exec('COMMIT')
    await until(() => engine.queue.get(job.id)!.status === 'completed', 10_000, 'the job to be taken back and run')
  })
})

describe("a provider's health probe while another process holds the database", () => {
  it('is not taken for a failed probe, and the engine does not fail; the waiting job runs once the lock is gone', async () => {
    const dir = tempDir()
    const flag = join(dir, 'flaky.down')
    const probes: string[] = []
    const engine = track(
      openTestEngine(
        {
          probe: (provider) =>
            provider === 'flaky'
              ? async () => {
                  probes.push(existsSync(flag) ? 'down' : 'up')
                  if (existsSync(flag)) throw new Error('still 503')
                }
              : undefined,
          breaker: { failureThreshold: 3, cooldownMs: 200, maxCooldownMs: 200 }
        },
        dir
      ),
      (e) => e.close(100)
    )
    engine.db.pragma('busy_timeout = 50')
    writeFileSync(flag, '')
    const job = engine.queue.enqueue({ type: 'remote', input: { label: 'p' } })
    engine.pool.start()
    await until(() => engine.queue.stats().waiting === 1, 5_000, 'the job to wait for its provider')

    const other = track(new Database(databaseFile(dir)), (db) => db.close())
    other.exec('BEGIN IMMEDIATE')
    rmSync(flag)
    await until(() => probes.includes('up'), 5_000, 'a probe while the database is locked')
    await new Promise((r) => setTimeout(r, 100))
    other.exec('COMMIT')

    await until(() => engine.queue.get(job.id)!.status === 'completed', 10_000, 'the job to run')
    expect((await engine.health()).find((h) => h.provider === 'flaky')!.state).toBe('closed')
  })
})
