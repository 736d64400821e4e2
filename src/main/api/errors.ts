import type { ApiError, ApiIssue } from '../../shared/contract'
import { StudioError } from '../engine/errors'

/**
 * Anything a handler threw, as the contract's error. A domain error (any StudioError) answers
 * with its own code; its issues' paths are relative to its `field`, so they are prefixed with it,
 * and a field with no issues still becomes one issue the window can show under that field.
 * Everything else is a bug: its details stay in main's log and the page gets a readable sentence.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof StudioError) {
    const issues = issuesOf(err)
    return { code: err.apiCode, message: err.message, ...(issues.length ? { issues } : {}) }
  }
  const message = err instanceof Error ? err.message : String(err)
  console.error('command failed:', err)
  return { code: 'internal', message: `internal error: ${message}` }
}

function issuesOf(err: StudioError): ApiIssue[] {
  const prefix = err.field ? err.field.split('.') : []
  const own = err.apiIssues() ?? []
  if (own.length) return own.map((i) => ({ ...i, path: [...prefix, ...i.path] }))
  return prefix.length ? [{ path: prefix, code: 'custom', message: err.message }] : []
}
