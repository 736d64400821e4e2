import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { BulkResult, CommandName, RequestOf, Result } from '../shared/contract'
import { JobFilter } from '../shared/schemas'
import { JOB_STATUSES, type JobView } from '../shared/types'
import { createHandlers, dispatch, type Handlers } from '../main/api/handlers'
import type { Engine } from '../main/engine/engine'
import { QueueError } from '../main/engine/errors'
import { JsonDepthError, parseJsonText } from '../main/engine/json-text'
import { InputFileError, checkArgumentText, readInputFile } from './input-file'
import { defaultDataDir } from '../main/engine/paths'
import { duration, jobDetailText, jobTable, logLineText, queueEtaText, statsText, term } from './format'
import { BATCH_USAGE, BatchUsageError, batchCommand } from './batch'
import { runPool } from './run'
import { PROJECT_USAGE, STORYBOARD_USAGE, StoryboardUsageError, projectCommand, storyboardCommand } from './storyboard'
import { BULK_COMMAND, BULK_USAGE, BulkUsageError, bulkRequest, bulkText, isBulk, type BulkVerb } from './bulk'

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number }
  stderr: { write(text: string): unknown }
  env: NodeJS.ProcessEnv
  /** Opens the engine for a data dir (tests inject pipelines; the real CLI opens the studio). */
  openEngine(dataDir: string, options: { concurrency?: number }): Promise<Engine<any>> | Engine<any>
}

class UsageError extends Error {}
class CommandFailed extends Error {
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

type Opts = NonNullable<ParseArgsConfig['options']>
const GLOBAL: Opts = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false }
}

const USAGE = `studio — Creative Studio's engine, headless

usage: studio [--data-dir DIR] [--json] <command> [options]

jobs
  add <type> --input JSON | --input-file F [--priority 1-10] [--project P] [--title T]
  list [--status S] [--type T] [--project P] [--text Q] [--limit N (default 1000)]
  show <id>                     steps, attempts, outputs, log
  priority <id> <1-10>          1 runs first
  move <id> up|down|top|bottom
  cancel <id>
  retry <id> [--from STEP]      resumes at the failed step unless --from is given
  rm <id>
  cancel|retry|rm <id>... | --status S[,S]          many jobs in one go, e.g. cancel --status pending
  priority <id>... <1-10> | priority --status S <1-10>
  pause [<id>]                  a job, or the whole queue
  resume [<id>]
  logs <id> [--follow]
  cleanup --older-than DAYS     delete completed and cancelled jobs and their files
batches (CSV, XLSX, Google Sheets CSV export links)
  batch <file|url> [--rows A-B] [--config F] [--sheet NAME] [--pipeline P] [--detach] [--estimate] [--allow-private-urls]
  batch list | status <id> | start <id> | pause <id> | resume <id> | stop <id> | retry <id> | reset <id>
  batch export <id> [--history] [--out FILE] [--delimiter ';']
projects and storyboards (scene by scene; a render re-renders only what an edit changed)
  project create NAME | list | add-media <project> FILE… | media <project>
  project add-stock <project> (--query Q | --text NARRATION) [--video] [--count N]   Pexels photos/videos into the media bin
  storyboard create --project P (--idea TEXT | --assets ID,… | --blank) [--format 9:16|16:9|1:1] [--language L] [--render]
  storyboard list [--project P] | show <id> | undo <id> | redo <id> | rm <id>
  storyboard edit <id> <scene-number> [--narration TEXT] [--asset ID | --prompt TEXT] [--duration S] [--move-to N] [--remove]
  storyboard add-scene <id> [--after N] [--narration TEXT] … | settings <id> [--format F] [--music MOOD] …
  storyboard render <id> [--draft] [--scene N] [--estimate]
queue
  run [--concurrency N] [--until-idle]
  serve [--port P] [--host 127.0.0.1] [--concurrency N]   the studio UI in a browser (token-protected, loopback)
  stats | eta | health | pipelines | doctor
  voices                        the speech voices this machine (or the speech service) offers
  settings [--set JSON] [--providers JSON]   e.g. --providers '{"text":{"kind":"openai","baseURL":"http://127.0.0.1:11434/v1","model":"llama3.2","free":true}}'
  demo [--count N] [--draft]    render sample videos offline into ./demo-output (--draft: half size, fast)

--data-dir defaults to $STUDIO_DATA_DIR or the desktop app's data folder.
--json prints machine-readable results on stdout and errors as JSON on stderr.`

function parse(args: string[], options: Opts, positionals: { min: number; max: number; usage: string }) {
  let parsed
  try {
    parsed = parseArgs({ args, options: { ...GLOBAL, ...options }, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\. To specify a positional.*$/s, '')}\nusage: studio ${positionals.usage}`)
  }
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max) {
    throw new UsageError(`usage: studio ${positionals.usage}`)
  }
  return parsed
}

/** What `list` shows unless told (the contract's default), and the most it can show. */
const DEFAULT_LIST_LIMIT = JobFilter.parse({}).limit
const MAX_LIST_LIMIT = 100_000

function numberArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name} must be a number, got "${value}"`)
  return n
}

/** Workers for `run` and `serve`: 0 would leave every job waiting, and say nothing. */
function concurrencyArg(value: string | undefined): number | undefined {
  const concurrency = numberArg(value, '--concurrency')
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
    throw new UsageError('--concurrency must be a whole number from 1 to 64')
  }
  return concurrency
}

/** The request fields a user gives as options: an error names the option they typed. */
const OPTION_OF: Partial<Record<CommandName, Record<string, string>>> = {
  'jobs/enqueue': { priority: '--priority', projectId: '--project', title: '--title' },
  'jobs/list': { type: '--type', projectId: '--project', text: '--text' },
  'jobs/retry': { fromStep: '--from' },
  'queue/cleanup': { olderThanDays: '--older-than' }
}

/** A contract error as the CLI's user should read it: no command name of the API, options by their flags. */
function inCliTerms(name: CommandName, message: string): string {
  let text = message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message
  for (const [field, option] of Object.entries(OPTION_OF[name] ?? {})) {
    if (text.startsWith(`${field}:`)) text = option + text.slice(field.length)
  }
  return text
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const commandIndex = argv.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && argv[i - 1] === '--data-dir'))
  const command = commandIndex >= 0 ? argv[commandIndex]! : undefined
  const args = commandIndex >= 0 ? [...argv.slice(0, commandIndex), ...argv.slice(commandIndex + 1)] : argv
  const json = args.includes('--json')
  let engine: Engine<any> | undefined
  try {
    if (!command || command === 'help' || args.includes('--help') || args.includes('-h')) {
      io.stdout.write(USAGE + '\n')
      return command || args.length ? 0 : 2
    }
    const open = async (values: Record<string, unknown>, options: { concurrency?: number } = {}) => {
      const given = values['data-dir'] as string | undefined
      const dataDir = given ?? (io.env.STUDIO_DATA_DIR || defaultDataDir(io.env))
      try {
        engine = await io.openEngine(dataDir, options)
      } catch (err) {
        // The folder may come from the environment, unseen on the command line: say which it is and whence.
        const whence = given !== undefined ? '--data-dir' : io.env.STUDIO_DATA_DIR ? '$STUDIO_DATA_DIR' : "the desktop app's data folder"
        const code = err instanceof QueueError ? err.code : 'data_dir'
        throw new CommandFailed(code, `cannot open the data folder ${dataDir} (${whence}): ${(err as Error).message}`)
      }
      return engine
    }
    const call = async <C extends CommandName>(handlers: Handlers, name: C, request: RequestOf<C>) => {
      const result = (await dispatch(handlers, name, request)) as Result<unknown>
      if (!result.ok) throw new CommandFailed(result.error.code, inCliTerms(name, result.error.message))
      return result.value
    }
    const print = (value: unknown, text: () => string) => {
      // Fields are escaped where they are formatted; this is the net for any text from data that is not.
      io.stdout.write((json ? JSON.stringify(value, null, 2) : term(text(), { lines: true })) + '\n')
    }
    /** `cancel|retry|rm|priority` on several ids or on `--status S`: one request, one transaction, a line per job. */
    const bulk = async (verb: BulkVerb, argv: string[]): Promise<number> => {
      const { values, positionals } = parse(argv, { status: { type: 'string' } }, { min: 0, max: 10_000, usage: BULK_USAGE[verb] })
      let request
      try {
        request = bulkRequest(verb, positionals, values.status as string | undefined)
      } catch (err) {
        if (err instanceof BulkUsageError) throw new UsageError(err.message)
        throw err
      }
      const result = (await call(createHandlers(await open(values)), BULK_COMMAND[verb], request as never)) as BulkResult
      print(result, () => bulkText(verb, result))
      if (result.skipped === 0) return 0
      // A non-zero exit says why on stderr too, where scripts look for it (the list is on stdout).
      const why = `${result.skipped} of ${result.results.length} job(s) skipped: ${result.results.find((r) => r.outcome !== 'done')?.reason ?? 'see above'}`
      io.stderr.write(json ? JSON.stringify({ error: { code: 'skipped', message: why } }) + '\n' : `studio: ${term(why)}\n`)
      return 1
    }

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
        const e = await open(values)
        const priority = numberArg(values.priority as string | undefined, '--priority')
        const job = (await call(createHandlers(e), 'jobs/enqueue', {
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
        const e = await open(values)
        const h = createHandlers(e)
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
        const eta = e.eta()
        print(jobs, () => jobTable(jobs, new Map(eta.jobs.map((j) => [j.jobId, j.finishInMs]))))
        // On stderr: `studio list | wc -l` counts jobs, and a user reading the table knows it is not the whole queue.
        if (cut && !json) io.stderr.write(`studio: showing the first ${limit} jobs; there are more (--limit N shows up to ${MAX_LIST_LIMIT})\n`)
        return 0
      }
      case 'show': {
        const { values, positionals } = parse(args, {}, { min: 1, max: 1, usage: 'show <id>' })
        const h = createHandlers(await open(values))
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
        if (isBulk(args, 2)) return await bulk('priority', args)
        const { values, positionals } = parse(args, {}, { min: 2, max: 2, usage: 'priority <id> <1-10>' })
        const priority = Number(positionals[1])
        if (positionals[1]!.trim() === '' || !Number.isInteger(priority) || priority < 1 || priority > 10) throw priorityRule(positionals[1]!)
        const job = (await call(createHandlers(await open(values)), 'jobs/setPriority', { id: positionals[0]!, priority })) as JobView
        print(job, () => `${job.id.slice(0, 8)} priority ${job.priority}`)
        return 0
      }
      case 'move': {
        const { values, positionals } = parse(args, {}, { min: 2, max: 2, usage: 'move <id> up|down|top|bottom' })
        const job = (await call(createHandlers(await open(values)), 'jobs/move', {
          id: positionals[0]!,
          direction: positionals[1] as never
        })) as JobView
        print(job, () => `${job.id.slice(0, 8)} moved ${positionals[1]} (priority ${job.priority})`)
        return 0
      }
      case 'cancel':
      case 'rm': {
        if (isBulk(args, 1)) return await bulk(command, args)
        const { values, positionals } = parse(args, {}, { min: 1, max: 1, usage: `${command} <id>` })
        const h = createHandlers(await open(values))
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
        if (isBulk(args, 1)) return await bulk('retry', args)
        const { values, positionals } = parse(args, { from: { type: 'string' } }, { min: 1, max: 1, usage: 'retry <id> [--from STEP]' })
        const job = (await call(createHandlers(await open(values)), 'jobs/retry', {
          id: positionals[0]!,
          ...(values.from ? { fromStep: String(values.from) } : {})
        })) as JobView
        print(job, () => `${job.id.slice(0, 8)} queued again`)
        return 0
      }
      case 'pause':
      case 'resume': {
        const { values, positionals } = parse(args, {}, { min: 0, max: 1, usage: `${command} [<id>]` })
        const h = createHandlers(await open(values))
        if (positionals[0]) {
          const job = (await call(h, command === 'pause' ? 'jobs/pause' : 'jobs/resume', { id: positionals[0] })) as JobView
          print(job, () => `${job.id.slice(0, 8)} ${job.pauseRequested ? 'will pause after its current step' : job.status}`)
        } else {
          await call(h, command === 'pause' ? 'queue/pause' : 'queue/resume', {})
          print({ paused: command === 'pause' }, () => (command === 'pause' ? 'queue paused' : 'queue resumed'))
        }
        return 0
      }
      case 'stats': {
        const { values } = parse(args, {}, { min: 0, max: 0, usage: 'stats' })
        const s = (await call((await import('../main/api/studio-handlers')).studioHandlers(await open(values)), 'queue/stats', {})) as Awaited<ReturnType<Handlers['queue/stats']>>
        print(s, () => statsText(s))
        return 0
      }
      case 'eta': {
        const { values } = parse(args, {}, { min: 0, max: 0, usage: 'eta' })
        const eta = (await call(createHandlers(await open(values)), 'queue/eta', {})) as Awaited<ReturnType<Handlers['queue/eta']>>
        print(eta, () => queueEtaText(eta))
        return 0
      }
      case 'health': {
        const { values } = parse(args, {}, { min: 0, max: 0, usage: 'health' })
        const list = (await call(createHandlers(await open(values)), 'providers/health', {})) as Awaited<ReturnType<Handlers['providers/health']>>
        print(list, () =>
          list.length === 0
            ? 'no provider calls in the last 24 h'
            : list
                .map(
                  (p) =>
                    `${p.provider.padEnd(20)} ${p.state.padEnd(9)} success ${p.successRate24h === null ? '—' : Math.round(p.successRate24h * 100) + '%'} of ${p.calls24h}` +
                    `   avg ${duration(p.avgDurationMs24h)}${p.lastError ? `   last error: ${p.lastError}` : ''}`
                )
                .join('\n')
        )
        return 0
      }
      case 'voices': {
        const { values } = parse(args, {}, { min: 0, max: 0, usage: 'voices' })
        const { studioHandlers } = await import('../main/api/studio-handlers')
        const list = (await call(studioHandlers(await open(values)), 'providers/voices', { kind: 'speech' })) as Awaited<ReturnType<Handlers['providers/voices']>>
        print(list, () => (list.length ? list.map((v) => `${v.engine.padEnd(11)} ${v.id.padEnd(24)} ${(v.language ?? '—').padEnd(12)} ${v.name}`).join('\n') : 'no voices: no speech engine is installed'))
        return 0
      }
      case 'pipelines': {
        const { values } = parse(args, {}, { min: 0, max: 0, usage: 'pipelines' })
        const list = (await call(createHandlers(await open(values)), 'pipelines/list', {})) as Awaited<ReturnType<Handlers['pipelines/list']>>
        print(list, () => list.map((p) => `${p.name.padEnd(10)} ${p.steps.map((s) => s.name).join(' → ')}`).join('\n'))
        return 0
      }
      case 'cleanup': {
        const { values } = parse(args, { 'older-than': { type: 'string' } }, { min: 0, max: 0, usage: 'cleanup --older-than DAYS' })
        const days = numberArg(values['older-than'] as string | undefined, '--older-than')
        if (days === undefined) throw new UsageError('usage: studio cleanup --older-than DAYS')
        const n = await call(createHandlers(await open(values)), 'queue/cleanup', { olderThanDays: days })
        // The engine keeps failed jobs (a retry resumes them): say so, or '0 removed' next to old failed jobs puzzles.
        print({ removed: n }, () => `removed ${n} completed or cancelled job(s); failed jobs are kept for a retry (studio rm removes one)`)
        return 0
      }
      case 'logs': {
        const { values, positionals } = parse(args, { follow: { type: 'boolean', short: 'f', default: false } }, { min: 1, max: 1, usage: 'logs <id> [--follow]' })
        const e = await open(values)
        const id = e.queue.require(positionals[0]!).id
        let after = 0
        for (;;) {
          for (const line of e.queue.logs(id, { afterId: after })) {
            after = line.id
            io.stdout.write((json ? JSON.stringify(line) : logLineText(line)) + '\n')
          }
          const status = e.queue.get(id)?.status
          if (!values.follow || status === undefined || status === 'completed' || status === 'failed' || status === 'cancelled') break
          // Polling the file, not events: the job may be running in another process (app or `studio run`).
          await new Promise((r) => setTimeout(r, 250))
        }
        return 0
      }
      case 'run': {
        const { values } = parse(
          args,
          { concurrency: { type: 'string' }, 'until-idle': { type: 'boolean', default: false } },
          { min: 0, max: 0, usage: 'run [--concurrency N] [--until-idle]' }
        )
        const concurrency = concurrencyArg(values.concurrency as string | undefined)
        const e = await open(values, concurrency !== undefined ? { concurrency } : {})
        return await runPool(e, io, { untilIdle: Boolean(values['until-idle']), json })
      }
      case 'batch': {
        const { values, positionals } = parse(
          args,
          {
            rows: { type: 'string' },
            config: { type: 'string' },
            sheet: { type: 'string' },
            pipeline: { type: 'string' },
            name: { type: 'string' },
            project: { type: 'string' },
            detach: { type: 'boolean', default: false },
            history: { type: 'boolean', default: false },
            out: { type: 'string' },
            delimiter: { type: 'string' },
            estimate: { type: 'boolean', default: false },
            'allow-private-urls': { type: 'boolean', default: false }
          },
          { min: 1, max: 2, usage: BATCH_USAGE }
        )
        const e = await open(values)
        try {
          return await batchCommand(e, io, { positionals, values: values as Record<string, string | boolean | undefined>, json })
        } catch (err) {
          if (err instanceof BatchUsageError) throw new UsageError(err.message)
          throw err
        }
      }
      case 'project':
      case 'storyboard': {
        const { values, positionals } = parse(
          args,
          {
            project: { type: 'string' },
            idea: { type: 'string' },
            length: { type: 'string' },
            assets: { type: 'string' },
            blank: { type: 'boolean' },
            format: { type: 'string' },
            language: { type: 'string' },
            title: { type: 'string' },
            render: { type: 'boolean' },
            narration: { type: 'string' },
            asset: { type: 'string' },
            in: { type: 'string' },
            out: { type: 'string' },
            prompt: { type: 'string' },
            'title-card': { type: 'string' },
            duration: { type: 'string' },
            caption: { type: 'string' },
            'no-caption': { type: 'boolean' },
            motion: { type: 'string' },
            transition: { type: 'string' },
            'move-to': { type: 'string' },
            duplicate: { type: 'boolean' },
            remove: { type: 'boolean' },
            after: { type: 'string' },
            captions: { type: 'string' },
            music: { type: 'string' },
            voice: { type: 'string' },
            speed: { type: 'string' },
            draft: { type: 'boolean' },
            scene: { type: 'string' },
            estimate: { type: 'boolean' },
            priority: { type: 'string' },
            query: { type: 'string' },
            text: { type: 'string' },
            video: { type: 'boolean' },
            count: { type: 'string' }
          },
          { min: 1, max: 1_000, usage: command === 'project' ? PROJECT_USAGE : STORYBOARD_USAGE }
        )
        const e = await open(values)
        const group = { positionals, values: values as Record<string, string | boolean | undefined>, json }
        try {
          return command === 'project' ? await projectCommand(e, io, group) : await storyboardCommand(e, io, group)
        } catch (err) {
          if (err instanceof StoryboardUsageError) throw new UsageError(err.message)
          throw err
        }
      }
      case 'demo': {
        const { values } = parse(args, { count: { type: 'string' }, draft: { type: 'boolean', default: false } }, { min: 0, max: 0, usage: 'demo [--count 1-3] [--draft] [--data-dir DIR]' })
        const count = numberArg(values.count as string | undefined, '--count') ?? 3
        if (!Number.isInteger(count) || count < 1 || count > 3) throw new UsageError('--count must be 1, 2 or 3')
        const { demo } = await import('./demo')
        // The demo keeps its files next to the project unless told otherwise: easy to find and delete.
        const e = await open({ ...values, 'data-dir': values['data-dir'] ?? 'demo-output' })
        return await demo(e, io, { count, json, draft: values.draft === true })
      }
      case 'settings': {
        const { values } = parse(
          args,
          { set: { type: 'string' }, providers: { type: 'string' } },
          { min: 0, max: 0, usage: "settings [--set JSON] [--providers JSON]" }
        )
        const e = await open(values)
        const { Studio } = await import('../main/engine/studio')
        if (!(e instanceof Studio)) throw new UsageError('settings need the studio (not a test engine)')
        const { studioHandlers } = await import('../main/api/studio-handlers')
        const handlers = studioHandlers(e)
        if (values.set !== undefined) {
          let patch: unknown
          try {
            patch = parseJsonText(checkArgumentText(String(values.set), '--set'))
          } catch (err) {
            if (err instanceof InputFileError || err instanceof JsonDepthError) throw new UsageError(`--set: ${err.message.replace(/^--set /, '')}`)
            throw new UsageError(`--set is not valid JSON: ${(err as Error).message}`)
          }
          await call(handlers, 'settings/update', patch as never)
        }
        if (values.providers !== undefined) {
          // The full provider settings (moderation, apiKeyEnv, names, prices) that the UI form leaves out.
          let providers: unknown
          try {
            providers = parseJsonText(checkArgumentText(String(values.providers), '--providers'))
          } catch (err) {
            if (err instanceof InputFileError || err instanceof JsonDepthError) throw new UsageError(`--providers: ${err.message.replace(/^--providers /, '')}`)
            throw new UsageError(`--providers is not valid JSON: ${(err as Error).message}`)
          }
          const { ProviderSettings } = await import('../main/engine/providers/registry')
          const { describeZodError } = await import('../shared/schemas')
          const checked = ProviderSettings.safeParse(providers)
          if (!checked.success) throw new CommandFailed('bad_request', describeZodError(checked.error, 'providers', 'providers.'))
          e.settings.replace({ ...e.settings.get(), providers })
        }
        const view = await call(handlers, 'settings/get', {})
        print(view, () => JSON.stringify(view, null, 2))
        return 0
      }
      case 'doctor': {
        const { values } = parse(args, {}, { min: 0, max: 0, usage: 'doctor' })
        const { doctor, speechSettingsOf } = await import('../main/engine/doctor')
        const e = await open(values)
        const settings = 'services' in e ? (e as { services: { binaries(): Record<string, string> } }).services.binaries() : {}
        // The speech row reports the engine these settings would use (a forced mespeak, an endpoint), not just what auto finds.
        const providers = 'settings' in e ? (e as { settings: { get(): { providers: unknown } } }).settings.get().providers : undefined
        const report = await doctor(settings, speechSettingsOf(providers))
        print(report, () => report.map((r) => `${r.ok ? 'ok  ' : 'MISS'}  ${r.name.padEnd(12)} ${r.detail}`).join('\n'))
        return report.every((r) => r.ok || r.name === 'imagemagick') ? 0 : 1
      }
      case 'serve': {
        const { values } = parse(
          args,
          { port: { type: 'string' }, host: { type: 'string' }, concurrency: { type: 'string' } },
          { min: 0, max: 0, usage: 'serve [--port P] [--host 127.0.0.1] [--concurrency N]' }
        )
        const port = numberArg(values.port as string | undefined, '--port')
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError('--port must be a whole number from 0 to 65535')
        const concurrency = concurrencyArg(values.concurrency as string | undefined)
        const e = await open(values, concurrency !== undefined ? { concurrency } : {})
        const { serve } = await import('./serve')
        return await serve(e, io, { port: port ?? 0, host: (values.host as string | undefined) ?? '127.0.0.1', json })
      }
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`)
    }
  } catch (err) {
    // Commands that call the engine directly (batch) throw its QueueError: its code is the answer's.
    const code = err instanceof UsageError ? 'usage' : err instanceof CommandFailed || err instanceof QueueError ? err.code : 'internal'
    const message = err instanceof Error ? err.message : String(err)
    io.stderr.write(json ? JSON.stringify({ error: { code, message } }) + '\n' : `studio: ${term(message, { lines: true })}\n`)
    return err instanceof UsageError ? 2 : 1
  } finally {
    await engine?.close(0)
  }
}

function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    openEngine: async (dataDir, options) => {
      const { openStudio } = await import('../main/engine/studio')
      return openStudio({ dataDir, ...options })
    }
  }
}
