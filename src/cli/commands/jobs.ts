/**
 * The job commands: add, list, show, priority, move, cancel, rm, retry, pause, resume, logs,
 * cleanup (and their bulk forms on several ids or on --status).
 */
import type { BulkResult } from '../../shared/contract'
import { JobFilter } from '../../shared/schemas'
import { JOB_STATUSES, type JobView } from '../../shared/types'
import type { Handlers } from '../../main/api/handlers'
import { JsonDepthError, parseJsonText } from '../../main/engine/json-text'
import { checkArgumentText, readInputFile } from '../input-file'
import { jobDetailText, jobTable, logLineText, term } from '../format'
import { BULK_COMMAND, BULK_USAGE, BulkUsageError, bulkRequest, bulkText, isBulk, type BulkVerb } from '../bulk'
import { UsageError, numberArg, parse, type CommandContext, type CommandGroup } from './context'
import { shortJobId } from '../../shared/job-id'

/** What `list` shows unless told (the contract's default), and the most it can show. */
const DEFAULT_LIST_LIMIT = JobFilter.parse({}).limit
const MAX_LIST_LIMIT = 100_000

/** `cancel|retry|rm|priority` on several ids or on `--status S`: one request, one transaction, a line per job. */
async function bulk(verb: BulkVerb, argv: string[], { io, json, queue, call, print }: CommandContext): Promise<number> {
  const { values, positionals } = parse(argv, { status: { type: 'string' } }, { min: 0, max: 10_000, usage: BULK_USAGE[verb] })
  let request
  try {
    request = bulkRequest(verb, positionals, values.status as string | undefined)
  } catch (err) {
    if (err instanceof BulkUsageError) throw new UsageError(err.message)
    throw err
  }
  const result = (await call((await queue(values)).handlers, BULK_COMMAND[verb], request as never)) as BulkResult
  print(result, () => bulkText(verb, result))
  if (result.skipped === 0) return 0
  // A non-zero exit says why on stderr too, where scripts look for it (the list is on stdout).
  const why = `${result.skipped} of ${result.results.length} job(s) skipped: ${result.results.find((r) => r.outcome !== 'done')?.reason ?? 'see above'}`
  io.stderr.write(json ? JSON.stringify({ error: { code: 'skipped', message: why } }) + '\n' : `studio: ${term(why)}\n`)
  return 1
}

export const jobCommands: CommandGroup = async (command, args, ctx) => {
  const { io, json, queue, call, print } = ctx
  switch (command) {
    case 'add': {
      const { values, positionals } = parse(
        args,
        { input: { type: 'string' }, 'input-file': { type: 'string' }, priority: { type: 'string' }, project: { type: 'string' }, title: { type: 'string' } },
        { min: 1, max: 1, usage: 'add <type> --input JSON | --input-file F [--priority N] [--project P]' }
      )
      if ((values.input === undefined) === (values['input-file'] === undefined)) {
        throw new UsageError('give the job input with exactly one of --input JSON or --input-file F')
      }
      let text: string
      try {
        text = values.input !== undefined ? checkArgumentText(String(values.input), '--input') : readInputFile(String(values['input-file']), '--input-file')
      } catch (err) {
        throw new UsageError((err as Error).message)
      }
      let input: unknown
      try {
        input = parseJsonText(text)
      } catch (err) {
        const given = values.input !== undefined ? '--input' : `--input-file: ${String(values['input-file'])}`
        if (err instanceof JsonDepthError) throw new UsageError(`${given}: ${err.message}`)
        throw new UsageError(`${given} is not valid JSON: ${(err as Error).message}`)
      }
      const priority = numberArg(values.priority as string | undefined, '--priority')
      const job = (await call((await queue(values)).handlers, 'jobs/enqueue', {
        type: positionals[0]!,
        input: input as Record<string, unknown>,
        ...(priority !== undefined ? { priority } : {}),
        ...(values.project !== undefined ? { projectId: String(values.project) } : {}),
        ...(values.title ? { title: String(values.title) } : {})
      })) as JobView
      print(job, () => job.id)
      return 0
    }
    case 'list': {
      const { values } = parse(
        args,
        { status: { type: 'string' }, type: { type: 'string' }, project: { type: 'string' }, text: { type: 'string' }, limit: { type: 'string' } },
        { min: 0, max: 0, usage: 'list [--status S] [--type T] [--project P] [--text Q] [--limit N (default 1000)]' }
      )
      if (values.status !== undefined && values.status !== 'waiting' && !JOB_STATUSES.includes(values.status as never)) {
        throw new UsageError(`--status must be one of ${JOB_STATUSES.join(', ')}, waiting; got "${String(values.status)}"`)
      }
      const limit = numberArg(values.limit as string | undefined, '--limit') ?? DEFAULT_LIST_LIMIT
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got "${String(values.limit)}"`)
      }
      const { handlers: h, engine: e } = await queue(values)
      // One job more than shown tells whether the list was cut short.
      let jobs = (await call(h, 'jobs/list', {
        ...(values.status ? { status: values.status === 'waiting' ? 'pending' : (values.status as never) } : {}),
        ...(values.type ? { type: String(values.type) } : {}),
        ...(values.project !== undefined ? { projectId: String(values.project) } : {}),
        ...(values.text ? { text: String(values.text) } : {}),
        limit: Math.min(limit + 1, MAX_LIST_LIMIT)
      })) as JobView[]
      const cut = jobs.length > limit
      jobs = jobs.slice(0, limit)
      if (values.status === 'waiting') jobs = jobs.filter((j) => j.waitingReason)
      // The ETA lays the queue out on this machine's workers; a farm's are elsewhere (its column stays empty).
      const eta = e?.eta()
      print(jobs, () => jobTable(jobs, new Map(eta?.jobs.map((j) => [j.jobId, j.finishInMs]))))
      // On stderr: `studio list | wc -l` counts jobs, and a user reading the table knows it is not the whole queue.
      if (cut && !json) io.stderr.write(`studio: showing the first ${limit} jobs; there are more (--limit N shows up to ${MAX_LIST_LIMIT})\n`)
      return 0
    }
    case 'show': {
      const { values, positionals } = parse(args, {}, { min: 1, max: 1, usage: 'show <id>' })
      const h = (await queue(values)).handlers
      const job = (await call(h, 'jobs/get', { id: positionals[0]! })) as Awaited<ReturnType<Handlers['jobs/get']>>
      const log = (await call(h, 'jobs/logs', { id: job.id })) as Awaited<ReturnType<Handlers['jobs/logs']>>
      print({ ...job, log }, () => jobDetailText(job, log))
      return 0
    }
    case 'priority': {
      const priorityRule = (given: string) => new UsageError(`priority must be a whole number from 1 to 10 (1 runs first), got "${given}"`)
      // A negative number reads as an option to parseArgs ("Unknown option '-5'"): it is a priority out of range.
      const negative = args.find((a) => /^-\d/.test(a))
      if (negative !== undefined) throw priorityRule(negative)
      if (isBulk(args, 2)) return await bulk('priority', args, ctx)
      const { values, positionals } = parse(args, {}, { min: 2, max: 2, usage: 'priority <id> <1-10>' })
      const priority = Number(positionals[1])
      if (positionals[1]!.trim() === '' || !Number.isInteger(priority) || priority < 1 || priority > 10) throw priorityRule(positionals[1]!)
      const job = (await call((await queue(values)).handlers, 'jobs/setPriority', { id: positionals[0]!, priority })) as JobView
      print(job, () => `${shortJobId(job.id)} priority ${job.priority}`)
      return 0
    }
    case 'move': {
      const { values, positionals } = parse(args, {}, { min: 2, max: 2, usage: 'move <id> up|down|top|bottom' })
      const job = (await call((await queue(values)).handlers, 'jobs/move', {
        id: positionals[0]!,
        direction: positionals[1] as never
      })) as JobView
      print(job, () => `${shortJobId(job.id)} moved ${positionals[1]} (priority ${job.priority})`)
      return 0
    }
    case 'cancel':
    case 'rm': {
      if (isBulk(args, 1)) return await bulk(command, args, ctx)
      const { values, positionals } = parse(args, {}, { min: 1, max: 1, usage: `${command} <id>` })
      const h = (await queue(values)).handlers
      // An id prefix names the job; what is said names it whole, as `list` and `show` do.
      const job = (await call(h, 'jobs/get', { id: positionals[0]! })) as JobView
      if (command === 'rm') {
        await call(h, 'jobs/remove', { id: job.id })
        print({ removed: job.id }, () => `removed ${job.id} "${term(job.title)}"`)
      } else {
        const cancelled = (await call(h, 'jobs/cancel', { id: job.id })) as JobView
        print(cancelled, () => `${cancelled.id} cancelled`)
      }
      return 0
    }
    case 'retry': {
      if (isBulk(args, 1)) return await bulk('retry', args, ctx)
      const { values, positionals } = parse(args, { from: { type: 'string' } }, { min: 1, max: 1, usage: 'retry <id> [--from STEP]' })
      const job = (await call((await queue(values)).handlers, 'jobs/retry', {
        id: positionals[0]!,
        ...(values.from ? { fromStep: String(values.from) } : {})
      })) as JobView
      print(job, () => `${shortJobId(job.id)} queued again`)
      return 0
    }
    case 'pause':
    case 'resume': {
      const { values, positionals } = parse(args, {}, { min: 0, max: 1, usage: `${command} [<id>]` })
      const h = (await queue(values)).handlers
      if (positionals[0]) {
        const job = (await call(h, command === 'pause' ? 'jobs/pause' : 'jobs/resume', { id: positionals[0] })) as JobView
        print(job, () => `${shortJobId(job.id)} ${job.pauseRequested ? 'will pause after its current step' : job.status}`)
      } else {
        await call(h, command === 'pause' ? 'queue/pause' : 'queue/resume', {})
        print({ paused: command === 'pause' }, () => (command === 'pause' ? 'queue paused' : 'queue resumed'))
      }
      return 0
    }
    case 'cleanup': {
      const { values } = parse(args, { 'older-than': { type: 'string' } }, { min: 0, max: 0, usage: 'cleanup --older-than DAYS' })
      const days = numberArg(values['older-than'] as string | undefined, '--older-than')
      if (days === undefined) throw new UsageError('usage: studio cleanup --older-than DAYS')
      const n = await call((await queue(values)).handlers, 'queue/cleanup', { olderThanDays: days })
      // The engine keeps failed jobs (a retry resumes them): say so, or '0 removed' next to old failed jobs puzzles.
      print({ removed: n }, () => `removed ${n} completed or cancelled job(s); failed jobs are kept for a retry (studio rm removes one)`)
      return 0
    }
    case 'logs': {
      const { values, positionals } = parse(args, { follow: { type: 'boolean', short: 'f', default: false } }, { min: 1, max: 1, usage: 'logs <id> [--follow]' })
      const { store } = await queue(values)
      const id = (await store.require(positionals[0]!)).id
      let after = 0
      for (;;) {
        for (const line of await store.logs(id, { afterId: after })) {
          after = line.id
          io.stdout.write((json ? JSON.stringify(line) : logLineText(line)) + '\n')
        }
        const status = (await store.get(id))?.status
        if (!values.follow || status === undefined || status === 'completed' || status === 'failed' || status === 'cancelled') break
        // Polling the file, not events: the job may be running in another process (app or `studio run`).
        await new Promise((r) => setTimeout(r, 250))
      }
      return 0
    }
  }
  throw new Error(`not a job command: ${command}`)
}
