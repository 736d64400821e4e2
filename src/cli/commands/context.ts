import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { CommandName, RequestOf, Result } from '../../shared/contract'
import type { Handlers } from '../../main/api/handlers'
import type { Engine } from '../../main/engine/engine'
import type { AsyncJobStore } from '../../main/engine/store/jobs'
import { QueueError } from '../../main/engine/errors'
import { defaultDataDir } from '../../main/engine/paths'
import { term } from '../format'
import type { CliIo } from '../io'

/** A mistake in the command line: exit code 2, with the usage that was expected. */
export class UsageError extends Error {}

/** The command ran and the engine said no: exit code 1, with the contract's error code. */
export class CommandFailed extends Error {
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

export type Opts = NonNullable<ParseArgsConfig['options']>

/** Options every command takes. */
const GLOBAL: Opts = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false }
}

export function parse(args: string[], options: Opts, positionals: { min: number; max: number; usage: string }) {
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

export function numberArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name} must be a number, got "${value}"`)
  return n
}

/** Workers for `run` and `serve`: 0 would leave every job waiting, and say nothing. */
export function concurrencyArg(value: string | undefined): number | undefined {
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

/** What every command works with: the streams, --json, the engine it opened and the contract. */
export interface CommandContext {
  io: CliIo
  json: boolean
  /** The farm's queue (--queue-url or STUDIO_QUEUE_URL, checked), or undefined for the local queue. */
  queueUrl: string | undefined
  /** Opens the data folder named by --data-dir, $STUDIO_DATA_DIR or the desktop app's. */
  open(values: Record<string, unknown>, options?: { concurrency?: number }): Promise<Engine<any>>
  /**
   * The job and queue commands' handlers on the queue this command works on: the farm's when a
   * queue URL was given (nothing local is opened), else the data folder's engine's.
   */
  queue(values: Record<string, unknown>): Promise<{ handlers: Handlers; store: AsyncJobStore; engine: Engine<any> | undefined }>
  /** Ends what the command opened (the engine, the farm's connections). */
  close(): Promise<void>
  /** One contract request; a refusal becomes CommandFailed in the CLI's terms. */
  call<C extends CommandName>(handlers: Handlers, name: C, request: RequestOf<C>): Promise<unknown>
  /** The value as JSON (--json), else its text. */
  print(value: unknown, text: () => string): void
  /** The engine opened, if any: main closes it when the command ends. */
  readonly engine: Engine<any> | undefined
}

/** One group of commands (src/cli/commands/*.ts): runs `command` with its arguments. */
export type CommandGroup = (command: string, args: string[], ctx: CommandContext) => Promise<number>

export function commandContext(io: CliIo, json: boolean, queueUrl?: string): CommandContext {
  let engine: Engine<any> | undefined
  let farm: import('../farm-queue').FarmQueue | undefined
  const dataDirOf = (values: Record<string, unknown>) => {
    const given = values['data-dir'] as string | undefined
    return { given, dataDir: given ?? (io.env.STUDIO_DATA_DIR || defaultDataDir(io.env)) }
  }
  const open: CommandContext['open'] = async (values, options = {}) => {
    const { given, dataDir } = dataDirOf(values)
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
  return {
    io,
    json,
    queueUrl,
    get engine() {
      return engine
    },
    open,
    async queue(values) {
      if (queueUrl === undefined) {
        // The handlers' chunk, which `call` loads anyway: one load for both.
        const { createHandlers } = await import('../../main/api/handlers')
        const e = await open(values)
        return { handlers: createHandlers(e), store: e.queue, engine: e }
      }
      // The data folder is the farm's shared one as this machine mounts it (files of retried or removed jobs go there).
      farm ??= await (await import('../farm-queue')).openFarmQueue(queueUrl, dataDirOf(values).dataDir)
      return { handlers: farm.handlers, store: farm.store, engine: undefined }
    },
    async close() {
      const f = farm
      farm = undefined
      await Promise.all([engine?.close(0), f?.close()])
    },
    async call(handlers, name, request) {
      // Loaded by the command already (it made the handlers): this import costs nothing more.
      const { dispatch } = await import('../../main/api/handlers')
      const result = (await dispatch(handlers, name, request)) as Result<unknown>
      if (!result.ok) throw new CommandFailed(result.error.code, inCliTerms(name, result.error.message))
      return result.value
    },
    print(value, text) {
      // Fields are escaped where they are formatted; this is the net for any text from data that is not.
      io.stdout.write((json ? JSON.stringify(value, null, 2) : term(text(), { lines: true })) + '\n')
    }
  }
}
