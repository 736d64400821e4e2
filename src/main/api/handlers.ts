import { zodIssues } from '../../shared/api-issues'
import { describeZodError } from '../../shared/schemas'
import { tooDeepMessage, tooDeeplyNested } from '../../shared/json-depth'
import {
  commands,
  isCommandName,
  type ApiError,
  type CommandName,
  type ParsedRequestOf,
  type ResponseOf,
  type Result
} from '../../shared/contract'
import type { Engine } from '../engine/engine'
import { LeaseLostError, QueueError } from '../engine/errors'
import { bulkHandlers } from './bulk-handlers'

export type Handlers = { [C in CommandName]: (request: ParsedRequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>> }

/**
 * One plain async function per contract command. Electron's ipcMain glue and the WebSocket
 * bridge both call `dispatch`, so validation and error shaping are written once.
 */
export function createHandlers(engine: Engine<any>, domains: Partial<Handlers> = {}): Handlers {
  return { ...pendingDomains(), ...engineHandlers(engine), ...domains } as Handlers
}

type EngineCommands = Extract<CommandName, `jobs/${string}` | `queue/${string}` | `pool/${string}` | `providers/${string}` | `pipelines/${string}`>

/** Commands whose domain is not wired in this process answer with a clear error instead of crashing. */
function pendingDomains(): Omit<Handlers, EngineCommands> {
  const missing = (name: string) => () => {
    throw new QueueError('unavailable', `${name} is not available in this session`)
  }
  const names = Object.keys(commands).filter((n) => !/^(jobs|queue|pool|providers|pipelines)\//.test(n))
  return Object.fromEntries(names.map((n) => [n, missing(n)])) as unknown as Omit<Handlers, EngineCommands>
}

function engineHandlers(engine: Engine<any>): Pick<Handlers, EngineCommands> {
  const { queue, pool } = engine
  return {
    'jobs/list': (r) => queue.list(r),
    'jobs/get': (r) => {
      const job = queue.get(queue.require(r.id).id)
      return job!
    },
    'jobs/enqueue': (r) => queue.enqueue(r),
    'jobs/enqueueMany': (r) => queue.enqueueMany(r.jobs),
    'jobs/setPriority': (r) => queue.setPriority(r.id, r.priority),
    'jobs/move': (r) => queue.move(r.id, r.direction),
    'jobs/place': (r) => queue.place(r.id, r.before !== undefined ? { before: r.before } : { after: r.after! }),
    'jobs/cancel': (r) => queue.cancel(r.id),
    'jobs/retry': (r) => queue.retry(r.id, r.fromStep !== undefined ? { fromStep: r.fromStep } : {}),
    'jobs/remove': (r) => {
      queue.remove(r.id)
      return null
    },
    'jobs/pause': (r) => queue.pauseJob(r.id),
    'jobs/resume': (r) => queue.resumeJob(r.id),
    ...bulkHandlers(queue),
    'jobs/logs': (r) => queue.logs(r.id, { ...(r.afterId !== undefined ? { afterId: r.afterId } : {}), ...(r.limit ? { limit: r.limit } : {}) }),
    'queue/stats': () => queue.stats(),
    'queue/eta': () => engine.eta(),
    'queue/pause': () => {
      queue.setQueuePaused(true)
      return null
    },
    'queue/resume': () => {
      queue.setQueuePaused(false)
      return null
    },
    'queue/cleanup': (r) => queue.cleanup({ olderThanMs: r.olderThanDays * 86_400_000 }),
    'pool/status': () => pool.status(),
    'pool/kick': () => {
      pool.kick()
      return null
    },
    'pool/setConcurrency': (r) => {
      pool.setConcurrency(r.concurrency)
      return null
    },
    'providers/health': () => engine.health(),
    'providers/test': () => {
      throw new QueueError('unavailable', 'providers/test needs the studio (this engine has no configured providers)')
    },
    // Voices belong to the studio's speech providers; a bare engine (test pipelines) has none.
    'providers/voices': () => {
      throw new QueueError('unavailable', 'providers/voices is not available in this session')
    },
    'pipelines/list': () =>
      // A storyboard render is made by storyboards/render, never from the new job dialog or a sheet.
      engine.pipelines.list().filter((p) => !p.internal).map((p) => ({
        name: p.name,
        title: p.title,
        mainField: p.mainField ?? 'idea',
        fields: Object.keys((p.input as unknown as { shape?: Record<string, unknown> }).shape ?? {}),
        steps: p.steps.map((s) => ({ name: s.name, title: s.title, resource: s.resource }))
      }))
  }
}

/** Validate a raw call from outside (renderer, browser) and run it. Never throws. */
export async function dispatch(handlers: Handlers, name: unknown, rawRequest: unknown): Promise<Result<unknown>> {
  if (!isCommandName(name)) {
    return { ok: false, error: { code: 'unknown_command', message: `unknown command ${nameForError(name)}` } }
  }
  // Checked before zod, whose recursive walk answered `internal: Maximum call stack size exceeded`.
  const deep = tooDeeplyNested(rawRequest)
  if (deep !== null) return { ok: false, error: { code: 'bad_request', message: `${name}: ${tooDeepMessage(deep)}` } }
  const parsed = commands[name].request.safeParse(rawRequest ?? {})
  if (!parsed.success) {
    // `message` stays the engine's English (CLI, logs); `issues` lets the window word each field.
    const issues = zodIssues(parsed.error, rawRequest ?? {})
    return { ok: false, error: { code: 'bad_request', message: `${name}: ${describeZodError(parsed.error, 'request')}`, issues } }
  }
  const refusal = refusedThroughContract(name, parsed.data)
  if (refusal) return { ok: false, error: refusal }
  try {
    const handler = handlers[name] as (r: unknown) => unknown
    return { ok: true, value: (await handler(parsed.data)) ?? null }
  } catch (err) {
    return { ok: false, error: toApiError(err) }
  }
}

/**
 * A name that is not a command, quoted for the error. Only a string is turned into text: an
 * object from the page (`{toString: 1}`, one without a prototype) would throw in String().
 */
function nameForError(name: unknown): string {
  if (typeof name === 'string') return JSON.stringify(name).slice(0, 80)
  return `(${name === null ? 'null' : Array.isArray(name) ? 'an array' : typeof name}, not a command name)`
}

/**
 * Requests that are well-formed but that no caller of the contract may make. Whoever calls
 * `dispatch` is a page (the desktop renderer, the `studio serve` browser tab) that could be
 * compromised, so it never gets to name a file on this machine for the engine to read: a batch
 * source comes as the dropped file's bytes (`upload`) or an http(s) link. The CLI, which a
 * person types, calls the engine directly and keeps file paths.
 */
function refusedThroughContract(name: CommandName, request: unknown): ApiError | null {
  if (name !== 'batch/preview' && name !== 'batch/estimate' && name !== 'batch/create') return null
  const { source } = request as ParsedRequestOf<'batch/preview'>
  if (source.kind === 'file') {
    return { code: 'forbidden', message: 'source: the app cannot read a file by its path; drop the file into the window instead' }
  }
  // z.url() also accepts file:// (and the row reader would open it), so the scheme is checked here.
  if (source.kind === 'url' && !/^https?:$/i.test(new URL(source.url).protocol)) {
    return { code: 'forbidden', message: 'source.url: only http(s) links can be imported' }
  }
  return null
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof QueueError) return { code: err.code, message: err.message, ...(err.issues?.length ? { issues: err.issues } : {}) }
  if (err instanceof LeaseLostError) return { code: 'conflict', message: err.message }
  const message = err instanceof Error ? err.message : String(err)
  // Internal details stay in main's log; the renderer gets a readable sentence.
  console.error('command failed:', err)
  return { code: 'internal', message: `internal error: ${message}` }
}
