/** Query parameters that identify what is fetched and are safe to show; any other value may be a token. */
const SAFE_QUERY_KEYS = new Set(['format', 'gid', 'output', 'single', 'usp', 'sheet', 'range', 'tqx'])

/**
 * The URL as it may appear in messages and logs: no user:password, no fragment, and the values of
 * query parameters that could be secrets (signed URLs, access tokens) replaced with "***".
 */
export function redactUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return '(invalid URL)'
  }
  const query = [...url.searchParams.entries()].map(([key, value]) =>
    SAFE_QUERY_KEYS.has(key.toLowerCase()) ? `${key}=${value}` : `${key}=***`
  )
  return `${url.protocol}//${url.host}${url.pathname}${query.length ? `?${query.join('&')}` : ''}`
}
