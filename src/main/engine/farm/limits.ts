/**
 * `studio farm limits`: the resource limits the whole farm holds to. A provider's limit ("5 at a
 * time, 2 s apart") is the provider's, whoever calls: set once in the farm's database, every worker
 * reads it at start and hears when it changes (farm-limiter.ts). A resource the farm sets no limit
 * for keeps each worker's own settings, as on one machine: local work (ffmpeg, cpu) is bounded by
 * each machine's cores, and only what a remote service bounds belongs here.
 *
 *   studio farm limits                       what the farm holds to, and what runs in each lane now
 *   studio farm limits --set music=5/2000    5 at a time, 2000 ms between starts, across the farm
 *   studio farm limits --set llm=4 --clear image
 */
import { formatMs } from '../../../shared/format-ms'
import { redactQueueUrl, withClient } from '../store/postgres/init'
import { changeFarmLimits, checkFarmLimit, farmLaneUsage, hasLanesTable, type FarmLaneUsage, type FarmLimit } from '../store/postgres/resource-lanes'
import { FarmError } from './errors'

/** `resource=concurrency[/intervalMs]`, as `--set` takes it. */
export function parseFarmLimit(spec: string): FarmLimit {
  const m = /^([^=]+)=(\d+)(?:\/(\d+))?$/.exec(spec.trim())
  if (!m) throw new FarmError('invalid-limit', `--set ${JSON.stringify(spec)}: write resource=concurrency or resource=concurrency/intervalMs (e.g. music=5/2000)`, '--set')
  const limit: FarmLimit = { resource: m[1]!.trim(), concurrency: Number(m[2]), minIntervalMs: m[3] === undefined ? 0 : Number(m[3]) }
  const bad = checkFarmLimit(limit)
  if (bad) throw new FarmError('invalid-limit', `--set ${JSON.stringify(spec)}: ${bad}`, '--set')
  return limit
}

export interface FarmLimitsResult {
  /** The farm's lanes after the change, each with the steps running in it now, farm-wide. */
  limits: FarmLaneUsage[]
}

/** Apply `--set` and `--clear` (if any), then read the farm's limits. */
export async function farmLimitsCommand(url: string, change: { set: readonly string[]; clear: readonly string[] }): Promise<{ result: FarmLimitsResult; text: string }> {
  const set = change.set.map(parseFarmLimit)
  for (const r of change.clear) if (checkFarmLimit({ resource: r, concurrency: 1, minIntervalMs: 0 })) throw new FarmError('invalid-limit', `--clear ${JSON.stringify(r)}: not a resource name`, '--clear')
  const limits = await withClient(url, async (c) => {
    if (!(await hasLanesTable(c))) throw new FarmError('farm-not-initialised', `no farm limits at ${redactQueueUrl(url)}: run \`studio farm init\` first`)
    if (set.length || change.clear.length) await changeFarmLimits(c, { set, clear: change.clear })
    return farmLaneUsage(c)
  })
  return { result: { limits }, text: formatFarmLimits(limits) }
}

/** One line per lane, or what applies when the farm sets none. */
export function formatFarmLimits(limits: readonly FarmLaneUsage[]): string {
  if (limits.length === 0) return "farm limits: none (each worker applies its own settings' limits)"
  const lines = ["farm limits (held across every worker; other resources: each worker's settings):"]
  for (const l of limits) {
    const spacing = l.minIntervalMs > 0 ? `, ${formatMs(l.minIntervalMs)} apart` : ''
    lines.push(`  ${l.resource}: ${l.concurrency} at a time${spacing}; ${l.running} running`)
  }
  return lines.join('\n')
}
