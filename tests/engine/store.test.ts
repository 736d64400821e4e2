import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrate, openDatabase } from '../../src/main/engine/store/database'
import { MIGRATIONS } from '../../src/main/engine/store/migrations'
import { readRows } from '../../src/main/engine/store/row-reader'
import { JOB_ROW, STEP_ROW } from '../../src/main/engine/store/rows'
import { databaseFile } from '../../src/main/engine/engine'
import { openTestEngine, tempDir } from '../helpers/engine'

describe('database and migrations', () => {
  it('creates the schema once, in WAL mode, and reopening applies nothing', () => {
    const file = join(tempDir(), 'studio.db')
    const db = openDatabase(file)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('temp_store', { simple: true })).toBe(2) // MEMORY: savepoint journals off the disk
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version)
    db.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run()
    db.close()
    const again = openDatabase(file)
    expect(migrate(again, MIGRATIONS)).toBe(0)
    expect(again.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: 'v' })
    again.close()
  })

  it('refuses a database written by a newer build instead of touching it', () => {
    const file = join(tempDir(), 'studio.db')
    const raw = new Database(file)
    raw.pragma('user_version = 99')
    raw.close()
    expect(() => openDatabase(file)).toThrow(/newer Creative Studio \(schema 99/)
  })

  it('an older database learns which of its jobs have a cost that is only a floor (schema 4)', () => {
    const file = join(tempDir(), 'studio.db')
    const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 3))
    const job = (id: string) =>
      old.prepare("INSERT INTO jobs (id, type, payload, status, position, cost_usd, created_at, updated_at) VALUES (?, 'three', '{}', 'completed', 1, 0.01, 1, 1)").run(id)
    const step = (jobId: string, idx: number, cost: number | null) =>
      old.prepare("INSERT INTO steps (job_id, idx, name, title, resource, status, cost_usd) VALUES (?, ?, ?, ?, 'cpu', 'completed', ?)").run(jobId, idx, `s${idx}`, `S${idx}`, cost)
    job('priced')
    step('priced', 0, 0.01)
    job('unpriced')
    step('unpriced', 0, 0.01)
    step('unpriced', 1, null)
    old.close()

    const db = openDatabase(file)
    expect(db.prepare('SELECT id, cost_usd, cost_unknown FROM jobs ORDER BY id').all()).toEqual([
      { id: 'priced', cost_usd: 0.01, cost_unknown: 0 },
      { id: 'unpriced', cost_usd: 0.01, cost_unknown: 1 }
    ])
    db.close()
  })

  it("an older database's finished jobs last as long as their steps ran, not since they first started (schema 8)", () => {
    const file = join(tempDir(), 'studio.db')
    const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 7))
    // Failed once, retried 26 minutes later: 1 600 911 ms between first start and completion.
    old.prepare("INSERT INTO jobs (id, type, payload, status, position, seq, actual_duration_ms, created_at, updated_at) VALUES ('j', 'three', '{}', 'completed', 1, 1, 1600911, 1, 1)").run()
    const step = old.prepare("INSERT INTO steps (job_id, idx, name, title, resource, status, duration_ms) VALUES ('j', ?, ?, ?, 'cpu', 'completed', ?)")
    step.run(0, 'a', 'A', 4)
    step.run(1, 'b', 'B', 3)
    old.close()

    const db = openDatabase(file)
    expect(db.prepare('SELECT actual_duration_ms FROM jobs').pluck().get()).toBe(7)
    db.close()
  })

  it("an older database keeps every job's log, now filed by job number (schema 5)", () => {
    const dataDir = tempDir()
    const old = openDatabase(databaseFile(dataDir), MIGRATIONS.filter((m) => m.version <= 4))
    for (const [i, id] of ['first', 'second'].entries()) {
      old.prepare("INSERT INTO jobs (id, type, payload, status, position, created_at, updated_at) VALUES (?, 'one', '{}', 'completed', ?, 1, 1)").run(id, i + 1)
      old.prepare("INSERT INTO steps (job_id, idx, name, title, resource, status) VALUES (?, 0, 'only', 'Only', 'cpu', 'completed')").run(id)
    }
    const line = old.prepare("INSERT INTO job_logs (job_id, ts, level, step, message) VALUES (?, ?, 'info', 'only', ?)")
    line.run('second', 10, 'second: started')
    line.run('first', 11, 'first: started')
    line.run('second', 12, 'second: finished')
    old.close()

    const engine = openTestEngine({}, dataDir)
    try {
      expect(engine.queue.logs('second').map((l) => [l.id, l.ts, l.message])).toEqual([
        [1, 10, 'second: started'],
        [3, 12, 'second: finished']
      ])
      expect(engine.queue.logs('second', { afterId: 1 }).map((l) => l.message)).toEqual(['second: finished'])
      // A job queued after the upgrade is numbered after the old ones: its log is its own.
      const fresh = engine.queue.enqueue({ type: 'one', input: {} })
      expect(engine.queue.logs(fresh.id).map((l) => l.message)).toEqual(['queued with priority 10'])
      // Deleting a job still deletes its log, and only its log.
      engine.queue.remove('first')
      expect(engine.db.prepare('SELECT job_id, COUNT(*) AS n FROM job_logs GROUP BY job_id ORDER BY job_id').all()).toEqual([
        { job_id: fresh.id, n: 1 },
        { job_id: 'second', n: 2 }
      ])
    } finally {
      void engine.close()
    }
  })

  it("an older database keeps every job's steps, now filed by job number (schema 16)", async () => {
    const dataDir = tempDir()
    const old = openDatabase(databaseFile(dataDir), MIGRATIONS.filter((m) => m.version <= 15))
    const job = old.prepare(
      "INSERT INTO jobs (id, seq, type, payload, status, position, cost_usd, error, created_at, updated_at) VALUES (?, ?, 'three', '{}', ?, ?, ?, ?, 1, 1)"
    )
    const step = old.prepare(
      `INSERT INTO steps (job_id, idx, name, title, resource, status, attempts, output, cost_usd, provider, duration_ms)
       VALUES (?, ?, ?, ?, 'cpu', ?, ?, ?, ?, ?, ?)`
    )
    // Inserted out of key order (the second job's steps first), as random ids filed them.
    job.run('zz-done', 1, 'completed', 1, 0.03, null)
    job.run('aa-failed', 2, 'failed', 2, 0.01, 'b: boom')
    for (const [idx, name] of ['a', 'b', 'c'].entries()) {
      step.run('aa-failed', idx, name, name.toUpperCase(), idx === 0 ? 'completed' : idx === 1 ? 'failed' : 'pending', idx < 2 ? 1 : 0,
        idx === 0 ? '{"words":3}' : null, idx === 0 ? 0.01 : null, idx === 0 ? 'fake' : null, idx === 0 ? 5 : null)
    }
    for (const [idx, name] of ['a', 'b', 'c'].entries()) {
      step.run('zz-done', idx, name, name.toUpperCase(), 'completed', 1, `{"n":${idx}}`, 0.01, 'fake', 10 + idx)
    }
    old.close()

    const engine = openTestEngine({}, dataDir)
    try {
      expect(engine.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version)
      const keyed = engine.db.prepare("SELECT name FROM pragma_table_info('steps') WHERE pk > 0 ORDER BY pk").pluck().all()
      expect(keyed).toEqual(['job_seq', 'idx'])
      const done = engine.queue.get('zz-done')!
      expect(done.steps.map((s) => [s.index, s.name, s.status, s.output, s.cost, s.provider, s.durationMs])).toEqual([
        [0, 'a', 'completed', { n: 0 }, 0.01, 'fake', 10],
        [1, 'b', 'completed', { n: 1 }, 0.01, 'fake', 11],
        [2, 'c', 'completed', { n: 2 }, 0.01, 'fake', 12]
      ])
      const failed = engine.queue.get('aa-failed')!
      expect(failed.steps.map((s) => [s.name, s.status, s.attempts, s.output])).toEqual([
        ['a', 'completed', 1, { words: 3 }],
        ['b', 'failed', 1, null],
        ['c', 'pending', 0, null]
      ])
      // The old job runs on from its kept steps: its first step is not run (nor paid) again.
      engine.queue.retry('aa-failed')
      engine.pool.start()
      await engine.pool.whenIdle()
      const retried = engine.queue.get('aa-failed')!
      expect(retried.status).toBe('completed')
      expect(retried.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
        ['a', 'completed', 1],
        ['b', 'completed', 1],
        ['c', 'completed', 1]
      ])
      expect(retried.steps[0]!.output).toEqual({ words: 3 })
      // A job queued after the upgrade is numbered after the old ones: its steps are its own.
      const fresh = engine.queue.enqueue({ type: 'one', input: {} })
      expect(engine.queue.get(fresh.id)!.steps.map((s) => [s.name, s.status])).toEqual([['only', 'pending']])
      // Deleting a job still deletes its steps, and only its steps.
      engine.queue.remove('zz-done')
      expect(engine.db.prepare('SELECT job_id, COUNT(*) AS n FROM steps GROUP BY job_id ORDER BY job_id').all()).toEqual([
        { job_id: 'aa-failed', n: 3 },
        { job_id: fresh.id, n: 1 }
      ].sort((x, y) => (x.job_id < y.job_id ? -1 : 1)))
    } finally {
      await engine.close()
    }
  })

  it('job and step rows read as arrays are the rows SQLite returns, column for column', async () => {
    const engine = openTestEngine()
    try {
      const job = engine.queue.enqueue({ type: 'three', input: { label: 'r' } })
      engine.pool.start()
      await engine.pool.whenIdle()
      const own = <T>(sql: string) => engine.db.prepare(sql).all(job.id) as T[]
      const jobs = own<Record<string, unknown>>('SELECT * FROM jobs WHERE id = ?')
      const steps = own<Record<string, unknown>>('SELECT * FROM steps WHERE job_id = ? ORDER BY idx')
      expect(steps).toHaveLength(3)
      expect(readRows(engine.db, 'SELECT * FROM jobs WHERE id = ?', JOB_ROW).all(job.id)).toStrictEqual(jobs)
      expect(readRows(engine.db, 'SELECT * FROM steps WHERE job_id = ? ORDER BY idx', STEP_ROW).all(job.id)).toStrictEqual(steps)
      // A statement that lacks a column the row needs fails when it is first read, naming the column.
      expect(() => readRows(engine.db, 'SELECT id, type FROM jobs', JOB_ROW)).toThrow(/no column "seq"/)
    } finally {
      await engine.close()
    }
  })

  it('the job a claim and each checkpoint announce is the job as stored, payload included', async () => {
    // Worker writes return only the view's columns and take the payload their claim read: a
    // column read into the wrong field, or another job's payload, shows here.
    const engine = openTestEngine()
    try {
      const jobs = [0, 1, 2].map((i) => engine.queue.enqueue({ type: 'three', input: { label: `v${i}` } }))
      const seen: Array<[unknown, unknown]> = []
      engine.events.subscribe((e) => {
        if (e.type === 'job.changed') seen.push([e.job, engine.queue.require(e.job.id)])
      }, ['job.changed'])
      engine.pool.start()
      await engine.pool.whenIdle()
      // Per job: its claim, then one checkpoint per step.
      expect(seen.length).toBeGreaterThanOrEqual(jobs.length * 4)
      for (const [announced, stored] of seen) expect(announced).toStrictEqual(stored)
      for (const job of jobs) {
        const last = seen.filter(([a]) => (a as { id: string }).id === job.id).at(-1)![0] as { status: string; payload: unknown }
        expect(last.status).toBe('completed')
        expect(last.payload).toStrictEqual(job.payload)
      }
    } finally {
      await engine.close()
    }
  })

  it('a failing migration leaves the database as it was', () => {
    const file = join(tempDir(), 'studio.db')
    const db = openDatabase(file)
    const broken = [...MIGRATIONS, { version: 99, name: 'broken', sql: 'CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);' }]
    expect(() => migrate(db, broken)).toThrow(/nowhere/)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version)
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'extra'").get()).toEqual({ n: 0 })
    db.close()
  })
})
