import { MAX_PAYLOAD_BYTES, type EnqueueParsed } from './schemas'
import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from './types'

const KEYS = new Set(['type', 'input', 'priority', 'projectId', 'title', 'maxRetries', 'batchId'])

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}
const text = (v: unknown, min: number, max: number) => typeof v === 'string' && v.length >= min && v.length <= max
const whole = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max

/**
 * The request EnqueueRequest accepts, checked by hand: a bulk enqueue of a hundred thousand jobs
 * spent more time in zod's generic object walk than in SQLite. Null when anything is not plainly
 * valid (a bad field, a payload near the size limit): the caller then parses with EnqueueRequest,
 * whose errors name the field. Never accepts what EnqueueRequest refuses (enqueue-check.test.ts).
 */
export function quickEnqueueRequest(raw: unknown): EnqueueParsed | null {
  if (!isPlainObject(raw)) return null
  for (const key in raw) if (!KEYS.has(key)) return null
  const { type, input, priority, projectId, title, maxRetries, batchId } = raw
  if (!text(type, 1, 100) || !isPlainObject(input)) return null
  if (priority !== undefined && !whole(priority, MIN_PRIORITY, MAX_PRIORITY)) return null
  if (projectId !== undefined && !text(projectId, 1, 200)) return null
  if (title !== undefined && !text(title, 0, 300)) return null
  if (maxRetries !== undefined && !whole(maxRetries, 0, 20)) return null
  if (batchId !== undefined && !text(batchId, 0, 100)) return null
  // Flat inputs of text and numbers (a bulk enqueue's usual rows) are sized without writing
  // their JSON, which the enqueue writes again from the pipeline's parse; anything else is.
  const bound = flatJsonBytesBound(input)
  if (bound === null || bound > MAX_PAYLOAD_BYTES) {
    let json: string
    try {
      json = JSON.stringify(input)
    } catch {
      return null
    }
    // A UTF-16 unit is at most 3 bytes of UTF-8: below a third of the limit, no need to count.
    if (json.length * 3 > MAX_PAYLOAD_BYTES) return null
  }
  const req: EnqueueParsed = {
    type: type as string,
    input: { ...input },
    priority: (priority as number | undefined) ?? DEFAULT_PRIORITY,
    projectId: (projectId as string | undefined) ?? 'default',
    maxRetries: (maxRetries as number | undefined) ?? 3
  }
  if (title !== undefined) req.title = title as string
  if (batchId !== undefined) req.batchId = batchId as string
  return req
}

/**
 * At least as many bytes as the UTF-8 JSON of an object whose values are all text, numbers,
 * booleans or null (a UTF-16 unit is at most 6 bytes: an escape, or 3 bytes of UTF-8; a number at
 * most 24 characters); null for any other value (nested, or with no JSON form, such as a BigInt).
 */
function flatJsonBytesBound(input: Record<string, unknown>): number | null {
  let bytes = 2
  for (const key in input) {
    const v = input[key]
    bytes += key.length * 6 + 4
    if (typeof v === 'string') bytes += v.length * 6 + 2
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) bytes += 24
    else return null
  }
  return bytes
}
