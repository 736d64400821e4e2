/**
 * A refused request's problems, one per field, as data: the window turns each into a sentence in
 * the user's language naming the field as the form labels it, while `ApiError.message` keeps the
 * engine's English for the CLI and the logs. No Node, no DOM in this file.
 */
import type { z } from 'zod'

export type IssuePath = (string | number)[]

export interface ApiIssue {
  /** Where in the request, e.g. ['input', 'idea'] or ['jobs', 2, 'priority']. */
  path: IssuePath
  /** zod's code: too_small, too_big, invalid_type, invalid_value, invalid_format, unrecognized_keys, custom… */
  code: string
  /** The engine's English sentence for this issue (the detail, for logs). */
  message: string
  /** invalid_type: the type wanted (string, number…); received: what came ('undefined' when missing). */
  expected?: string
  received?: string
  /** too_small / too_big: the bound, what it bounds (string length, number, array size), whether it is allowed. */
  minimum?: number
  maximum?: number
  origin?: string
  inclusive?: boolean
  /** invalid_value: the accepted values. */
  values?: (string | number | boolean | null)[]
  /** invalid_format: url, email, regex… */
  format?: string
  /** unrecognized_keys: the keys nobody knows. */
  keys?: string[]
  /** custom: a stable reason the window can word (`issue.custom.<reason>`), when the rule gives one. */
  reason?: string
}

/** zod's issues as ApiIssues; `input` (the value that was checked) tells what a wrong-typed field held. */
export function zodIssues(error: Pick<z.ZodError, 'issues'>, input: unknown, prefix: IssuePath = []): ApiIssue[] {
  return error.issues.map((raw) => {
    const issue = raw as unknown as Record<string, unknown> & { path: PropertyKey[]; code: string; message: string }
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)))
    const out: ApiIssue = { path: [...prefix, ...path], code: issue.code, message: issue.message }
    if (issue.code === 'invalid_type') {
      if (typeof issue.expected === 'string') out.expected = issue.expected
      out.received = typeOf(valueAt(input, path))
    }
    if (issue.code === 'too_small' || issue.code === 'too_big') {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum
      const n = typeof bound === 'bigint' ? Number(bound) : bound
      if (typeof n === 'number') out[issue.code === 'too_small' ? 'minimum' : 'maximum'] = n
      if (typeof issue.origin === 'string') out.origin = issue.origin
      if (typeof issue.inclusive === 'boolean') out.inclusive = issue.inclusive
    }
    if (issue.code === 'invalid_value' && Array.isArray(issue.values)) {
      out.values = issue.values.filter((v): v is string | number | boolean | null => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    }
    if (issue.code === 'invalid_format' && typeof issue.format === 'string') out.format = issue.format
    if (issue.code === 'unrecognized_keys' && Array.isArray(issue.keys)) out.keys = issue.keys.map(String)
    const params = issue.params as { reason?: unknown } | undefined
    if (issue.code === 'custom' && typeof params?.reason === 'string') out.reason = params.reason
    return out
  })
}

/** "a.b" or "jobs[2].input." (the engine's message prefixes) as a path. */
export function pathOfPrefix(prefix: string): IssuePath {
  return prefix
    .split(/[.[\]]+/)
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p))
}

function valueAt(input: unknown, path: IssuePath): unknown {
  let v = input
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[key]
  }
  return v
}

function typeOf(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN'
  return typeof v
}
