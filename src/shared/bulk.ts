/**
 * Acting on many jobs at once (a selection in the queue, "Clear finished", `studio cancel
 * --status pending`): the request names the jobs by id or by status, the answer says for each
 * job whether it was done or skipped, and why. The engine applies one request in one transaction.
 * No Node, no DOM.
 */
import { z } from 'zod'
import { JobId, JobStatusSchema, Priority } from './schemas'

export const BULK_MAX_IDS = 10_000

const Ids = z.array(JobId).min(1, 'ids: name at least one job').max(BULK_MAX_IDS, `ids: at most ${BULK_MAX_IDS} jobs at once`)
const Statuses = z.union([JobStatusSchema, z.array(JobStatusSchema).min(1, 'status: name at least one status')])
const EITHER = 'give either ids (a list of job ids) or status (a job status or a list of them)'

const exactlyOne = (r: { ids?: unknown; status?: unknown }) => (r.ids === undefined) !== (r.status === undefined)

/**
 * Which jobs: listed ids (full or unique prefixes), or every job in the given status(es).
 * One strict object (not a union) so that a bad field is named in the error.
 */
export const JobSelection = z.strictObject({ ids: Ids.optional(), status: Statuses.optional() }).refine(exactlyOne, { error: EITHER, path: ['ids'] })
export type JobSelection = z.input<typeof JobSelection>

export const SetPriorityMany = z
  .strictObject({ ids: Ids.optional(), status: Statuses.optional(), priority: Priority })
  .refine(exactlyOne, { error: EITHER, path: ['ids'] })

/** One job's outcome: `skipped` says why (already finished, being processed…), `code` for programs. */
export type BulkOutcome = { id: string; outcome: 'done' } | { id: string; outcome: 'skipped'; code: string; reason: string }

export interface BulkResult {
  done: number
  skipped: number
  results: BulkOutcome[]
}
