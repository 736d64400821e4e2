/**
 * Failure classes for providers reached over plain HTTP (fetch) or through an SDK that is not
 * OpenAI's: the same rules as openai-errors.ts — cancellation wins, a dropped connection or a
 * timeout is worth another try, an unreachable server makes jobs wait (provider-unavailable),
 * and HTTP statuses follow kindForHttpStatus with Retry-After kept.
 */
import { kindForHttpStatus, parseRetryAfter, StepError, type ErrorKind } from '../errors'
import { redact } from './redact'

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

/** undici nests the socket error code: TypeError('fetch failed', { cause: { code } }). */
export function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code
  }
  return undefined
}

export function httpStepError(provider: string, kind: ErrorKind, message: string, options: { retryAfterMs?: number | undefined; cause?: unknown; secrets?: readonly (string | undefined)[] } = {}): StepError {
  const secrets = options.secrets ?? []
  const cause = options.cause instanceof Error ? Object.assign(new Error(redact(options.cause.message, secrets)), { name: options.cause.name }) : undefined
  return new StepError(kind, redact(`${provider}: ${message}`, secrets), {
    provider,
    ...(cause ? { cause } : {}),
    ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {})
  })
}

/** A failure that happened before any HTTP status: network, timeout, abort. */
export function transportError(provider: string, err: unknown, signal: AbortSignal | undefined, secrets: readonly (string | undefined)[] = []): StepError {
  if (err instanceof StepError) return err
  if (signal?.aborted) return httpStepError(provider, 'cancelled', 'cancelled', { cause: err, secrets })
  const code = networkCode(err)
  const message = err instanceof Error ? err.message : String(err)
  if (code && UNREACHABLE.has(code)) return httpStepError(provider, 'provider-unavailable', `could not reach the server (${code})`, { cause: err, secrets })
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return httpStepError(provider, 'retryable', `no answer in time (${message})`, { cause: err, secrets })
  if (err instanceof SyntaxError) return httpStepError(provider, 'retryable', `malformed JSON in the response: ${message}`, { cause: err, secrets })
  return httpStepError(provider, 'retryable', `connection lost${code ? ` (${code})` : ''}: ${message}`, { cause: err, secrets })
}

/** An HTTP error status, with the server's own words when it gave some. */
export function statusError(provider: string, status: number, detail: string, headers: Headers | undefined, secrets: readonly (string | undefined)[] = []): StepError {
  return httpStepError(provider, kindForHttpStatus(status), `HTTP ${status}${detail ? `: ${detail}` : ''}`, { retryAfterMs: parseRetryAfter(headers?.get('retry-after')), secrets })
}

/**
 * fetch with the caller's signal and a timeout; failures become StepErrors. Returns the response
 * when its status is 2xx, throws statusError otherwise.
 */
export async function fetchOk(provider: string, url: string, init: RequestInit & { timeoutMs: number; signal?: AbortSignal | undefined; secrets?: readonly (string | undefined)[] }): Promise<Response> {
  const { timeoutMs, signal, secrets, ...rest } = init
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]
  let response: Response
  try {
    response = await fetch(url, { ...rest, signal: AbortSignal.any(signals) })
  } catch (err) {
    throw transportError(provider, err, signal, secrets)
  }
  if (response.ok) return response
  const text = await response.text().catch(() => '')
  throw statusError(provider, response.status, describeBody(text), response.headers, secrets)
}

/** The human part of an error body ({"detail": {"message": …}}, {"error": …}), kept short. */
export function describeBody(body: unknown): string {
  let value = body
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return (value as string).slice(0, 300)
    }
  }
  const v = value as { detail?: unknown; error?: unknown; message?: unknown } | undefined
  const detail = v?.detail as { message?: unknown } | string | undefined
  const candidate = (typeof detail === 'object' && detail && typeof detail.message === 'string' ? detail.message : undefined) ?? (typeof detail === 'string' ? detail : undefined) ?? (typeof v?.error === 'string' ? v.error : undefined) ?? (typeof v?.message === 'string' ? v.message : undefined)
  return (candidate ?? (value === undefined ? '' : JSON.stringify(value))).slice(0, 300)
}
