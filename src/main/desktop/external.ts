import { shell } from 'electron'

const MAX_URL_LENGTH = 2048

/**
 * A link may leave the app for the user's browser only when it is plainly a web page:
 * http(s), a host, no user:password@ (which disguises the real host), no whitespace, control
 * characters or backslashes (which parsers read differently).
 * file:, javascript:, data:, smb:, custom app schemes... are refused: `shell.openExternal`
 * hands them to the OS, which may run or mount them.
 */
export function isSafeExternalUrl(raw: unknown): raw is string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) return false
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s\\]/.test(raw)) return false
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  if (url.username || url.password) return false
  return url.hostname.length > 0
}

/** Open a vetted link in the default browser; false (and nothing opened) when the URL is refused. */
export async function openExternalSafely(raw: unknown): Promise<boolean> {
  if (!isSafeExternalUrl(raw)) return false
  await shell.openExternal(new URL(raw).href, { activate: true })
  return true
}
