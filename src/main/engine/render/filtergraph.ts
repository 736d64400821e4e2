/**
 * Escaping for values placed inside a -filter_complex string. Two levels, as described in
 * ffmpeg-filters "Notes on filtergraph escaping": first the option value (`\ ' :`), then the
 * graph itself (`\ ' [ ] , ;`). A temp dir such as "C:\Users\Zoë's PC\..." survives both.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`)
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`)
}

/** Paths for filter options: forward slashes on Windows (ffmpeg accepts them, fewer escapes). */
export function filterPath(p: string, platform: NodeJS.Platform = process.platform): string {
  return escapeFilterValue(platform === 'win32' ? p.replace(/\\/g, '/') : p)
}

/** Seconds for expressions and options: fixed precision, no exponent, no trailing zeros. */
export function secs(value: number): string {
  return String(Math.round(value * 1000) / 1000)
}

/** Even dimensions, required by yuv420p and x264. */
export function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2)
}
