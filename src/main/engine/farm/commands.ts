/**
 * What `studio farm init`, `studio farm status` and a farm worker's start do, ready for the CLI's
 * farm command file: each returns data (printed as is with --json) and a text rendering.
 */
import { farmInit, parseQueueUrl, redactQueueUrl, withClient, type FarmInitResult } from '../store/postgres/init'
import { farmLaneUsage, hasLanesTable, type FarmLaneUsage } from '../store/postgres/resource-lanes'
import { FARM_SCHEMA_VERSION } from '../store/postgres/schema'
import { jobCountsByStatus, schemaVersion } from '../store/postgres/status'
import { listWorkers, unrunnableJobs, type UnrunnableGroup, type WorkerView } from '../store/postgres/workers'
import { detectCapabilities, type CapabilityOptions, type WorkerCapabilities } from './capabilities'
import { FarmError } from './errors'
import { formatFarmLimits } from './limits'
import { proveFarmShare } from './share-mark'
import { checkSharedMedia } from './shared-media'

/** The queue URL from `--queue-url`, else STUDIO_QUEUE_URL; undefined means the local SQLite queue. */
export function resolveQueueUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = flag ?? (env.STUDIO_QUEUE_URL || undefined)
  if (value === undefined) return undefined
  try {
    parseQueueUrl(value)
  } catch (err) {
    const from = flag !== undefined ? '--queue-url' : 'STUDIO_QUEUE_URL'
    throw new FarmError('invalid-queue-url', (err as Error).message.replace(/^queueUrl/, from), from)
  }
  return value
}

export async function farmInitCommand(url: string): Promise<{ result: FarmInitResult; text: string }> {
  const result = await farmInit(url)
  const where = redactQueueUrl(url)
  const text = result.applied.length === 0
    ? `farm schema at ${where} is current (version ${result.version})`
    : `farm schema at ${where}: applied version${result.applied.length > 1 ? 's' : ''} ${result.applied.join(', ')}; now at version ${result.version}`
  return { result, text }
}

export interface FarmStatus {
  schemaVersion: number | null
  workers: WorkerView[]
  queue: Record<'pending' | 'processing' | 'paused' | 'completed' | 'failed' | 'cancelled', number>
  unrunnable: UnrunnableGroup[]
  /** The resource limits held across the farm (`studio farm limits`), with what runs in each now. */
  limits: FarmLaneUsage[]
}

export async function farmStatus(url: string, now = Date.now()): Promise<FarmStatus> {
  return withClient(url, async (c) => {
    const version = await schemaVersion(c)
    if (version === null) throw new FarmError('farm-not-initialised', `no farm schema at ${redactQueueUrl(url)}: run \`studio farm init\` first`)
    const queue: FarmStatus['queue'] = { pending: 0, processing: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 }
    for (const [status, n] of await jobCountsByStatus(c)) if (status in queue) queue[status as keyof FarmStatus['queue']] = n
    const limits = (await hasLanesTable(c)) ? await farmLaneUsage(c, now) : []
    return { schemaVersion: version, workers: await listWorkers(c, now), queue, unrunnable: await unrunnableJobs(c, now), limits }
  })
}

export function formatFarmStatus(s: FarmStatus): string {
  const lines: string[] = []
  const alive = s.workers.filter((w) => w.alive)
  lines.push(`schema version ${s.schemaVersion}; ${alive.length} worker${alive.length === 1 ? '' : 's'} alive of ${s.workers.length}`)
  for (const w of s.workers) {
    const state = !w.alive ? `gone (last seen ${Math.round(w.lastSeenMsAgo / 1000)}s ago)` : w.stopping ? 'stopping' : 'alive'
    const running = w.running.length ? w.running.map((r) => `${r.title || r.jobId}${r.step ? ` [${r.step}]` : ''}`).join(', ') : 'idle'
    lines.push(`  ${w.host} ${w.id} pid ${w.pid}: ${state}; can run ${w.has.join(', ') || 'nothing special'}; ${running}`)
  }
  const q = s.queue
  lines.push(`queue: ${q.pending} pending, ${q.processing} running, ${q.paused} paused, ${q.completed} completed, ${q.failed} failed, ${q.cancelled} cancelled`)
  for (const u of s.unrunnable) {
    lines.push(`  ${u.jobs} pending job${u.jobs === 1 ? '' : 's'} no live worker can run (needs ${u.needs.join(', ')})`)
  }
  lines.push(formatFarmLimits(s.limits))
  return lines.join('\n')
}

export type WorkerPreflight =
  | { ok: true; capabilities: WorkerCapabilities; schemaVersion: number }
  | { ok: false; reason: string }

/**
 * What `studio farm push` checks of the shared folder before it copies anything into it: that it
 * works here and is this farm's (share-mark.ts) — an empty mount point would take the files where
 * no worker sees them. A person types the command, so, like a worker, it may mark a farm's first
 * share. The reason, or null when the folder is the share.
 */
export async function pushShareProblem(url: string, farmDir: string): Promise<string | null> {
  const media = await checkSharedMedia(farmDir)
  if (!media.ok) return media.reason
  const same = await withClient(url, (c) => proveFarmShare(c, farmDir))
  return same.ok ? null : same.reason
}

/**
 * What a worker checks before it claims anything: the farm's schema is one this program knows, the
 * shared data folder can be seen and written here and is this farm's (share-mark.ts), and what this
 * machine can run. A worker that
 * fails it refuses to start, printing the reason.
 */
export async function workerPreflight(url: string, dataDir: string, options: CapabilityOptions = {}): Promise<WorkerPreflight> {
  const media = await checkSharedMedia(dataDir)
  if (!media.ok) return { ok: false, reason: `cannot start a farm worker: ${media.reason}` }
  const version = await withClient(url, schemaVersion)
  if (version === null) return { ok: false, reason: `cannot start a farm worker: no farm schema at ${redactQueueUrl(url)} (run \`studio farm init\`)` }
  if (version !== FARM_SCHEMA_VERSION) {
    return {
      ok: false,
      reason: version > FARM_SCHEMA_VERSION
        ? `cannot start a farm worker: the farm's schema (version ${version}) is newer than this studio knows (${FARM_SCHEMA_VERSION}): update studio here`
        : `cannot start a farm worker: the farm's schema is at version ${version}, this studio needs ${FARM_SCHEMA_VERSION}: run \`studio farm init\``
    }
  }
  // An empty mount point passes every check above: the farm's mark in the folder tells (share-mark.ts).
  const same = await withClient(url, (c) => proveFarmShare(c, dataDir))
  if (!same.ok) return { ok: false, reason: `cannot start a farm worker: ${same.reason}` }
  return { ok: true, capabilities: await detectCapabilities(options), schemaVersion: version }
}
