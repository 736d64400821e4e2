/**
 * URLs of the artifact protocol. Pure string work (no Node, no electron): the preload builds
 * them, main's protocol handler reads them back. One path per URL, percent-encoded as a single
 * segment so URL parsing never normalises `..` or drive letters away.
 *
 *   /home/me/.config/Creative Studio/jobs/01J…/video.mp4
 *   → studio-file://local/%2Fhome%2Fme%2F.config%2FCreative%20Studio%2Fjobs%2F01J…%2Fvideo.mp4
 */
export const FILE_SCHEME = 'studio-file'
const HOST = 'local'

export function fileUrlFor(path: string): string {
  return `${FILE_SCHEME}://${HOST}/${encodeURIComponent(path)}`
}

/** The path a protocol URL names, or null when the URL is not one of ours. */
export function pathFromFileUrl(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== `${FILE_SCHEME}:` || parsed.hostname !== HOST) return null
  const segment = parsed.pathname.slice(1)
  if (!segment || segment.includes('/')) return null
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}
