/**
 * Opening after a crash: a studio whose queue holds 100 000 video jobs, 1 000 of them interrupted
 * mid-pipeline (processing, two steps done, the third running, leases expired, their engine's
 * process gone), is opened by a fresh process the way the app and the CLI open it
 * (openStudio + startWork). Times the loading of the engine's modules, the open (database,
 * migrations check, settings), the start (batches resumed, then the pool, whose first act is the
 * recovery sweep handing the 1 000 jobs back to the queue), and the first claim after it.
 * Goal from issue 20: open + recovery < 1 s. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/queue/recovery.ts [--jobs 100000] [--interrupted 1000] [--reps 3]
 *
 * The database is built once by a child process (./full-queue.ts: one transaction for the jobs,
 * one for the interruption), which then exits: its pid is the dead owner of the interrupted leases, as after a
 * kill -9. Each measured open runs in a fresh process on a fresh copy of that database, so every
 * open finds the same 1 000 interrupted jobs (the page cache is warm: the copy was just written).
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { FullQueue } from './full-queue'

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    interrupted: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '3' },
    build: { type: 'string' },
    recover: { type: 'string' }
  }
})
const JOBS = Number(values.jobs)
const INTERRUPTED = Number(values.interrupted)

interface RecoverResult {
  /** From the process's start (node + tsx boot) to the first line of this file. */
  bootMs: number
  importMs: number
  openMs: number
  startMs: number
  /** Part of startMs: the sweep itself (LeaseStore.reclaimAbandoned, `ps` for orphaned tools included). */
  sweepMs: number
  /** From the end of startWork to the first job.changed to processing. */
  firstClaimMs: number
  processingAfterSweep: number
  pendingAfterSweep: number
  workerLostLogs: number
}

async function recover(dataDir: string): Promise<RecoverResult> {
  const bootMs = performance.now()
  let t = performance.now()
  const { openStudio } = await import('../../src/main/engine/studio')
  const importMs = performance.now() - t

  t = performance.now()
  const studio = openStudio({ dataDir })
  const openMs = performance.now() - t

  let claimed!: () => void
  const firstClaim = new Promise<void>((resolve) => (claimed = resolve))
  studio.events.subscribe((e) => {
    if (e.type === 'job.changed' && e.job.status === 'processing') claimed()
  })
  let sweepMs = 0
  const reclaim = studio.leases.reclaimAbandoned.bind(studio.leases)
  studio.leases.reclaimAbandoned = (options) => {
    const s = performance.now()
    try {
      return reclaim(options)
    } finally {
      sweepMs += performance.now() - s
    }
  }
  t = performance.now()
  studio.startWork() // the sweep runs inside, before any claim (claims wait for the next tick)
  const startMs = performance.now() - t
  const afterStart = performance.now()
  const count = (status: string) =>
    studio.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM jobs WHERE status = ?').get(status)!.n
  const processingAfterSweep = count('processing')
  const pendingAfterSweep = count('pending')
  const workerLostLogs = studio.db
    .prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM job_logs WHERE level = 'warn' AND step = 'audio'")
    .get()!.n
  await Promise.race([firstClaim, new Promise((r) => setTimeout(r, 30_000))])
  const firstClaimMs = performance.now() - afterStart
  return { bootMs, importMs, openMs, startMs, sweepMs, firstClaimMs, processingAfterSweep, pendingAfterSweep, workerLostLogs }
}

function runSelf(args: string[]): string {
  const out = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024
  })
  const line = out.stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (out.status !== 0 || !line) throw new Error(`child ${args.join(' ')} failed (exit ${out.status}):\n${out.stderr}\n${out.stdout}`)
  return line.slice('RESULT '.length)
}

const ms = (x: number) => `${x.toFixed(0)} ms`

async function parent(): Promise<void> {
  const reps = Number(values.reps)
  const root = mkdtempSync(join(tmpdir(), 'recovery-bench-'))
  try {
    const pristine = join(root, 'pristine')
    let t = performance.now()
    const built = JSON.parse(runSelf(['--build', pristine, '--jobs', String(JOBS), '--interrupted', String(INTERRUPTED)])) as FullQueue
    console.log(
      `database: ${JOBS.toLocaleString('en')} video jobs (5 steps each), ${built.processing.toLocaleString('en')} interrupted ` +
        `(processing, lease expired, owner's process dead, audio step running); studio.db ${(built.dbBytes / 2 ** 20).toFixed(0)} MB; ` +
        `built in ${((performance.now() - t) / 1000).toFixed(1)} s (enqueueMany ${ms(built.enqueueMs)}, interruption ${ms(built.interruptMs)})`
    )
    console.log('each open: a fresh process (node --import tsx) on a fresh copy of that database; openStudio + startWork, as the app and CLI do')
    console.log('  boot = node + tsx until the script runs; import = the engine\'s modules; open = openStudio; start = startWork (batches + pool, with the recovery sweep);')
    console.log('  first claim = from the end of startWork to the first job taken by the pool')
    const runs: RecoverResult[] = []
    for (let rep = 0; rep < reps; rep++) {
      const dir = join(root, `run${rep}`)
      mkdirSync(dir)
      for (const f of ['studio.db', 'studio.db-wal']) if (existsSync(join(pristine, f))) copyFileSync(join(pristine, f), join(dir, f))
      const r = JSON.parse(runSelf(['--recover', dir])) as RecoverResult
      runs.push(r)
      rmSync(dir, { recursive: true, force: true })
      console.log(
        `  run ${rep + 1}: boot ${ms(r.bootMs)}, import ${ms(r.importMs)}, open ${ms(r.openMs)}, start ${ms(r.startMs)} (sweep ${ms(r.sweepMs)}), ` +
          `first claim +${ms(r.firstClaimMs)}; open + start ${ms(r.openMs + r.startMs)}; ` +
          `after the sweep: ${r.processingAfterSweep} processing, ${r.pendingAfterSweep.toLocaleString('en')} pending, ${r.workerLostLogs} "worker lost" log lines`
      )
    }
    const med = (pick: (r: RecoverResult) => number) => {
      const s = runs.map(pick).sort((a, b) => a - b)
      return s[Math.floor(s.length / 2)]!
    }
    const openAndSweep = med((r) => r.openMs + r.startMs)
    const withImport = med((r) => r.importMs + r.openMs + r.startMs)
    console.log(
      `median: open + start with the recovery sweep ${ms(openAndSweep)} (goal < 1 s: ${openAndSweep < 1000 ? 'met' : 'NOT met'}); ` +
        `with the engine's modules loaded ${ms(withImport)}; to the first claim ${ms(withImport + med((r) => r.firstClaimMs))}`
    )
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

if (values.build) {
  const { buildFullQueue } = await import('./full-queue')
  console.log(`RESULT ${JSON.stringify(await buildFullQueue(values.build, JOBS, INTERRUPTED))}`)
  process.exit(0)
} else if (values.recover) {
  console.log(`RESULT ${JSON.stringify(await recover(values.recover))}`)
  // The pool has started the first jobs' steps: leave without waiting for them.
  process.exit(0)
} else {
  await parent()
}
