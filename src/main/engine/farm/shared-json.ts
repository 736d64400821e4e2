/**
 * A step's output and a job's result, as the farm stores them: JSON values that may hold paths into
 * the shared data folder (a render reads the paths the images step returned; a window shows the
 * video's path). Every machine mounts that folder elsewhere (/mnt/studio here, /srv/share there),
 * so a path is stored relative to the folder and read back against the reader's own mount, as
 * shared-media.ts does for a step's files and work folder.
 *
 * The stored form is `studio-data:` followed by the path relative to the folder, with forward
 * slashes whatever the machine. Why a prefix: inside free JSON, a bare relative path could not be
 * told from ordinary text ("jobs/a/b.png" may be a caption); a scheme-like prefix says "a path in
 * the shared folder" unmistakably, and reads the same on Windows and POSIX. So that no ordinary
 * string can be mistaken for it, a string that happens to begin with either prefix is stored with
 * `studio-text:` before it, and given back whole: the mapping is a bijection.
 *
 * Reading never follows a stored form out of the folder: an absolute or `..` form (a hostile or
 * corrupt row) is given back as the stored text, which names no file on any machine, rather than
 * as a path outside the reader's folder. Nothing throws: a job's view must stay readable.
 */
import { realpathSync } from 'node:fs'
import * as nodePath from 'node:path'
import type { JsonValue } from '../../../shared/types'
import { QueueError } from '../errors'

export const DATA_PREFIX = 'studio-data:'
export const TEXT_PREFIX = 'studio-text:'

/** The path functions of the machine (node:path); tests pass path.win32 or path.posix. */
export type PathApi = Pick<typeof nodePath, 'isAbsolute' | 'relative' | 'resolve' | 'join' | 'sep'>

/** `s` as stored: a path inside `dataDir` relative to it, an ordinary string as it is (escaped if it looks stored). */
export function storedString(dataDir: string, s: string, path: PathApi = nodePath): string {
  if (s.startsWith(DATA_PREFIX) || s.startsWith(TEXT_PREFIX)) return TEXT_PREFIX + s
  if (!path.isAbsolute(s)) return s
  const rel = path.relative(path.resolve(dataDir), path.resolve(s))
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return s
  return DATA_PREFIX + rel.split(path.sep).join('/')
}

/** A stored string on this machine: a stored path under this machine's `dataDir`; an escaping form as it was stored. */
export function localString(dataDir: string, s: string, path: PathApi = nodePath): string {
  if (s.startsWith(TEXT_PREFIX)) return s.slice(TEXT_PREFIX.length)
  if (!s.startsWith(DATA_PREFIX)) return s
  const rel = s.slice(DATA_PREFIX.length)
  const parts = rel === '' ? [] : rel.split('/')
  // Only plain names: no root, no drive, no backslash (a Windows separator smuggled in), no `..`.
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || /^[A-Za-z]:/.test(p))) return s
  return path.join(dataDir, ...parts)
}

function mapJson(value: JsonValue, f: (s: string) => string): JsonValue {
  if (typeof value === 'string') return f(value)
  if (Array.isArray(value)) return value.map((x) => mapJson(x, f))
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: a "__proto__" key (JSON.parse gives it as one) stays a key, not a prototype.
    return Object.fromEntries(Object.entries(value).filter(([, x]) => x !== undefined).map(([k, x]) => [k, mapJson(x, f)]))
  }
  return value
}

/** A JSON value as the farm stores it (toStoredJson(x) of a value with no paths is x, deep-equal). */
export function toStoredJson<T extends JsonValue | null | undefined>(dataDir: string, value: T, path: PathApi = nodePath): T {
  if (value === null || value === undefined) return value
  return mapJson(value, (s) => storedString(dataDir, s, path)) as T
}

/** A stored JSON value with its paths on this machine. */
export function fromStoredJson<T extends JsonValue | null | undefined>(dataDir: string, value: T, path: PathApi = nodePath): T {
  if (value === null || value === undefined) return value
  return mapJson(value, (s) => localString(dataDir, s, path)) as T
}

/**
 * Stored JSON text with its paths on this machine: what a row read from the farm holds. Text with
 * no stored form in it (most rows) comes back as it is, unparsed; text that is not JSON too.
 */
export function localJsonText(dataDir: string, text: string | null): string | null {
  if (text === null || !(text.includes(DATA_PREFIX) || text.includes(TEXT_PREFIX))) return text
  let value: JsonValue
  try {
    value = JSON.parse(text) as JsonValue
  } catch {
    return text
  }
  return JSON.stringify(fromStoredJson(dataDir, value))
}

/** Whether stored JSON text may hold a stored form (else it reads the same on every machine). */
export function hasStoredForms(text: string | null): boolean {
  return text !== null && (text.includes(DATA_PREFIX) || text.includes(TEXT_PREFIX))
}

/** Where a payload's string sits, as a person names it: `input.assets[0]`, `input.meta.cover`. */
function fieldName(field: string, key: string | number): string {
  return typeof key === 'number' ? `${field}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`
}

/**
 * A job's payload (its pipeline's input) as the farm stores it: a path into the shared data folder
 * in its stored form, as in outputs and results, so that the worker that runs the job reads it
 * under its own mount. Enqueued elsewhere, a path is named under the enqueuing machine's mount
 * (/mnt/studio/projects/p/cover.png): stored as it was, no other machine could open it.
 *
 * A file of this machine outside the shared folder (/home/me/cover.png) is refused, naming the
 * field: no worker can read it. What is a file is asked of the file system, so an absolute-looking
 * text that names no file here ("/imagine a lighthouse") stays text. A path reached through another
 * way into the folder (a symlink, the real path of the mount) is stored relative to it too.
 */
export function toStoredPayload(dataDir: string, value: JsonValue, field = 'input'): JsonValue {
  let rootReal: string | undefined
  const walk = (v: JsonValue, at: string): JsonValue => {
    if (typeof v === 'string') return storedPayloadString(v, at)
    if (Array.isArray(v)) return v.map((x, i) => walk(x, fieldName(at, i)))
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, walk(x, fieldName(at, k))]))
    }
    return v
  }
  const storedPayloadString = (s: string, at: string): string => {
    const stored = storedString(dataDir, s)
    if (stored !== s || !nodePath.isAbsolute(s) || s.length > 4096 || /[\n\r\0]/.test(s)) return stored
    let real: string
    try {
      real = realpathSync(s)
    } catch {
      return s
    }
    if (rootReal === undefined) {
      try {
        rootReal = realpathSync(dataDir)
      } catch {
        rootReal = nodePath.resolve(dataDir)
      }
    }
    const inside = storedString(rootReal, real)
    if (inside !== real) return inside
    throw new QueueError(
      'bad_request',
      `${at}: ${JSON.stringify(s.slice(0, 300))} is a file of this machine outside the farm's shared folder ${dataDir}: the farm's other machines cannot read it (put it in the shared folder, or import it into a project there)`,
      [{ path: at.replace(/\[(\d+)\]/g, '.$1').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), code: 'custom', message: `a file outside the farm's shared folder`, reason: 'farm.outsideShare' }]
    )
  }
  return walk(value, field)
}
