import type { ApiIssue } from '../../shared/api-issues'

/**
 * What every domain error extends. `code` is stable: code reacts to it, never to the English
 * message. The api layer turns any StudioError into the contract's error from `apiCode`, `field`
 * and `apiIssues()` (src/main/api/errors.ts), so a new error needs no new branch there.
 */
export class StudioError extends Error {
  /** Stable machine code (the contract's codes are snake_case: bad_request, not_found, conflict…). */
  readonly code: string
  /** The request field the error is about, dotted ('config', 'source.url'), when there is one. */
  readonly field: string | undefined

  constructor(code: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    // Each subclass names itself too: a bundler may rename classes.
    this.name = new.target.name
    this.code = code
    this.field = options.field
  }

  /** The contract's ApiError.code for this error: its own code unless its domain keeps codes of its own. */
  get apiCode(): string {
    return this.code
  }

  /** Refused input, one entry per problem, paths relative to `field` (none by default). */
  apiIssues(): ApiIssue[] | undefined {
    return undefined
  }
}
/**
 * How a step failure is handled depends on its class, not on its message:
 *  - retryable: timeouts, 429, 5xx, network resets — try again with backoff (per step).
 *  - provider-unavailable: the provider is down — the job waits (not counted as a failure)
 *    until the provider's circuit breaker lets calls through again.
 *  - permanent: bad input, 4xx other than 429 — no retry, the job fails with a clear message.
 *  - cancelled: the user cancelled or the engine is stopping — not a failure of the step.
 */
export type ErrorKind = 'retryable' | 'provider-unavailable' | 'permanent' | 'cancelled'

export class StepError extends StudioError {
  readonly kind: ErrorKind
  /** Provider that produced the error, for the circuit breaker. */
  readonly provider: string | undefined
  /** Milliseconds the provider asked us to wait (Retry-After), if it said so. */
  readonly retryAfterMs: number | undefined

  constructor(
    kind: ErrorKind,
    message: string,
    options: { provider?: string; retryAfterMs?: number; cause?: unknown } = {}
  ) {
    // A command that calls a provider itself (voices, rewrite) fails as the provider did.
    super('provider_error', message, { cause: options.cause })
    this.name = 'StepError'
    this.kind = kind
    this.provider = options.provider
    this.retryAfterMs = options.retryAfterMs
  }
}

export const retryable = (message: string, o: ConstructorParameters<typeof StepError>[2] = {}) =>
  new StepError('retryable', message, o)
export const providerUnavailable = (message: string, o: ConstructorParameters<typeof StepError>[2] = {}) =>
  new StepError('provider-unavailable', message, o)
export const permanent = (message: string, o: ConstructorParameters<typeof StepError>[2] = {}) =>
  new StepError('permanent', message, o)

/** Thrown to a worker whose lease was revoked or expired: it must stop and write nothing. */
export class LeaseLostError extends StudioError {
  constructor(jobId: string) {
    super('conflict', `lease on job ${jobId} was lost (expired, cancelled or taken over); result discarded`)
    this.name = 'LeaseLostError'
  }
}

/** An operation the user asked for that the queue refuses, with a message a person can read. */
export class QueueError extends StudioError {
  /** Refused input, field by field (the contract's ApiError.issues). */
  readonly issues: ApiIssue[] | undefined
  constructor(code: string, message: string, issues?: ApiIssue[]) {
    super(code, message)
    this.name = 'QueueError'
    this.issues = issues
  }

  override apiIssues(): ApiIssue[] | undefined {
    return this.issues
  }
}

const RETRYABLE_NET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'
])

/** Parse an HTTP Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/**
 * Classify an HTTP status the way the pool needs it. 503/502 count as provider-unavailable
 * (seed 4: "Si l'API est indisponible (503, 502), ajout à la queue"), other 5xx and 429 are retryable.
 */
export function kindForHttpStatus(status: number): ErrorKind {
  if (status === 502 || status === 503) return 'provider-unavailable'
  if (status === 429 || status === 408 || status >= 500) return 'retryable'
  return 'permanent'
}

/** Turn anything thrown by a step into a StepError. Unknown errors are retryable: a bug shows up as exhausted retries with its message, not as a silent loss. */
export function classifyError(err: unknown, provider?: string): StepError {
  if (err instanceof StepError) return err
  if (err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR')) {
    return new StepError('cancelled', 'aborted', { cause: err, ...(provider ? { provider } : {}) })
  }
  const e = err as { status?: unknown; code?: unknown; message?: unknown; cause?: { code?: unknown } }
  const message = err instanceof Error ? err.message : String(err)
  const opts = { cause: err, ...(provider ? { provider } : {}) }
  if (typeof e?.status === 'number') return new StepError(kindForHttpStatus(e.status), message, opts)
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined
  if (code && RETRYABLE_NET_CODES.has(code)) return new StepError('retryable', message, opts)
  return new StepError('retryable', message, opts)
}
