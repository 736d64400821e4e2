/** A finished job's stored result: the last step's data, and every step's files by step. */
interface StoredResult {
  output?: unknown
  files?: Record<string, Record<string, unknown>>
}

/**
 * The file a finished job produced, as the dashboard and the CSV export show it: the `path` a
 * render step reports (video), else the first file of the last step that wrote one (text, image,
 * speech and the other single-step jobs only list their files).
 */
export function outputPathOf(resultJson: string | null | undefined): string | null {
  if (!resultJson) return null
  const result = JSON.parse(resultJson) as StoredResult
  const output = result.output
  if (output && typeof output === 'object' && typeof (output as { path?: unknown }).path === 'string') return (output as { path: string }).path
  const lastWithFiles = Object.values(result.files ?? {}).at(-1)
  const first = lastWithFiles ? Object.values(lastWithFiles).find((f) => typeof f === 'string') : undefined
  return typeof first === 'string' ? first : null
}
