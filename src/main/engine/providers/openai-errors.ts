/**
 * Turns whatever the `openai` client (or the network under it) throws into a StepError the
 * engine can act on. The kind decides what happens to the job (see errors.ts); the message is
 * for a person and never contains the API key.
 */
import { openaiSdk } from './openai-sdk'
import { kindForHttpStatus, parseRetryAfter, StepError, type ErrorKind } from '../errors'
import { redact } from './redact'
import { formatMs } from '../../../shared/format-ms'

export interface ErrorContext {
  /** Provider id recorded on the StepError (circuit breaker key). */
  provider: string
  /** The caller's signal: if it fired, the failure is a cancellation whatever the error says. */
  signal?: AbortSignal | undefined
  /** Values to scrub from messages (the API key). */
  secrets: readonly (string | undefined)[]
  /** False when the request went out with the placeholder key: a 401 then gets a hint. */
  hasKey: boolean
  /** For "timed out after N ms" messages. */
  timeoutMs?: number | undefined
}

/** A copy of an error safe to keep as `cause`: same name/code/status, redacted message, no headers or bodies. */
function sanitizedCause(err: unknown, secrets: ErrorContext['secrets']): Error {
  const source = err instanceof Error ? err : new Error(String(err))
  const copy = new Error(redact(source.message, secrets))
  copy.name = source.name
  const extra = source as { code?: unknown; status?: unknown; cause?: unknown }
  const code = typeof extra.code === 'string' ? extra.code : networkCode(source)
  Object.assign(copy, { ...(code ? { code } : {}), ...(typeof extra.status === 'number' ? { status: extra.status } : {}) })
  return copy
}

/** undici nests the socket error code: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }). */
function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code
  }
  return undefined
}

function retryAfterFrom(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined
  // OpenAI sends the non-standard retry-after-ms alongside retry-after; prefer the precise one.
  const ms = headers.get('retry-after-ms')
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms))
  return parseRetryAfter(headers.get('retry-after'))
}

export function toStepError(err: unknown, context: ErrorContext): StepError {
  const { provider, secrets } = context
  const make = (kind: ErrorKind, message: string, retryAfterMs?: number): StepError =>
    new StepError(kind, redact(`${provider}: ${message}`, secrets), {
      provider,
      cause: sanitizedCause(err, secrets),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {})
    })

  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = openaiSdk()
  if (context.signal?.aborted || err instanceof APIUserAbortError) return make('cancelled', 'cancelled')
  if (err instanceof StepError) {
    return err.provider ? err : new StepError(err.kind, redact(err.message, secrets), { provider, cause: err.cause, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) })
  }
  if (err instanceof APIConnectionTimeoutError) {
    return make('retryable', `request timed out${context.timeoutMs ? ` after ${formatMs(context.timeoutMs)}` : ''}`)
  }
  if (err instanceof APIConnectionError) {
    const code = networkCode(err.cause)
    const cut = code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE'
    return make('retryable', `${cut ? 'the connection was cut' : 'could not reach the server'}${code ? ` (${code})` : ''}: ${err.message}`)
  }
  if (err instanceof APIError) {
    if (typeof err.status === 'number') {
      const hint = err.status === 401 && !context.hasKey ? ' (no API key configured: set OPENAI_API_KEY or the apiKeyEnv named in settings)' : ''
      return make(kindForHttpStatus(err.status), `HTTP ${err.message}${hint}`, retryAfterFrom(err.headers))
    }
    // An error event inside a stream (server overloaded mid-answer): worth another try.
    return make('retryable', `server reported an error mid-stream: ${err.message}`)
  }
  if (err instanceof SyntaxError) return make('retryable', `malformed JSON in the response: ${err.message}`)
  if (err instanceof Error && err.name === 'AbortError') return make('retryable', 'request aborted (timed out)')
  const code = networkCode(err)
  if (err instanceof TypeError || code) {
    // undici: TypeError('terminated') when the socket dies mid-body.
    return make('retryable', `connection lost mid-response${code ? ` (${code})` : ''}: ${err instanceof Error ? err.message : String(err)}`)
  }
  return make('retryable', err instanceof Error ? err.message : String(err))
}
