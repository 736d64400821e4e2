/**
 * Keeps API keys out of error messages and logs. Every message built from a provider error goes
 * through `redact()`: known secrets are replaced wherever they appear, and anything that looks
 * like a key or an Authorization header is masked even if we were never told about it.
 */

const MASK = '[redacted]'

const SECRET_PATTERNS: readonly RegExp[] = [
  // Authorization / api-key headers, as text or as JSON ("authorization":"Bearer ...").
  /(authorization["']?\s*[:=]\s*["']?)(?:bearer|basic)?\s*[^\s"',}]+/gi,
  /((?:x-)?api[-_]?key["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi,
  /\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  // OpenAI-style keys (sk-..., sk-proj-...) and other common prefixes.
  /\b()(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g,
  // key=... in query strings.
  /([?&](?:key|api_key|apikey|access_token|token)=)[^&\s"']+/gi
]

/**
 * Mask secrets in `text`. `secrets` are exact values to remove (e.g. the configured key);
 * values shorter than 4 characters are ignored so a placeholder like "x" does not shred messages.
 */
export function redact(text: string, secrets: readonly (string | undefined | null)[] = []): string {
  let out = text
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(MASK)
  }
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (_match, prefix: string) => `${prefix}${MASK}`)
  }
  return out
}
