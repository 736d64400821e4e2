import { QueueError } from './errors'

/**
 * Values that look like an API key. Settings are stored in clear in studio.db, so a key pasted
 * into the wrong field (a model, a provider's name, an address) must be refused before it is
 * written. Known key prefixes anywhere in the text (so `?api_key=sk-…` in a URL is caught), and
 * long random-looking runs of letters and digits (upper, lower and digits mixed, high entropy):
 * model names, paths and fonts are made of short words and do not look like that.
 */
const KEY_PREFIXES = [
  /(?:^|[^A-Za-z0-9])(?:sk|pk|rk|xai)-[A-Za-z0-9_-]{16,}/,
  /(?:^|[^A-Za-z0-9])(?:gsk|hf|ghp|gho|ghs|ghu|github_pat|glpat)_[A-Za-z0-9_]{16,}/,
  /AIza[0-9A-Za-z_-]{30,}/,
  /\bbearer\s+\S{16,}/i
]
const MIN_TOKEN_LENGTH = 24
const MIN_TOKEN_ENTROPY_BITS = 3.8

export function looksLikeSecret(text: string): boolean {
  if (KEY_PREFIXES.some((re) => re.test(text))) return true
  return (text.match(/[A-Za-z0-9]{24,}/g) ?? []).some(isRandomLooking)
}

function isRandomLooking(run: string): boolean {
  if (run.length < MIN_TOKEN_LENGTH) return false
  const count = (re: RegExp) => (run.match(re) ?? []).length
  if (count(/[A-Z]/g) < 3 || count(/[a-z]/g) < 3 || count(/[0-9]/g) < 3) return false
  return entropyBits(run) >= MIN_TOKEN_ENTROPY_BITS
}

/** Shannon entropy per character. */
function entropyBits(text: string): number {
  const counts = new Map<string, number>()
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) {
    const p = n / text.length
    bits -= p * Math.log2(p)
  }
  return bits
}

/** The dotted path of the first key-shaped string (value or record key) in a settings document. */
export function findSecretShaped(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return looksLikeSecret(value) ? path.join('.') || 'settings' : undefined
  if (!value || typeof value !== 'object') return undefined
  for (const [key, child] of Object.entries(value)) {
    if (looksLikeSecret(key)) return path.join('.') || 'settings'
    const found = findSecretShaped(child, [...path, key])
    if (found) return found
  }
  return undefined
}

/** Refuse a settings document holding a key-shaped value, naming the field but never quoting it. */
export function refuseSecretShaped(value: unknown): void {
  const field = findSecretShaped(value)
  if (field === undefined) return
  throw new QueueError(
    'bad_request',
    `${field}: this looks like an API key; keys are never stored in settings — enter it in the API key field (the app keeps it in the OS keychain) or set an environment variable`
  )
}
