/**
 * The engine's own statements for no-op jobs, issued straight to better-sqlite3 (no engine around
 * them, as in sql-floor.ts but with the engine's exact claim, steps read, step start, log lines,
 * checkpoint and step finish, the claims of a commit in their savepoint and the two PRAGMAs of a
 * relaxed commit), `C` jobs per commit, and variants of them side by side: what each part of the
 * SQL costs per job, to choose what is worth changing in the store. Variants run interleaved, each
 * on a fresh database; it prints the median and every run's CPU µs per job.
 *
 *   node --import tsx bench/queue/sql-variants.ts [--n 4000] [--concurrency 2,8] [--reps 5] [--only base,trimmed]
 *
 * Variants: `base` (as the engine), `trimmed` (the checkpoint returns 9 columns, as it does since
 * the sqlite-cpu2 branch), `returnsLittle` (claim and checkpoint return one or two columns: not
 * possible, the claim's view is needed), `noPragma` (the connection left at NORMAL: no toggles),
 * `noSavepoint` (claims without their savepoint), `batchedLog` (a commit's log lines in one
 * INSERT), and `without <index>` (an index dropped, to bound what its pages cost).
 * It prints figures; it asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { EventBus } from '../../src/main/engine/events'
import { databaseFile } from '../../src/main/engine/engine'
import { openDatabase } from '../../src/main/engine/store/database'
import { SqliteJobStore as Queue } from '../../src/main/engine/store/jobs'
import { VIEW_COLUMNS } from '../../src/main/engine/store/rows'
import { noopPipelines, payload } from './noop-engine'

interface Variant {
  returns: 'all' | 'checkpointTrimmed' | 'little'
  pragmas: boolean
  savepoint: boolean
  batchedLog: boolean
  schema: string
}

const MOVED = 'priority, position, retry_count, waiting_reason, run_after, pause_requested, current_step, error, result'

function run(n: number, group: number, v: Variant): number {
  const dir = mkdtempSync(join(tmpdir(), 'sql-variants-'))
  const db = openDatabase(databaseFile(dir))
  try {
    const queue = new Queue({ db, events: new EventBus(), pipelines: noopPipelines(), artifactsRoot: dir })
    queue.enqueueMany(Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) })))
    if (v.schema) db.exec(v.schema)
    const claim = db
      .prepare(
        `UPDATE jobs SET status = 'processing', lease_token = @token, lease_owner = @owner, lease_expires_at = @expires,
           started_at = COALESCE(started_at, @now), waiting_reason = NULL, waiting_provider = NULL, updated_at = @now,
           current_step = (SELECT name FROM steps WHERE job_seq = jobs.seq AND status != 'completed' ORDER BY idx LIMIT 1)
         WHERE rowid = (SELECT rowid FROM jobs WHERE status = 'pending' AND run_after <= @now ORDER BY priority, position LIMIT 1)
         RETURNING rowid AS row_id, seq, id, ${v.returns === 'little' ? 'pause_requested' : `payload, ${VIEW_COLUMNS}`}`
      )
      .raw(true)
    const steps = db.prepare('SELECT * FROM steps WHERE job_seq = ? ORDER BY idx').raw(true)
    const start = db.prepare(
      "UPDATE steps SET status = 'running', attempts = ?, progress = 0, error = NULL, work_dir = ?, started_at = ? WHERE job_seq = ? AND idx = ?"
    )
    const line = '(?, ?, ?, ?, ?, ?, ?, ?)'
    const log = db.prepare(`INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params) VALUES ${line}`)
    const logAll = db.prepare(`INSERT INTO job_logs (job_seq, job_id, ts, level, step, message, code, params) VALUES ${Array(2 * group).fill(line).join(', ')}`)
    const returned = v.returns === 'all' ? VIEW_COLUMNS : v.returns === 'checkpointTrimmed' ? MOVED : 'pause_requested'
    const done = db
      .prepare(
        `UPDATE jobs SET status = 'completed', progress = 100, current_step = NULL, result = @result, error = NULL, next_resource = NULL,
           completed_at = @now, actual_duration_ms = @runMs, cost_usd = @cost, cost_unknown = @costUnknown,
           lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
         WHERE rowid = @row AND lease_token = @token AND status = 'processing' RETURNING ${returned}`
      )
      .raw(true)
    const stepDone = db.prepare(
      `UPDATE steps SET status = 'completed', progress = 100, output = ?, files = ?, work_dir = ?, error = NULL,
         cost_usd = ?, provider = ?, fallback = ?, completed_at = ?, duration_ms = ? WHERE job_seq = ? AND idx = ?`
    )
    const normal = db.prepare('PRAGMA synchronous = NORMAL')
    const full = db.prepare('PRAGMA synchronous = FULL')
    // Last: SQLite applies PRAGMA synchronous when the statement is prepared (and prepares it again
    // at each run), so preparing `full` above set the connection back to FULL.
    if (!v.pragmas) db.pragma('synchronous = NORMAL')
    const tx = db.transaction((f: () => unknown) => f())

    interface Held {
      row: number
      seq: number
      id: string
      token: string
      workDir: string
    }
    let claims = 0
    let running: Held[] = []
    const cpu = process.cpuUsage()
    do {
      const now = Date.now()
      const lines: unknown[] = []
      const logLine = (seq: number, id: string, code: string, params: string) => {
        if (v.batchedLog) lines.push(seq, id, now, 'info', 'noop', '', code, params)
        else log.run(seq, id, now, 'info', 'noop', '', code, params)
      }
      const claimAll = (): Held[] => {
        const next: Held[] = []
        for (let k = 0; k < group; k++) {
          const token = `token.${claims++}`
          const r = claim.get({ token, owner: 'host:1:abcd', expires: now + 30_000, now }) as unknown[] | undefined
          if (!r) break
          const [row, seq, id] = r as [number, number, string]
          steps.all(seq)
          const workDir = `/tmp/studio/artifacts/${id}/01-noop.${claims.toString(16).padStart(8, '0')}`
          start.run(1, workDir, now, seq, 0)
          logLine(seq, id, 'started', '{"step":"noop","attempt":1,"max":3}')
          next.push({ row, seq, id, token, workDir })
        }
        return next
      }
      const commit = () => {
        for (const j of running) {
          if (!done.get({ result: '{"output":null,"files":{}}', now, runMs: 0, cost: 0, costUnknown: 0, row: j.row, token: j.token })) throw new Error('lease lost')
          stepDone.run('null', '{}', j.workDir, 0, null, 0, now, 0, j.seq, 0)
          logLine(j.seq, j.id, 'finishedJob', '{"step":"noop","duration":"0 ms"}')
        }
        const next = v.savepoint ? (tx(claimAll) as Held[]) : claimAll()
        if (lines.length === 16 * group) logAll.run(...lines)
        else for (let i = 0; i < lines.length; i += 8) log.run(...lines.slice(i, i + 8))
        return next
      }
      if (v.pragmas) normal.run()
      running = tx.immediate(commit) as Held[]
      if (v.pragmas) full.run()
    } while (running.length)
    const used = process.cpuUsage(cpu)
    return (used.user + used.system) / n
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const base: Variant = { returns: 'all', pragmas: true, savepoint: true, batchedLog: false, schema: '' }
const variants: Record<string, Variant> = {
  base,
  trimmed: { ...base, returns: 'checkpointTrimmed' },
  returnsLittle: { ...base, returns: 'little' },
  noPragma: { ...base, pragmas: false },
  noSavepoint: { ...base, savepoint: false },
  batchedLog: { ...base, batchedLog: true },
  'without jobs_finished': { ...base, schema: 'DROP INDEX jobs_finished' },
  'without steps_done_by_name': { ...base, schema: 'DROP INDEX steps_done_by_name' },
  'without job_logs_by_job': { ...base, schema: 'DROP INDEX job_logs_by_job' }
}

const { values } = parseArgs({
  options: { n: { type: 'string', default: '4000' }, concurrency: { type: 'string', default: '2,8' }, reps: { type: 'string', default: '5' }, only: { type: 'string' } }
})
const only = values.only?.split(',')
const n = Number(values.n)
for (const group of values.concurrency!.split(',').map(Number)) {
  const results: Record<string, number[]> = {}
  for (let rep = 0; rep < Number(values.reps); rep++) {
    for (const [name, v] of Object.entries(variants)) if (!only || only.includes(name)) (results[name] ??= []).push(run(n, group, v))
  }
  for (const [name, xs] of Object.entries(results)) {
    const sorted = [...xs].sort((a, b) => a - b)
    console.log(`C=${group}  ${name.padEnd(28)} ${sorted[sorted.length >> 1]!.toFixed(1).padStart(6)} µs/job   (${xs.map((x) => x.toFixed(0)).join(' ')})`)
  }
}
