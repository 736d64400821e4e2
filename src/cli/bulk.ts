/**
 * `studio cancel|retry|rm|priority` on several jobs: ids given one after another, or `--status S`
 * (several statuses comma-separated). One contract request (jobs/*Many), one transaction; the
 * single-id forms stay as they were (main.ts handles them).
 */
import type { BulkResult, CommandName } from '../shared/contract'
import { JOB_STATUSES, type JobStatus } from '../shared/types'

export type BulkVerb = 'cancel' | 'retry' | 'rm' | 'priority'

export class BulkUsageError extends Error {}

export const BULK_COMMAND = {
  cancel: 'jobs/cancelMany',
  retry: 'jobs/retryMany',
  rm: 'jobs/removeMany',
  priority: 'jobs/setPriorityMany'
} as const satisfies Record<BulkVerb, CommandName>

export const BULK_USAGE: Record<BulkVerb, string> = {
  cancel: 'cancel <id>... | cancel --status S[,S]',
  retry: 'retry <id>... | retry --status S[,S]',
  rm: 'rm <id>... | rm --status S[,S]',
  priority: 'priority <id>... <1-10> | priority --status S[,S] <1-10>'
}

const PAST: Record<BulkVerb, string> = { cancel: 'cancelled', retry: 'queued again', rm: 'removed', priority: 'priority set' }

/** Options that take a value: their value is not a positional. */
const VALUED = new Set(['--data-dir', '--from', '--status'])

/** More positionals than the single form takes, or a --status filter: the many-jobs form. */
export function isBulk(args: readonly string[], singlePositionals: number): boolean {
  let positionals = 0
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--status' || a.startsWith('--status=')) return true
    if (VALUED.has(a)) i++
    else if (!a.startsWith('-')) positionals++
  }
  return positionals > singlePositionals
}

export function bulkRequest(verb: BulkVerb, positionals: string[], status: string | undefined): Record<string, unknown> {
  const rest = [...positionals]
  let priority: number | undefined
  if (verb === 'priority') {
    const last = rest.pop()
    priority = last === undefined ? NaN : Number(last)
    if (!Number.isInteger(priority)) throw new BulkUsageError(`priority must be a whole number from 1 to 10, got "${last ?? ''}"\nusage: studio ${BULK_USAGE[verb]}`)
  }
  let selection: Record<string, unknown>
  if (status !== undefined) {
    if (rest.length) throw new BulkUsageError(`give job ids or --status, not both\nusage: studio ${BULK_USAGE[verb]}`)
    const statuses = status.split(',').map((s) => s.trim())
    const bad = statuses.find((s) => !JOB_STATUSES.includes(s as JobStatus))
    if (bad !== undefined) throw new BulkUsageError(`--status must be one of ${JOB_STATUSES.join(', ')} (several comma-separated); got "${bad}"`)
    selection = { status: statuses.length === 1 ? statuses[0] : statuses }
  } else {
    if (!rest.length) throw new BulkUsageError(`usage: studio ${BULK_USAGE[verb]}`)
    selection = { ids: rest }
  }
  return priority === undefined ? selection : { ...selection, priority }
}

/** A line per job (done or why not), then the count. */
export function bulkText(verb: BulkVerb, r: BulkResult): string {
  const lines = r.results.map((o) => (o.outcome === 'done' ? `${o.id} ${PAST[verb]}` : `${o.id} skipped: ${o.reason}`))
  lines.push(r.results.length === 0 ? 'no job matched' : `${r.done} ${PAST[verb]}, ${r.skipped} skipped`)
  return lines.join('\n')
}
