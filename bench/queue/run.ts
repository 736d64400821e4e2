/**
 * Queue throughput benchmark: no-op jobs processed per second by our engine, plainjob and liteque.
 *
 *   node --import tsx bench/queue/run.ts [--n 2000] [--concurrency 2] [--reps 3] [--experiments] [--no-matched]
 *
 * Every measured run is a fresh child process (this same file with --child) on a fresh temp folder
 * holding a real SQLite file, so no run inherits another's JIT state, timers, page cache of the
 * same file or leftover handles (liteque leaves one timeout timer per job behind). Runs are
 * interleaved (ours, plainjob, liteque, ours, ...) so slow drift of the machine hits all three alike.
 * Same N, same payload (~120 bytes of JSON), same concurrency, each library's own public API.
 *
 * It prints figures; it asserts nothing.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync, type PathLike } from 'node:fs'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type Database from 'better-sqlite3'
import { z } from 'zod'
import { Engine } from '../../src/main/engine/engine'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import { DEFAULT_TIMINGS, defaultResourceLimits } from '../../src/main/engine/pool/pool'

type Lib = 'ours' | 'plainjob' | 'liteque'
const LIBS: readonly Lib[] = ['ours', 'plainjob', 'liteque']

/**
 * How a library is configured for a run.
 * - shipped: exactly as the library opens its database (ours: synchronous=FULL; plainjob and
 *   liteque: WAL + synchronous=NORMAL, set by their own open code).
 * - sync-full: a peer with its connection switched to synchronous=FULL after it opened it, so
 *   every commit is as durable as ours (durability-matched comparison).
 * - exp:a+b: EXPERIMENTS on our engine, monkey-patched inside the child process only (see
 *   applyExperiments). Never the engine's figure; they estimate what a fix would buy.
 */
type Variant = 'shipped' | 'sync-full' | `exp:${string}`

interface RunResult {
  lib: Lib
  variant: Variant
  n: number
  concurrency: number
  enqueueMs: number
  enqueueHow: string
  processMs: number
  /** CPU time (user + system) of the process while processing: what is not spent waiting on the disk. */
  cpuMs: number
  processed: number
}

const PAD = 'x'.repeat(100)
function payload(i: number): { i: number; pad: string } {
  return { i, pad: PAD }
}

const silent = { error() {}, warn() {}, info() {}, debug() {} }

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1000
}

function freshDir(lib: string): string {
  return mkdtempSync(join(tmpdir(), `queue-bench-${lib}-`))
}

// ------------------------------------------------------------------------------------------ ours

async function runOurs(n: number, concurrency: number, variant: Variant): Promise<RunResult> {
  const dataDir = freshDir('ours')
  try {
    const pipelines = new PipelineRegistry<null>().register({
      name: 'noop',
      title: 'No-op',
      input: z.object({ i: z.number(), pad: z.string() }),
      steps: [
        {
          name: 'noop',
          title: 'No-op',
          resource: 'cpu',
          estimateMs: 1,
          async run() {
            return { data: null }
          }
        }
      ]
    })
    const engine = new Engine<null>({
      dataDir,
      pipelines,
      services: null,
      concurrency,
      // The default limits, except the `cpu` lane, which must let `concurrency` no-op steps run
      // at once (its default is the core count, which equals the default concurrency anyway).
      resources: { ...defaultResourceLimits(), cpu: { concurrency, minIntervalMs: 0 } },
      timings: { ...DEFAULT_TIMINGS } // leaseMs 30 000, pollMs 1 000, reclaimEveryMs 5 000, progressIntervalMs 100
    })
    const requests = Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) }))
    let t = performance.now()
    engine.queue.enqueueMany(requests)
    const enqueueMs = performance.now() - t

    applyExperiments(engine, variant)

    const cpu = process.cpuUsage()
    t = performance.now()
    engine.pool.start()
    await engine.pool.whenIdle()
    const processMs = performance.now() - t
    const cpuMs = cpuMsSince(cpu)

    const processed = engine.db
      .prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status = 'completed'")
      .get()!.n
    await engine.close()
    return {
      lib: 'ours',
      variant,
      n,
      concurrency,
      enqueueMs,
      enqueueHow: 'queue.enqueueMany (1 tx)',
      processMs,
      cpuMs,
      processed
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * EXPERIMENTS ONLY: monkey-patch one engine instance inside this child process, to estimate what
 * a fix in the engine would buy. Nothing here changes an engine file; none of it is the engine's figure.
 */
const PATCHES = ['sync-normal', 'fsync-at-checkpoint', 'stmt-cache', 'lazy-workdir', 'scan-fix'] as const
type Patch = (typeof PATCHES)[number]

function patchesOf(variant: Variant): Set<Patch> {
  if (!variant.startsWith('exp:')) return new Set()
  const names = variant.slice(4).split('+')
  for (const name of names) if (!(PATCHES as readonly string[]).includes(name)) throw new Error(`unknown experiment ${name}`)
  return new Set(names as Patch[])
}

function applyExperiments(engine: Engine<null>, variant: Variant): void {
  const patches = patchesOf(variant)
  const db = engine.db
  if (patches.has('sync-normal')) {
    // Upper bound of what fsync costs: nothing synced at commit (what plainjob and liteque ship).
    db.pragma('synchronous = NORMAL')
  }
  if (patches.has('fsync-at-checkpoint')) {
    // Sync only the commits that must survive a power cut: a step's checkpoint, the job's end,
    // a failure, a give-back (enqueue and user mutations stay FULL too). In WAL mode a synced
    // commit makes every earlier commit durable as well; a claim or a step start lost in a power
    // cut only leaves the job pending, exactly as after a crash. Claim and startStep go unsynced.
    db.pragma('synchronous = NORMAL')
    const leases = engine.leases as unknown as Record<string, (...args: unknown[]) => unknown>
    for (const method of ['completeStep', 'failJob', 'retryLater', 'waitForProvider', 'release']) {
      const original = leases[method]!.bind(engine.leases)
      leases[method] = (...args: unknown[]) => {
        db.pragma('synchronous = FULL')
        try {
          return original(...args)
        } finally {
          db.pragma('synchronous = NORMAL')
        }
      }
    }
  }
  if (patches.has('stmt-cache')) {
    // Every engine call does db.prepare(sql), and better-sqlite3 compiles the SQL every time.
    // (The engine never uses iterate/pluck/raw, so sharing a statement per SQL text is safe.)
    const cache = new Map<string, Database.Statement>()
    const prepare = db.prepare.bind(db)
    ;(db as unknown as { prepare: (sql: string) => Database.Statement }).prepare = (sql: string) => {
      let stmt = cache.get(sql)
      if (!stmt) {
        stmt = prepare(sql)
        cache.set(sql, stmt)
      }
      return stmt
    }
  }
  if (patches.has('lazy-workdir')) {
    // The runner mkdirs <artifacts>/<jobId>/<NN-step.xxxxxxxx> before every step, even when the
    // step writes nothing. Simulate creating it on first write (writeArtifact/artifactPath):
    // a no-op step never writes, so no directory is made. (Builtin ESM bindings follow the CJS
    // object after syncBuiltinESMExports.)
    const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs')
    const original = fs.mkdirSync
    const root = engine.artifactsRoot + sep
    fs.mkdirSync = ((path: PathLike, options?: unknown) =>
      typeof path === 'string' && path.startsWith(root) ? undefined : original(path, options as never)) as typeof fs.mkdirSync
    syncBuiltinESMExports()
  }
  if (patches.has('scan-fix')) {
    // pool.tick -> scheduleWake -> leases.nextRunAfter() and pool.checkIdle -> leases.hasWork()
    // each walk every pending row (jobs_lease (status=?) then a table lookup per row for
    // run_after): O(queue length) per tick, O(N^2) per drain. A partial index (a migration) makes
    // the first a seek; EXISTS instead of SUM makes the second O(1). (A plain (status, run_after)
    // index is NOT the fix: the claim query then prefers it and sorts every pending row.)
    db.exec("CREATE INDEX IF NOT EXISTS bench_exp_pending_run_after ON jobs (run_after) WHERE status = 'pending'")
    const nextRunAfter = db.prepare<[number], { t: number | null }>(
      "SELECT MIN(run_after) AS t FROM jobs INDEXED BY bench_exp_pending_run_after WHERE status = 'pending' AND run_after > ?"
    )
    const hasWork = db.prepare<[], { pending: number; processing: number }>(
      "SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'pending') AS pending, EXISTS (SELECT 1 FROM jobs WHERE status = 'processing') AS processing"
    )
    const leases = engine.leases as unknown as { hasWork(): { pending: number; processing: number }; nextRunAfter(): number | null }
    leases.nextRunAfter = () => nextRunAfter.get(Date.now())?.t ?? null
    leases.hasWork = () => hasWork.get()!
  }
}

// -------------------------------------------------------------------------------------- plainjob

async function runPlainjob(n: number, concurrency: number, variant: Variant): Promise<RunResult> {
  const dir = freshDir('plainjob')
  try {
    const { default: BetterSqlite } = await import('better-sqlite3')
    const { better, defineQueue, defineWorker, JobStatus } = await import('plainjob')
    // As its README says: a better-sqlite3 file connection. defineQueue itself sets
    // journal_mode=WAL, synchronous=1 (NORMAL), busy_timeout=5000.
    const connection = better(new BetterSqlite(join(dir, 'plainjob.db')))
    const queue = defineQueue({ connection, logger: silent }) // timeout 30 min, maintenance every 60 s (defaults)
    if (variant === 'sync-full') connection.pragma('synchronous = FULL')

    const data = Array.from({ length: n }, (_, i) => payload(i))
    let t = performance.now()
    queue.addMany('noop', data)
    const enqueueMs = performance.now() - t

    let done = 0
    let allDone!: () => void
    const finished = new Promise<void>((resolve) => (allDone = resolve))
    // A plainjob worker runs one job at a time; its way to concurrency is several workers on one queue.
    const workers = Array.from({ length: concurrency }, () =>
      defineWorker('noop', async () => {}, {
        queue,
        pollIntervall: 1000, // its default
        logger: silent, // its default is console, which would print a debug line per job
        onCompleted: () => {
          if (++done === n) allDone()
        }
      })
    )
    const cpu = process.cpuUsage()
    t = performance.now()
    for (const w of workers) void w.start()
    await finished
    const processMs = performance.now() - t
    const cpuMs = cpuMsSince(cpu)

    const processed = queue.countJobs({ type: 'noop', status: JobStatus.Done })
    await Promise.all(workers.map((w) => w.stop()))
    queue.close()
    return { lib: 'plainjob', variant, n, concurrency, enqueueMs, enqueueHow: 'queue.addMany (1 tx)', processMs, cpuMs, processed }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// --------------------------------------------------------------------------------------- liteque

async function runLiteque(n: number, concurrency: number, variant: Variant): Promise<RunResult> {
  const dir = freshDir('liteque')
  try {
    await restorePromiseTolerantTransactions()
    const { buildDBClient, SqliteQueue, Runner } = await import('liteque')
    // buildDBClient's defaults: walEnabled true -> journal_mode=WAL, synchronous=NORMAL.
    const db = buildDBClient(join(dir, 'liteque.db'), { runMigrations: true })
    if (variant === 'sync-full') {
      // liteque exposes no pragma option; reach its better-sqlite3 handle through drizzle's session.
      ;(db as unknown as { session: { client: Database.Database } }).session.client.pragma('synchronous = FULL')
    }
    type Payload = ReturnType<typeof payload>
    const queue = new SqliteQueue<Payload>('noop', db, { defaultJobArgs: { numRetries: 3 }, keepFailedJobs: false })

    let t = performance.now()
    for (let i = 0; i < n; i++) await queue.enqueue(payload(i)) // no batch API
    const enqueueMs = performance.now() - t

    let done = 0
    let allDone!: () => void
    const finished = new Promise<void>((resolve) => (allDone = resolve))
    const runner = new Runner<Payload>(
      queue,
      {
        run: async () => {},
        // onComplete runs just before the job's finalize (a DELETE); setImmediate lets the
        // pending microtasks, that finalize included, run before the clock stops.
        onComplete: async () => {
          if (++done === n) setImmediate(allDone)
        }
      },
      { concurrency, pollIntervalMs: 1000, timeoutSecs: 30 }
    )
    const cpu = process.cpuUsage()
    t = performance.now()
    void runner.run()
    await finished
    const processMs = performance.now() - t
    const cpuMs = cpuMsSince(cpu)
    runner.stop()

    const stats = await queue.stats()
    const left = stats.pending + stats.pending_retry + stats.running + stats.failed
    // Completed jobs are deleted by liteque: processed = what was enqueued minus what is left.
    return {
      lib: 'liteque',
      variant,
      n,
      concurrency,
      enqueueMs,
      enqueueHow: 'queue.enqueue x N (no batch API)',
      processMs,
      cpuMs,
      processed: n - left
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * liteque 0.8.0 dequeues with `db.transaction(async (txn) => ...)` (drizzle over better-sqlite3).
 * better-sqlite3 >= 11.10 (we have 12) rejects a transaction function that returns a promise, so
 * as installed here liteque's Runner dies on its first dequeue ("Transaction function cannot
 * return a promise", see karakeep-app/karakeep#1594). Inside the liteque child process only,
 * give better-sqlite3 back its pre-11.10 behaviour: BEGIN, call the function, COMMIT, return
 * what it returned. That is what liteque runs on with the versions it was written for (the
 * awaited queries then run after that empty transaction, in autocommit mode; its claim stays
 * safe through the allocationId compare-and-set in the UPDATE).
 */
async function restorePromiseTolerantTransactions(): Promise<void> {
  const { default: BetterSqlite } = await import('better-sqlite3')
  type TxFn = ((...args: unknown[]) => unknown) & Record<'deferred' | 'immediate' | 'exclusive', (...args: unknown[]) => unknown>
  const proto = BetterSqlite.prototype as unknown as { transaction(fn: (...args: unknown[]) => unknown): TxFn }
  const original = proto.transaction
  proto.transaction = function (this: unknown, fn: (...args: unknown[]) => unknown): TxFn {
    let pending: unknown
    const inner = original.call(this, function (this: unknown, ...args: unknown[]) {
      const result = fn.apply(this, args)
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        pending = result
        return undefined
      }
      return result
    })
    const passPromise =
      (run: (...args: unknown[]) => unknown) =>
      (...args: unknown[]): unknown => {
        pending = undefined
        const result = run(...args)
        const promise = pending
        pending = undefined
        return promise ?? result
      }
    const wrapped = passPromise(inner) as TxFn
    wrapped.deferred = passPromise(inner.deferred)
    wrapped.immediate = passPromise(inner.immediate)
    wrapped.exclusive = passPromise(inner.exclusive)
    return wrapped
  }
}

// ---------------------------------------------------------------------------------------- parent

function runChild(lib: Lib, variant: Variant, n: number, concurrency: number): RunResult {
  const self = fileURLToPath(import.meta.url)
  const out = spawnSync(
    process.execPath,
    [...process.execArgv, self, '--child', lib, '--variant', variant, '--n', String(n), '--concurrency', String(concurrency)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }
  )
  const line = out.stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (out.status !== 0 || !line) {
    throw new Error(`${lib}/${variant} child failed (exit ${out.status}):\n${out.stderr}\n${out.stdout}`)
  }
  return JSON.parse(line.slice('RESULT '.length)) as RunResult
}

/** What one fsync and one mkdir cost on the temp dir's disk right now: the figures below depend on both. */
function probeDisk(): string {
  const dir = freshDir('probe')
  try {
    const fd = openSync(join(dir, 'probe'), 'w')
    const block = Buffer.alloc(4096)
    const syncs: number[] = []
    for (let i = 0; i < 100; i++) {
      writeSync(fd, block)
      const t = performance.now()
      fdatasyncSync(fd)
      syncs.push(performance.now() - t)
    }
    closeSync(fd)
    const t = performance.now()
    for (let i = 0; i < 100; i++) mkdirSync(join(dir, `d${i}`))
    const mkdirMs = (performance.now() - t) / 100
    syncs.sort((a, b) => a - b)
    return `fdatasync p50 ${syncs[50]!.toFixed(2)} ms, p90 ${syncs[90]!.toFixed(2)} ms; mkdir ${mkdirMs.toFixed(2)} ms`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

interface Summary {
  label: string
  median: number
  min: number
  max: number
  cpuUsPerJob: number
  enqueuePerS: number
  enqueueHow: string
  processedOk: boolean
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

function summarise(label: string, runs: RunResult[]): Summary {
  const rates = runs.map((r) => r.n / (r.processMs / 1000))
  return {
    label,
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    cpuUsPerJob: median(runs.map((r) => (r.cpuMs * 1000) / r.n)),
    enqueuePerS: median(runs.map((r) => r.n / (r.enqueueMs / 1000))),
    enqueueHow: runs[0]!.enqueueHow,
    processedOk: runs.every((r) => r.processed === r.n)
  }
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US')

function printTable(title: string, rows: Summary[]): void {
  console.log(`\n${title}`)
  const header = ['queue', 'jobs/s median', 'min', 'max', 'CPU us/job', 'enqueue jobs/s', 'enqueue via', 'all done']
  const body = rows.map((r) => [
    r.label,
    fmt(r.median),
    fmt(r.min),
    fmt(r.max),
    fmt(r.cpuUsPerJob),
    fmt(r.enqueuePerS),
    r.enqueueHow,
    r.processedOk ? 'yes' : 'NO'
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const left = new Set([0, 6])
  const line = (cells: string[]) => cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const b of body) console.log(line(b))
}

const ratio = (a: Summary, b: Summary) => `${(a.median / b.median).toFixed(2)}x`

async function parent(n: number, concurrency: number, reps: number, experiments: boolean, matched: boolean): Promise<void> {
  const cpu = cpus()
  console.log(
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, ${process.platform}/${process.arch}`
  )
  console.log(`disk: temp dir ${tmpdir()} (real files): ${probeDisk()}`)
  console.log(`N = ${n} no-op jobs (payload ~120 B of JSON), concurrency = ${concurrency} for all three, ${reps} runs each: median (min, max)`)
  console.log('  ours:     Engine, pool concurrency ' + concurrency + ", 'cpu' resource lane " + concurrency + ', default timings (leaseMs 30000, pollMs 1000, reclaimEveryMs 5000)')
  console.log('  plainjob: ' + concurrency + ' defineWorker loops on one queue, pollIntervall 1000 (its default), timeout 30 min (default), silent logger')
  console.log('  liteque:  Runner concurrency ' + concurrency + ', pollIntervalMs 1000 (README), timeoutSecs 30 (= our lease), numRetries 3 (= our maxRetries)')
  console.log('each run: a fresh child process on a fresh temp folder; runs interleaved ours, plainjob, liteque, ...')

  const plan: Array<{ lib: Lib; variant: Variant; label: string }> = LIBS.map((lib) => ({ lib, variant: 'shipped' as Variant, label: lib }))
  if (matched) {
    plan.push(
      { lib: 'plainjob', variant: 'sync-full', label: 'plainjob synchronous=FULL' },
      { lib: 'liteque', variant: 'sync-full', label: 'liteque synchronous=FULL' }
    )
  }
  if (experiments) {
    plan.push(
      { lib: 'ours', variant: 'exp:sync-normal', label: 'EXP synchronous=NORMAL' },
      { lib: 'ours', variant: 'exp:fsync-at-checkpoint', label: 'EXP fsync at checkpoint' },
      { lib: 'ours', variant: 'exp:lazy-workdir', label: 'EXP lazy work dir' },
      { lib: 'ours', variant: 'exp:stmt-cache', label: 'EXP statement cache' },
      { lib: 'ours', variant: 'exp:scan-fix', label: 'EXP no pending scans' },
      { lib: 'ours', variant: 'exp:fsync-at-checkpoint+lazy-workdir+stmt-cache+scan-fix', label: 'EXP all four' },
      // Not durable at each commit: the same durability as plainjob and liteque ship with.
      { lib: 'ours', variant: 'exp:sync-normal+lazy-workdir+stmt-cache+scan-fix', label: 'EXP fixes + sync=NORMAL' }
    )
  }
  const results = new Map<string, RunResult[]>()
  for (let rep = 0; rep < reps; rep++) {
    for (const p of plan) {
      const r = runChild(p.lib, p.variant, n, concurrency)
      let list = results.get(p.label)
      if (!list) results.set(p.label, (list = []))
      list.push(r)
      process.stderr.write(`  run ${rep + 1}/${reps}  ${p.label.padEnd(27)} ${fmt(r.n / (r.processMs / 1000)).padStart(6)} jobs/s\n`)
    }
  }
  const s = (label: string) => summarise(label, results.get(label)!)

  const ours = s('ours')
  const plain = s('plainjob')
  const lite = s('liteque')
  printTable('As shipped (ours: WAL + synchronous=FULL; plainjob, liteque: WAL + synchronous=NORMAL, set by their own open code)', [ours, plain, lite])
  console.log(`ratio ours/plainjob = ${ratio(ours, plain)}   ours/liteque = ${ratio(ours, lite)}`)

  if (matched) {
    const plainFull = s('plainjob synchronous=FULL')
    const liteFull = s('liteque synchronous=FULL')
    printTable('Same durability (each peer\'s own connection switched to synchronous=FULL after it opened it)', [ours, plainFull, liteFull])
    console.log(`ratio ours/plainjob = ${ratio(ours, plainFull)}   ours/liteque = ${ratio(ours, liteFull)}   (durability-matched)`)
  }
  if (experiments) {
    const exps = plan.filter((p) => p.variant.startsWith('exp:')).map((p) => s(p.label))
    printTable('EXPERIMENTS: our engine monkey-patched inside the bench child only. NOT the engine as shipped.', exps)
    for (const e of exps) {
      console.log(`${e.label.padEnd(24)} = ${ratio(e, ours)} ours as shipped   ${ratio(e, plain)} plainjob as shipped   ${matched ? ratio(e, s('plainjob synchronous=FULL')) + ' plainjob synchronous=FULL' : ''}`)
    }
  }
  console.log('\nliteque note: liteque 0.8.0 dequeues inside db.transaction(async ...), which better-sqlite3 >= 11.10 (installed: 12)')
  console.log('rejects; its child process restores the pre-11.10 transaction behaviour so that liteque can run at all.')
}

async function child(lib: Lib, variant: Variant, n: number, concurrency: number): Promise<void> {
  const run = lib === 'ours' ? runOurs : lib === 'plainjob' ? runPlainjob : runLiteque
  const result = await run(n, concurrency, variant)
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
  // liteque leaves a timeoutSecs timer per job behind; plainjob workers may be mid-sleep. Do not wait.
  process.exit(0)
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    variant: { type: 'string', default: 'shipped' },
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: String(cpus().length) },
    reps: { type: 'string', default: '3' },
    experiments: { type: 'boolean', default: false },
    'no-matched': { type: 'boolean', default: false }
  }
})
const n = Number(values.n)
const concurrency = Number(values.concurrency)
if (values.child) {
  await child(values.child as Lib, values.variant as Variant, n, concurrency)
} else {
  await parent(n, concurrency, Number(values.reps), values.experiments, !values['no-matched'])
}
