/**
 * Memory of the engine process (RSS), in three situations, each in a fresh process:
 *   idle     a studio opened on an empty data folder and started (pool running, nothing to do);
 *   queue    a studio opened on a queue of 100 000 video jobs and started with the queue paused,
 *            then serving what the window asks for at start: jobs/list (limit 100 000, as the
 *            renderer's sync does), queue/stats and queue/eta, each answer serialised as the
 *            bridge sends it;
 *   import   a 100 000-row CSV imported as a batch (studio.batches.create: copied, streamed,
 *            every row validated and stored).
 * Peak RSS is the kernel's high-water mark (VmHWM in /proc/self/status, reset through
 * /proc/self/clear_refs before each phase), so synchronous work that no timer can sample is
 * counted; where /proc is missing, a 20 ms sampler stands in. "Live heap" is V8's heap after a full
 * collection. Run through tsx: the baseline includes the TypeScript loader (about 45 MB more than
 * the bundled app). Prints figures; asserts nothing.
 *
 *   node --import tsx bench/memory.ts [--jobs 100000] [--rows 100000]
 */
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    rows: { type: 'string', default: '100000' },
    child: { type: 'string' },
    dir: { type: 'string' }
  }
})
const JOBS = Number(values.jobs)
const ROWS = Number(values.rows)
const MB = 2 ** 20

// ------------------------------------------------------------------------------ measuring tools

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** Peak RSS since the last reset, from the kernel where it can tell; otherwise from a sampler. */
class PeakRss {
  private readonly proc = canResetPeak()
  private sampled = 0
  private timer: NodeJS.Timeout | undefined

  reset(): void {
    if (this.proc) writeFileSync('/proc/self/clear_refs', '5')
    this.sampled = process.memoryUsage().rss
    clearInterval(this.timer)
    if (!this.proc) this.timer = setInterval(() => (this.sampled = Math.max(this.sampled, process.memoryUsage().rss)), 20)
  }

  read(): number {
    clearInterval(this.timer)
    this.timer = undefined
    if (this.proc) return vmHwm()
    return Math.max(this.sampled, process.memoryUsage().rss)
  }

  get how(): string {
    return this.proc ? 'kernel high-water mark (VmHWM)' : 'sampled every 20 ms'
  }
}

function vmHwm(): number {
  const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
  return Number(kb) * 1024
}

function canResetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return vmHwm() > 0
  } catch {
    return false
  }
}

interface Snapshot {
  rss: number
  heapUsed: number
}

/** RSS and live heap after a full collection and a moment for the timers that run when idle. */
async function settled(): Promise<Snapshot> {
  await new Promise((r) => setTimeout(r, 1500))
  collectGarbage()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed }
}

// -------------------------------------------------------------------------------- the situations

interface IdleResult {
  kind: 'idle'
  beforeOpen: Snapshot
  idle: Snapshot
  peakHow: string
}

async function idle(dataDir: string): Promise<IdleResult> {
  const { openStudio } = await import('../src/main/engine/studio')
  const beforeOpen = await settled()
  const studio = openStudio({ dataDir })
  studio.startWork()
  const result = { kind: 'idle' as const, beforeOpen, idle: await settled(), peakHow: new PeakRss().how }
  await studio.close(0)
  return result
}

interface QueueResult {
  kind: 'queue'
  beforeOpen: Snapshot
  opened: Snapshot
  peakOpen: number
  listed: number
  listBytes: number
  listMs: number
  statsMs: number
  etaMs: number
  peakServing: number
  afterServing: Snapshot
  peakHow: string
}

async function queue(dataDir: string): Promise<QueueResult> {
  const { openStudio } = await import('../src/main/engine/studio')
  const peak = new PeakRss()
  const beforeOpen = await settled()
  peak.reset()
  const studio = openStudio({ dataDir })
  studio.queue.setQueuePaused(true) // the jobs stay queued: what is measured is holding them
  studio.startWork()
  const opened = await settled()
  const peakOpen = peak.read()

  peak.reset()
  let t = performance.now()
  const list = studio.queue.list({ limit: 100_000 })
  const listBytes = Buffer.byteLength(JSON.stringify(list))
  const listMs = performance.now() - t
  t = performance.now()
  JSON.stringify(studio.queue.stats())
  const statsMs = performance.now() - t
  t = performance.now()
  JSON.stringify(studio.eta())
  const etaMs = performance.now() - t
  const peakServing = peak.read()
  const listed = list.length
  list.length = 0
  const afterServing = await settled()
  await studio.close(0)
  return { kind: 'queue', beforeOpen, opened, peakOpen, listed, listBytes, listMs, statsMs, etaMs, peakServing, afterServing, peakHow: peak.how }
}

interface ImportResult {
  kind: 'import'
  beforeImport: Snapshot
  peakImport: number
  importMs: number
  totalRows: number
  afterImport: Snapshot
  peakHow: string
}

async function writeSheet(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path)
  out.write('idea;language\n')
  for (let i = 0; i < rows; i++) {
    if (!out.write(`Idea number ${i}: why the sea is salty;${i % 2 ? 'fr' : 'en'}\n`)) await once(out, 'drain')
  }
  out.end()
  await finished(out)
}

async function importRows(dir: string): Promise<ImportResult> {
  const csv = join(dir, 'rows.csv')
  await writeSheet(csv, ROWS)
  const { openStudio } = await import('../src/main/engine/studio')
  const studio = openStudio({ dataDir: join(dir, 'data') })
  studio.startWork()
  const peak = new PeakRss()
  const beforeImport = await settled()
  // The batch would start its jobs at once: pause the queue so that only the import is measured.
  studio.queue.setQueuePaused(true)
  peak.reset()
  const t = performance.now()
  const batch = await studio.batches.create({ source: { kind: 'file', path: csv }, config: { pipeline: 'video' } })
  const importMs = performance.now() - t
  const peakImport = peak.read()
  const afterImport = await settled()
  await studio.close(0)
  return { kind: 'import', beforeImport, peakImport, importMs, totalRows: batch.totalRows, afterImport, peakHow: peak.how }
}

// ------------------------------------------------------------------------------------------ parent

function runChild(kind: string, dir: string): unknown {
  mkdirSync(dir, { recursive: true })
  const out = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', kind, '--dir', dir, '--jobs', String(JOBS), '--rows', String(ROWS)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }
  )
  const line = out.stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (out.status !== 0 || !line) throw new Error(`${kind} child failed (exit ${out.status}):\n${out.stderr}\n${out.stdout}`)
  return JSON.parse(line.slice('RESULT '.length))
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const heap = (s: Snapshot) => `${(s.heapUsed / MB).toFixed(1)} MB`

async function parent(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'memory-bench-'))
  try {
    const i = runChild('idle', join(root, 'idle')) as IdleResult
    console.log(`peak RSS: ${i.peakHow}; each situation in a fresh process (node --import tsx)`)
    console.log(
      `idle:    RSS ${mb(i.idle.rss)} (live heap ${heap(i.idle)}); modules loaded, before the open: RSS ${mb(i.beforeOpen.rss)} (live heap ${heap(i.beforeOpen)})`
    )

    runChild('build', join(root, 'queue'))
    const q = runChild('queue', join(root, 'queue')) as QueueResult
    console.log(
      `queue:   ${JOBS.toLocaleString('en')} jobs queued: RSS ${mb(q.opened.rss)} once open and started (live heap ${heap(q.opened)}), peak ${mb(q.peakOpen)} while opening; ` +
        `before the open ${mb(q.beforeOpen.rss)}`
    )
    console.log(
      `         serving the window's start (jobs/list of ${q.listed.toLocaleString('en')} jobs = ${mb(q.listBytes)} of JSON in ${sec(q.listMs)}, ` +
        `queue/stats ${sec(q.statsMs)}, queue/eta ${sec(q.etaMs)}): ` +
        `peak RSS ${mb(q.peakServing)}; RSS ${mb(q.afterServing.rss)} after (live heap ${heap(q.afterServing)})`
    )

    const im = runChild('import', join(root, 'import')) as ImportResult
    console.log(
      `import:  ${im.totalRows.toLocaleString('en')} rows in ${(im.importMs / 1000).toFixed(1)} s: peak RSS ${mb(im.peakImport)} ` +
        `(RSS ${mb(im.beforeImport.rss)} before, +${mb(im.peakImport - im.beforeImport.rss)}); RSS ${mb(im.afterImport.rss)} after ` +
        `(live heap ${heap(im.beforeImport)} before, ${heap(im.afterImport)} after)`
    )
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

async function child(kind: string, dir: string): Promise<unknown> {
  if (kind === 'idle') return idle(dir)
  if (kind === 'queue') return queue(dir)
  if (kind === 'import') return importRows(dir)
  const { buildFullQueue } = await import('./queue/full-queue')
  return buildFullQueue(dir, JOBS, 0)
}

if (values.child) {
  console.log(`RESULT ${JSON.stringify(await child(values.child, values.dir!))}`)
  process.exit(0)
} else {
  await parent()
}
