import { zodIssues } from '../../shared/api-issues'
import { describeZodError } from '../../shared/schemas'
import { tooDeepMessage, tooDeeplyNested } from '../../shared/json-depth'
import { commands, isCommandName, type ApiError, type CommandName, type ParsedRequestOf, type Result } from '../../shared/contract'
import { toApiError } from './errors'
import type { Handlers } from './handler-map'

/**
 * Validate a raw call from outside (renderer, browser) and run it. Never throws. Electron's
 * ipcMain glue and the WebSocket bridge both call it, so validation and error shaping are
 * written once.
 */
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
