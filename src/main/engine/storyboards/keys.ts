import { createHash } from 'node:crypto'

/**
 * Content keys: a step's key hashes exactly the inputs that decide its output, so two steps with
 * the same key make the same artifact and the second one reuses the first's. Bump the version
 * when a step starts making something different from the same inputs (a new encoder setting):
 * every older artifact is then left alone instead of being reused by mistake.
 */
const KEY_VERSION = 1

export type ArtifactKind = 'voice' | 'visual' | 'segment' | 'music' | 'assemble'

export function contentKey(kind: ArtifactKind, inputs: unknown): string {
  const digest = createHash('sha256').update(canonicalJson({ v: KEY_VERSION, kind, inputs })).digest('hex')
  return `${kind}-${digest.slice(0, 32)}`
}

/** JSON with object keys sorted, so the same inputs always hash the same whatever their order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}
