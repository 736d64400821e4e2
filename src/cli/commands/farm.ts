/**
 * `studio farm init`, `studio farm status`, `studio farm limits`, `studio farm worker` and
 * `studio farm push`: the studio farm's PostgreSQL queue, named by --queue-url or STUDIO_QUEUE_URL
 * (main.ts reads and checks it). Init, status and limits never open a data folder; the worker runs
 * on the shared one (--data-dir); push moves the local data folder's (--data-dir) unfinished work
 * to the farm (--farm-data-dir).
 */
import { isAbsolute } from 'node:path'
import { shortJobId } from '../../shared/job-id'
import { UsageError, concurrencyArg, parse, type CommandContext, type CommandGroup } from './context'

const USAGE =
  'farm init|status [--queue-url postgres://user@host:5432/database] [--json]\n' +
  '       studio farm worker --data-dir SHARED [--concurrency N] [--local-dir DIR] [--queue-url URL] [--json]\n' +
  '       studio farm limits [--set resource=concurrency[/intervalMs]]... [--clear resource]... [--queue-url URL] [--json]\n' +
  '       studio farm push --farm-data-dir SHARED [--data-dir LOCAL] [--dry-run] [--queue-url URL] [--json]'

export const farmCommands: CommandGroup = async (_command, args, ctx) => {
  if (firstPositional(args) === 'push') return farmPush(args, ctx)
  const { positionals, values } = parse(args, { concurrency: { type: 'string' }, 'local-dir': { type: 'string' }, ...LIMITS_OPTIONS }, { min: 1, max: 1, usage: USAGE })
  const url = ctx.queueUrl!
  const sub = positionals[0]
  if (sub !== 'worker') {
    for (const flag of ['concurrency', 'local-dir']) if (values[flag] !== undefined) throw new UsageError(`--${flag} is for \`studio farm worker\` only\nusage: studio ${USAGE}`)
  }
  if (sub !== 'limits') {
    for (const flag of Object.keys(LIMITS_OPTIONS)) if (values[flag] !== undefined) throw new UsageError(`--${flag} is for \`studio farm limits\` only\nusage: studio ${USAGE}`)
  }
  switch (sub) {
    case 'init': {
      const { farmInitCommand } = await import('../../main/engine/farm/commands')
      const { result, text } = await farmInitCommand(url)
      ctx.print(result, () => text)
      return 0
    }
    case 'status': {
      const { farmStatus, formatFarmStatus } = await import('../../main/engine/farm/commands')
      const status = await farmStatus(url)
      ctx.print(status, () => formatFarmStatus(status))
      return 0
    }
    case 'limits':
      return farmLimits(ctx, url, values)
    case 'worker': {
      const dataDir = (values['data-dir'] as string | undefined) ?? (ctx.io.env.STUDIO_DATA_DIR || undefined)
      if (!dataDir) throw new UsageError(`studio farm worker needs the shared data folder: give --data-dir SHARED (the folder every machine mounts)\nusage: studio ${USAGE}`)
      const { runFarmWorker } = await import('../farm-worker')
      return runFarmWorker(ctx, {
        url,
        dataDir,
        localDir: values['local-dir'] as string | undefined,
        concurrency: concurrencyArg(values.concurrency as string | undefined)
      })
    }
  }
  throw new UsageError(`unknown farm command "${sub}"\nusage: studio ${USAGE}`)
}

/** The subcommand named, skipping the values of the options that take one. */
function firstPositional(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--') return args[i + 1]
    if (/^--(data-dir|farm-data-dir|local-dir|concurrency|set|clear|queue-url)$/.test(a)) i++
    else if (!a.startsWith('-')) return a
  }
  return undefined
}

/** `studio farm push --help`. */
export const FARM_PUSH_HELP = `usage: studio farm push --farm-data-dir SHARED [--data-dir LOCAL] [--dry-run] [--queue-url URL] [--json]

Moves this machine's unfinished work to the studio farm (--queue-url or STUDIO_QUEUE_URL):
  - jobs queued (pending, including those waiting for a retry or a provider), paused, or
    interrupted (processing with no engine running them), with all their steps: finished steps
    keep their results, files, attempts and times, so the farm never runs (or pays for) them again;
    their log lines, priority and manual order come along, after the farm's own jobs of the same
    priority, in the order they had here;
  - batches with work left, whole: their rows (and which job each became) and all their jobs,
    finished ones included;
  - storyboards with their revisions and renders, and the projects and media the moved work
    belongs to (these are copied: they stay here too); a storyboard's unfinished render moves as
    any job, and the projects' kept storyboard step results (the cache a render after an edit
    reuses) are copied too, so the farm's workers never make again what this machine made;
    the storyboard, edited here, shows the moved render from the farm when its window is on it.
Completed, failed and cancelled jobs stay here (retry a failed job first to move it). Left here,
with the reason printed: a job an engine here is running, a batch running here (pause it first)
and the jobs of a batch that stays.

Files: the moved jobs' artifacts (jobs/<id>), the projects' media and batches' staged sheets are
copied from the local data folder (--data-dir, default $STUDIO_DATA_DIR or the app's) into the
farm's shared data folder as this machine mounts it (--farm-data-dir; nothing is copied when it is
the same folder); the farm stores their paths relative to it. That folder is checked first, as a
worker checks its share: it must work here and carry this farm's mark (an empty mount point, where
the files would go nowhere the workers see, or another farm's share is refused, saying so).

Safety: everything is written to the farm in one transaction; the moved jobs and batches leave the
local queue only once it has committed (their local files with them), each job's log saying where
it went. A job the farm already has (same id) is not written again, only removed here; a second
push adds nothing. While a push runs, the jobs it moves are held here so that no engine here
starts them. --dry-run prints what would move and changes nothing. Prints counts per kind
(jobs, finished steps kept, log lines, batches, storyboards, projects, assets, kept storyboard
step results, files copied);
--json the same as one object.`

async function farmPush(args: string[], ctx: CommandContext): Promise<number> {
  const usage = 'farm push --farm-data-dir SHARED [--data-dir LOCAL] [--dry-run] [--queue-url URL] [--json]'
  const { positionals, values } = parse(args, { 'farm-data-dir': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } }, { min: 1, max: 1, usage })
  if (positionals[0] !== 'push') throw new UsageError(`usage: studio ${usage}`)
  const farmDir = values['farm-data-dir'] as string | undefined
  if (!farmDir) throw new UsageError(`studio farm push needs the farm's shared data folder as this machine mounts it: give --farm-data-dir SHARED\nusage: studio ${usage}`)
  if (!isAbsolute(farmDir)) throw new UsageError('--farm-data-dir must be an absolute path (the shared folder as this machine mounts it)')
  const { openFarmQueue } = await import('../farm-queue')
  // The farm first: a dead farm or a schema this studio does not know refuses before anything local is opened.
  const farm = await openFarmQueue(ctx.queueUrl!, farmDir)
  try {
    const { pushShareProblem } = await import('../../main/engine/farm/commands')
    const { FarmError } = await import('../../main/engine/farm/errors')
    const problem = await pushShareProblem(ctx.queueUrl!, farmDir)
    if (problem) throw new FarmError('farm-share-refused', `--farm-data-dir: ${problem}`, '--farm-data-dir')
    const engine = await ctx.open(values)
    const { pushToFarm } = await import('../../main/engine/farm/push')
    const { stepNeeds } = await import('../../main/engine/farm/capabilities')
    const report = await pushToFarm({ db: engine.db, localDir: engine.dataDir, pool: farm.pool, farmDir, dryRun: values['dry-run'] === true, stepNeeds })
    ctx.print(report, () => pushText(report))
    return 0
  } finally {
    await farm.close()
  }
}

function pushText(r: import('../../main/engine/farm/push').PushReport): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`
  const lines = [
    `${r.dryRun ? 'would push' : 'pushed'} to the farm: ${n(r.jobs, 'job')} (${n(r.stepsKept, 'finished step')} kept, not run again), ` +
      `${n(r.logLines, 'log line')}, ${n(r.batches, 'batch', 'batches')} (${n(r.batchRows, 'row')}), ${n(r.storyboards, 'storyboard')}, ` +
      `${n(r.projects, 'project')}, ${n(r.assets, 'asset')}` +
      (r.artifacts ? `, ${n(r.artifacts, 'kept storyboard step result')}` : '') +
      (r.dryRun ? '' : `; ${n(r.filesCopied, 'file')} copied (${formatBytes(r.bytesCopied)}); ${n(r.removedHere, 'job')} removed from the local queue`)
  ]
  const already = r.alreadyOnFarm
  if (already.jobs.length || already.batches.length || already.storyboards.length) {
    lines.push(`already on the farm (not written again): ${n(already.jobs.length, 'job')}, ${n(already.batches.length, 'batch', 'batches')}, ${n(already.storyboards.length, 'storyboard')}`)
  }
  for (const s of r.skipped) lines.push(`left here: ${s.kind} ${s.kind === 'job' ? shortJobId(s.id) : s.id.slice(0, 8)} ${s.title}: ${s.reason}`)
  if (r.dryRun) lines.push('dry run: nothing was changed')
  return lines.join('\n')
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

const LIMITS_OPTIONS = { set: { type: 'string', multiple: true }, clear: { type: 'string', multiple: true } } as const

/** `studio farm limits`: show, set or clear the resource limits every worker holds to (farm/limits.ts). */
async function farmLimits(ctx: CommandContext, url: string, values: Record<string, unknown>): Promise<number> {
  const { farmLimitsCommand } = await import('../../main/engine/farm/limits')
  const { result, text } = await farmLimitsCommand(url, { set: (values.set as string[] | undefined) ?? [], clear: (values.clear as string[] | undefined) ?? [] })
  ctx.print(result, () => text)
  return 0
}
