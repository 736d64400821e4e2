/**
 * Queue throughput benchmark: no-op jobs processed per second by our engine, plainjob, liteque and
 * BullMQ (on a private redis-server, see bullmq.ts; skipped with a line saying why when
 * redis-server or ioredis is missing).
 *
 *   node --import tsx bench/queue/run.ts [--n 2000] [--concurrency 2[,8,...]] [--reps 3] [--base DIR] [--libs ours,base,plainjob,...] [--dev]
 *
 * Ours runs as shipped: its engine bundled by esbuild the way scripts/build-cli.mjs builds the CLI,
 * once per bench run, and started by plain node (shipped.ts, ours-child.ts); the header says so.
 * --dev runs our TypeScript sources through tsx instead (no build; tsx's transform costs CPU).
 *
 * --base DIR adds a row "ours, base": our engine as another checkout has it (DIR, say an untouched
 * copy made by `git archive`), its child runs interleaved with ours, so that a change is measured
 * against what it changes in one run on one machine. --libs keeps only the named rows.
 *
 * Every measured run is a fresh child process (this same file with --child) on a fresh temp folder
 * holding a real SQLite file, so no run inherits another's JIT state, timers, page cache of the
 * same file or leftover handles (liteque leaves one timeout timer per job behind). Runs are
 * interleaved (ours, plainjob, liteque, BullMQ, ours, ...) so slow drift of the machine hits all alike.
 * Same N, same payload (~120 bytes of JSON), same concurrency, each library's own public API.
 * Two last rows are not queues: "SQL floor" is what our schema's writes alone cost per job, and
 * "minimal floor" what the smallest schema keeping issue 2's data (lease, fencing, priority,
 * steps, log) costs: a ceiling for any engine, ours or another, that commits as SQLite does (see
 * the power-safe variant below for the one way ours does not).
 *
 * It prints figures; it asserts nothing.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync, type PathLike } from 'node:fs'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type Database from 'better-sqlite3'
import type { CommitCounts } from '../../src/main/engine/store/database'
import { bullmqUnavailable, bullmqVersions, runBullmq } from './bullmq'
import { runMinimalFloor } from './minimal-floor'
import { noopPipelines, payload } from './noop-engine'
import type { RedisPersistence } from './redis-server'
import { buildOurs, devOurs, runOursChild, type OursProgram } from './shipped'
import { runSqlFloor } from './sql-floor'

/** bullmq-mem: Redis without persistence; bullmq-aof: Redis with an AOF (fsync policy by variant). */
type Lib = 'ours' | 'base' | 'plainjob' | 'liteque' | 'bullmq-mem' | 'bullmq-aof' | 'floor' | 'minimal'

/**
 * How a library is configured for a run.
 * - shipped: exactly as each library opens its database and commits. For no-op jobs all three
 *   commit crash-safe (a kill -9 loses nothing) and none fsyncs a result: plainjob and liteque
 *   because they run WAL + synchronous=NORMAL, ours because a free step without files is not
 *   worth an fsync (what costs something to redo is: see worthSyncing).
 * - power-safe: every finished job survives a power cut. Peers: their connection switched to
 *   synchronous=FULL after they opened it. Ours: every checkpoint fsynced, as for a paid step; as
 *   for a paid step, the WAL is flushed after the commit off the engine's thread, one fsync for all
 *   the checkpoints committed while the previous one ran (store/wal-flusher.ts). The floors fsync
 *   inside each commit, as SQLite's synchronous=FULL does: for this variant they bound designs that
 *   wait for the disk, not ours.
 */
type Variant = 'shipped' | 'power-safe'

/**
 * Redis keeps its data per variant. As shipped, two rows: in memory only (BullMQ's usual set-up,
 * which a crash of redis-server empties) and AOF everysec (each write reaches the AOF before its
 * reply, so a crash loses nothing: the same promise as the others' shipped set-up; a power cut
 * loses about a second). Power-cut safe: AOF always, every write fsynced before its reply.
 */
function redisPersistence(lib: Lib, variant: Variant): RedisPersistence {
  if (lib === 'bullmq-mem') return 'none'
  return variant === 'power-safe' ? 'aof-always' : 'aof-everysec'
}

/** Which rows each variant has: an in-memory Redis cannot be power-cut safe. */
function libsFor(variant: Variant, withBullmq: boolean): Lib[] {
  const bull: Lib[] = !withBullmq ? [] : variant === 'shipped' ? ['bullmq-mem', 'bullmq-aof'] : ['bullmq-aof']
  const all: Lib[] = ['ours', ...(baseDir ? (['base'] as Lib[]) : []), 'plainjob', 'liteque', ...bull, 'floor', 'minimal']
  return onlyLibs ? all.filter((lib) => onlyLibs!.has(lib)) : all
}

interface RunResult {
  lib: Lib
  variant: Variant
  n: number
  concurrency: number
  enqueueMs: number
  enqueueHow: string
  processMs: number
  /**
   * CPU time (user + system) of the process while processing: what is not spent waiting on the
   * disk. For BullMQ, redis-server's CPU time is added: its work is the queue's work.
   */
  cpuMs: number
  processed: number
  /** Ours only: commits during processing, by durability (store/database.ts commitCounts). */
  commits?: CommitCounts
  /** Ours only: fsyncs of the WAL after commits, each covering every commit made before it (walFsyncs). */
  fsyncs?: number
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
// Our engine runs in a process of its own, ours-child.ts, built as shipped (see shipped.ts).

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
    if (variant === 'power-safe') connection.pragma('synchronous = FULL')

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
    if (variant === 'power-safe') {
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

// ---------------------------------------------------------------------------------------- BullMQ

async function runBullmqLib(lib: Lib, n: number, concurrency: number, variant: Variant): Promise<RunResult> {
  const r = await runBullmq(n, concurrency, redisPersistence(lib, variant))
  return {
    lib,
    variant,
    n,
    concurrency,
    enqueueMs: r.enqueueMs,
    enqueueHow: 'queue.addBulk (1 MULTI)',
    processMs: r.processMs,
    cpuMs: r.cpuMs + r.redisCpuMs,
    processed: r.processed
  }
}

// ------------------------------------------------------------------------------------- SQL floor

function runFloor(n: number, concurrency: number, variant: Variant): RunResult {
  const dataDir = freshDir('floor')
  try {
    const r = runSqlFloor(dataDir, noopPipelines(), Array.from({ length: n }, (_, i) => payload(i)), concurrency, variant === 'power-safe')
    return { lib: 'floor', variant, n, concurrency, enqueueHow: 'queue.enqueueMany (1 tx)', ...r }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

function runMinimal(n: number, concurrency: number, variant: Variant): RunResult {
  const dir = freshDir('minimal')
  try {
    const r = runMinimalFloor(dir, Array.from({ length: n }, (_, i) => payload(i)), concurrency, variant === 'power-safe')
    return { lib: 'minimal', variant, n, concurrency, enqueueHow: 'INSERT x N (1 tx)', ...r }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------- parent

/** How "ours" and "ours, base" start (built once per bench run, see shipped.ts). */
const programs: Partial<Record<'ours' | 'base', OursProgram>> = {}

function runChild(lib: Lib, variant: Variant, n: number, concurrency: number): RunResult {
  const args = ['--variant', variant, '--n', String(n), '--concurrency', String(concurrency)]
  if (lib === 'ours' || lib === 'base') {
    // The base row is the other checkout's engine, run by this tree's harness.
    const r = runOursChild(programs[lib]!, lib === 'base' ? baseDir! : ROOT, ['--mode', 'cold', ...args])
    return { ...(r as unknown as RunResult), lib }
  }
  const out = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', lib, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024
  })
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

const LABELS: Record<Lib, (variant: Variant) => string> = {
  ours: () => 'ours',
  base: () => 'ours, base (--base)',
  plainjob: () => 'plainjob',
  liteque: () => 'liteque',
  'bullmq-mem': () => 'BullMQ, Redis in memory (no persistence)',
  'bullmq-aof': (v) => (v === 'power-safe' ? 'BullMQ, Redis AOF appendfsync always' : 'BullMQ, Redis AOF appendfsync everysec'),
  floor: () => 'SQL floor (not a queue)',
  minimal: () => 'minimal floor (not a queue)'
}

async function parent(n: number, concurrencies: number[], reps: number): Promise<void> {
  const cpu = cpus()
  console.log(
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, ${process.platform}/${process.arch}`
  )
  console.log(`disk: temp dir ${tmpdir()} (real files): ${probeDisk()}`)
  const bullmqMissing = bullmqUnavailable()
  console.log(`N = ${n} no-op jobs (payload ~120 B of JSON), the same concurrency for all, ${reps} runs each: median (min, max)`)
  console.log("  ours:      Engine, pool concurrency C, 'cpu' resource lane C, default timings (leaseMs 30000, pollMs 1000, reclaimEveryMs 5000)")
  console.log('  plainjob:  C defineWorker loops on one queue, pollIntervall 1000 (its default), timeout 30 min (default), silent logger')
  console.log('  liteque:   Runner concurrency C, pollIntervalMs 1000 (README), timeoutSecs 30 (= our lease), numRetries 3 (= our maxRetries)')
  if (bullmqMissing) console.log(`  BullMQ:    SKIPPED: ${bullmqMissing}`)
  else {
    console.log(`  BullMQ:    ${bullmqVersions()}`)
    console.log('             one Worker concurrency C, every job priority 10 (prioritized set, as our queue is always in priority order), attempts 3,')
    console.log('             completed jobs kept (default); a fresh redis-server per run on 127.0.0.1, no RDB snapshots; CPU us/job = node + redis-server')
    console.log('             as shipped: Redis in memory only, and Redis AOF appendfsync everysec (a crash loses nothing, a power cut ~1 s)')
    console.log('             power-cut safe: Redis AOF appendfsync always (every write fsynced before its reply)')
  }
  console.log('  SQL floor: our schema\'s writes for each job, C jobs per transaction, no engine (bench/queue/sql-floor.ts)')
  console.log('  minimal floor: the same writes on the smallest schema that keeps lease, fencing, priority, steps and log (bench/queue/minimal-floor.ts)')
  if (programs.ours) console.log(`  ours run as ${programs.ours.describe}`)
  if (baseDir) console.log(`  ours, base: the engine of ${baseDir}, run by this tree's harness; ${programs.base?.describe ?? ''}`)
  console.log('each run: a fresh child process on a fresh temp folder; runs interleaved ours, plainjob, liteque, BullMQ, floor, ...')

  const variants: Array<{ variant: Variant; title: string }> = [
    {
      variant: 'shipped',
      title:
        'As shipped: every commit crash-safe (kill -9), no-op results not fsynced (peers: WAL + synchronous=NORMAL; ours: a free step without files is not worth an fsync)'
    },
    {
      variant: 'power-safe',
      title:
        'Power-cut safe: every finished job fsynced (peers switched to synchronous=FULL; ours: every checkpoint fsynced, as for a paid step, after its commit and off the thread; floors: inside each commit)'
    }
  ]
  for (const concurrency of concurrencies) {
    const results = new Map<string, RunResult[]>()
    const key = (lib: Lib, variant: Variant) => `${lib}/${variant}`
    for (let rep = 0; rep < reps; rep++) {
      for (const { variant } of variants) {
        for (const lib of libsFor(variant, !bullmqMissing)) {
          const r = runChild(lib, variant, n, concurrency)
          let list = results.get(key(lib, variant))
          if (!list) results.set(key(lib, variant), (list = []))
          list.push(r)
          process.stderr.write(`  C=${concurrency} run ${rep + 1}/${reps}  ${key(lib, variant).padEnd(22)} ${fmt(r.n / (r.processMs / 1000)).padStart(6)} jobs/s\n`)
        }
      }
    }
    console.log(`\n================ concurrency ${concurrency}`)
    for (const { variant, title } of variants) {
      const libs = libsFor(variant, !bullmqMissing)
      const rows = new Map(libs.map((lib) => [lib, summarise(LABELS[lib](variant), results.get(key(lib, variant))!)]))
      printTable(title, [...rows.values()])
      const ours = rows.get('ours')
      const plain = rows.get('plainjob')
      const ratios: string[] = []
      const vs = (name: string, a: Summary | undefined, b: Summary | undefined) => {
        if (a && b) ratios.push(`${name} = ${ratio(a, b)} (CPU ${(a.cpuUsPerJob / b.cpuUsPerJob).toFixed(2)}x)`)
      }
      vs('ours/base', ours, rows.get('base'))
      vs('base/plainjob', rows.get('base'), plain)
      vs('ours/plainjob', ours, plain)
      vs('ours/liteque', ours, rows.get('liteque'))
      vs('ours/BullMQ in memory', ours, rows.get('bullmq-mem'))
      vs(`ours/BullMQ AOF ${variant === 'power-safe' ? 'always' : 'everysec'}`, ours, rows.get('bullmq-aof'))
      if (bullmqMissing) ratios.push('BullMQ skipped')
      vs('SQL floor/plainjob', rows.get('floor'), plain)
      vs('minimal floor/plainjob', rows.get('minimal'), plain)
      console.log(`ratio ${ratios.join('   ')}`)
      for (const lib of ['ours', 'base'] as const) {
        const runs = results.get(key(lib, variant))
        if (!runs) continue
        const commits = runs.map((r) => r.commits!)
        const perJob = (pick: (c: NonNullable<RunResult['commits']>) => number) => (median(commits.map(pick)) / n).toFixed(2)
        const fsyncs = (median(runs.map((r) => r.fsyncs ?? 0)) / n).toFixed(2)
        console.log(
          `${LABELS[lib](variant)}: ${perJob((c) => c.durable + c.relaxed)} commits per job, ${perJob((c) => c.durable)} of them fsynced, by ${fsyncs} fsyncs per job (each covers every commit before it)`
        )
      }
    }
  }
  if (onlyLibs && !onlyLibs.has('liteque')) return
  console.log('\nliteque note: liteque 0.8.0 dequeues inside db.transaction(async ...), which better-sqlite3 >= 11.10 (installed: 12)')
  console.log('rejects; its child process restores the pre-11.10 transaction behaviour so that liteque can run at all.')
}

function failChild(lib: string): never {
  throw new Error(`--child ${lib}: not a child of run.ts (ours runs as ours-child.ts, see shipped.ts)`)
}

async function child(lib: Lib, variant: Variant, n: number, concurrency: number): Promise<void> {
  const result =
    lib === 'floor'
      ? runFloor(n, concurrency, variant)
      : lib === 'minimal'
        ? runMinimal(n, concurrency, variant)
        : lib === 'bullmq-mem' || lib === 'bullmq-aof'
          ? await runBullmqLib(lib, n, concurrency, variant)
          : lib === 'plainjob' || lib === 'liteque'
            ? await (lib === 'plainjob' ? runPlainjob : runLiteque)(n, concurrency, variant)
            : failChild(lib)
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
  // liteque leaves a timeoutSecs timer per job behind; plainjob workers may be mid-sleep. Do not wait
  // (BullMQ's redis-server is already stopped and its folder removed).
  process.exit(0)
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    variant: { type: 'string', default: 'shipped' },
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: String(cpus().length) },
    reps: { type: 'string', default: '3' },
    base: { type: 'string' },
    libs: { type: 'string' },
    dev: { type: 'boolean', default: false }
  }
})
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const baseDir = values.base ? resolve(values.base) : null
const onlyLibs = values.libs ? new Set(values.libs.split(',')) : null
const n = Number(values.n)
const concurrencies = values.concurrency!.split(',').map(Number)
if (concurrencies.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`--concurrency: positive integers, comma-separated (got ${values.concurrency})`)
if (values.child) {
  await child(values.child as Lib, values.variant as Variant, n, concurrencies[0]!)
} else {
  const wanted = (lib: Lib) => !onlyLibs || onlyLibs.has(lib)
  if (wanted('ours')) programs.ours = values.dev ? devOurs(ROOT) : await buildOurs(ROOT)
  if (baseDir && wanted('base')) programs.base = values.dev ? devOurs(baseDir) : await buildOurs(baseDir)
  try {
    await parent(n, concurrencies, Number(values.reps))
  } finally {
    for (const p of Object.values(programs)) p.cleanup()
  }
}
