import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A fresh access token for one `studio serve` run: 24 random bytes, URL-safe, never logged. */
export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

/**
 * Constant-time comparison. Both sides are hashed first so that neither the length nor the
 * content of the expected token leaks through timing (timingSafeEqual needs equal lengths).
 */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 512) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}

/** The WebSocket sub-protocol the client offers to carry its token (never the URL, so never a log line). */
export const PROTOCOL = 'studio.v1'
export const TOKEN_PROTOCOL_PREFIX = 'studio.token.'

/** Finds the token among the offered sub-protocols (`Sec-WebSocket-Protocol: studio.v1, studio.token.<token>`). */
export function tokenFromProtocols(header: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '')
  for (const part of raw.split(',')) {
    const p = part.trim()
    if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return p.slice(TOKEN_PROTOCOL_PREFIX.length)
  }
  return undefined
}
