export interface BackoffOptions {
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, maxMs: 5 * 60_000 }

/**
 * Delay before attempt `attempt + 1` after `attempt` failures: exponential with "equal jitter"
 * (half fixed, half random) so that jobs failing together do not retry together. A provider's
 * Retry-After wins when it asks for longer.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, retryAfterMs?: number, random = Math.random): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1))
  const jittered = exp / 2 + random() * (exp / 2)
  if (retryAfterMs !== undefined && retryAfterMs > jittered) return Math.round(retryAfterMs)
  return Math.round(jittered)
}
