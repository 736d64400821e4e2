/**
 * `studio farm worker`: checks that this machine can work for the farm (the shared folder seen and
 * writable, the farm's schema known: workerPreflight), then runs the farm's jobs until SIGINT or
 * SIGTERM — a first signal lets running steps finish (up to 10 s by default, stopGraceMs in the timings; the rest go back to the queue),
 * a second stops them at once. One line per job this worker finished (one JSON object a line with
 * --json), and a summary at the end.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JobView } from '../shared/types'
import type { ProviderSettingsInput } from '../main/engine/providers/registry'
import { shortJobId } from '../shared/job-id'
import { FarmError } from '../main/engine/farm/errors'
import { defaultDataDir } from '../main/engine/paths'
import type { CommandContext } from './commands/context'
import { duration, term } from './format'

export interface FarmWorkerArgs {
  url: string
  dataDir: string
  localDir: string | undefined
  concurrency: number | undefined
}

export async function runFarmWorker(ctx: CommandContext, a: FarmWorkerArgs): Promise<number> {
  const { io, json } = ctx
  const line = (value: unknown, text: () => string) => io.stdout.write((json ? JSON.stringify(value) : term(text(), { lines: true })) + '\n')
  // Notes for the person running it (a lost connection, a signal): on stderr, as JSON with --json.
  const note = (text: string) => io.stderr.write(json ? JSON.stringify({ note: text }) + '\n' : `studio farm worker: ${term(text, { lines: true })}\n`)
  const { workerPreflight } = await import('../main/engine/farm/commands')
  const { FarmWorker } = await import('../main/engine/farm/worker')
  const { farmWorkerTimings } = await import('../main/engine/farm/worker-timings')
  const { openWorkerLocal } = await import('../main/engine/farm/worker-local')
  const timings = farmWorkerTimings(io.env)
  // The worker's own folder, never the shared one (SQLite does not belong on a network share).
  const localDir = a.localDir ?? join(defaultDataDir({ ...io.env, STUDIO_DATA_DIR: '' }), 'farm-worker')

  // What this machine can run depends on its settings (the configured providers, ffmpeg's path).
  const local = openWorkerLocal(localDir, a.dataDir, io.env)
  const saved = local.settings.get()
  await local.close()
  const preflight = await workerPreflight(a.url, a.dataDir, { binaries: saved.ffmpegPath ? { ffmpegPath: saved.ffmpegPath } : {}, providers: saved.providers as ProviderSettingsInput, registry: { env: io.env }, env: io.env })
  if (!preflight.ok) throw new FarmError('worker-refused', preflight.reason, 'dataDir')

  const counts = { completed: 0, failed: 0, cancelled: 0 }
  const worker = new FarmWorker({
    url: a.url,
    dataDir: a.dataDir,
    localDir,
    capabilities: preflight.capabilities,
    ...(a.concurrency !== undefined ? { concurrency: a.concurrency } : {}),
    timings,
    env: io.env,
    version: packageVersion(),
    log: note,
    onFinished: (job) => {
      if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') counts[job.status]++
      line({ type: 'job.finished', job }, () => finishedText(job))
    }
  })
  await worker.start()
  const caps = preflight.capabilities.has
  line(
    { type: 'worker.started', id: worker.id, concurrency: worker.pool.getConcurrency(), has: caps, dataDir: worker.dataDir, schemaVersion: preflight.schemaVersion },
    () => `farm worker ${worker.id}: ${worker.pool.getConcurrency()} at a time, can run ${caps.join(', ') || 'nothing special'}, shared folder ${worker.dataDir} (Ctrl-C to stop)`
  )

  // The pool's timers do not hold the process open: the worker stays until it is told to stop.
  const stayAlive = setInterval(() => {}, 60_000)
  let signals = 0
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      signals++
      if (signals === 1) {
        note(`${sig}: finishing running steps (up to ${Math.round(timings.stopGraceMs / 1000)} s; again to stop now), then leaving the farm`)
        resolve()
      } else {
        note('stopping now; interrupted jobs go back to the queue')
        void worker.pool.stop(0)
      }
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
  await worker.stop(signals > 1 ? 0 : timings.stopGraceMs)
  clearInterval(stayAlive)
  process.removeAllListeners('SIGINT')
  process.removeAllListeners('SIGTERM')
  line({ type: 'worker.stopped', id: worker.id, ...counts }, () => `stopped: ${counts.completed} completed, ${counts.failed} failed${counts.cancelled ? `, ${counts.cancelled} cancelled` : ''} here`)
  return 0
}

function finishedText(job: JobView): string {
  const id = shortJobId(job.id)
  if (job.status === 'completed') return `${id} completed  ${job.title} (${duration(job.actualDurationMs)})`
  if (job.status === 'failed') return `${id} failed     ${job.title}: ${job.error ?? 'unknown error'}`
  return `${id} cancelled  ${job.title}`
}

/** This program's version, from the package.json above this file (src/cli, or out/cli once built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown'
      } catch {
        return 'unknown'
      }
    }
    dir = dirname(dir)
  }
  return 'unknown'
}
