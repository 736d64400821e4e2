import { z } from 'zod'
import { DEFAULT_PRIORITY, JOB_STATUSES, MAX_PRIORITY, MIN_PRIORITY } from './types'

/** Seed 1: "Taille maximale du payload : 1MB". Measured on the JSON text, in bytes. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024

export const JobId = z.string().min(1, 'job id is empty').max(100, 'job id is too long')
export const Priority = z
  .number({ error: 'priority must be a number from 1 to 10' })
  .int('priority must be a whole number from 1 to 10')
  .min(MIN_PRIORITY, 'priority must be between 1 (first) and 10 (last)')
  .max(MAX_PRIORITY, 'priority must be between 1 (first) and 10 (last)')
export const ProjectId = z
  .string()
  .min(1, 'project is empty')
  .max(200, 'project name is too long (200 characters at most)')

const Payload = z
  .record(z.string(), z.unknown(), { error: 'input must be a JSON object' })
  .superRefine((v, ctx) => {
    let text: string
    try {
      text = JSON.stringify(v)
    } catch {
      // A BigInt or a cycle (Electron's IPC carries both) has no JSON form: refused, not thrown.
      ctx.addIssue({ code: 'custom', message: 'input must be plain JSON: text, numbers, true/false, lists and objects' })
      return
    }
    if (utf8Length(text) > MAX_PAYLOAD_BYTES) ctx.addIssue({ code: 'custom', message: 'input is larger than 1 MB' })
  })

export const EnqueueRequest = z.strictObject({
  type: z.string().min(1, 'type is empty').max(100),
  input: Payload,
  priority: Priority.default(DEFAULT_PRIORITY),
  projectId: ProjectId.default('default'),
  title: z.string().max(300, 'title is too long (300 characters at most)').optional(),
  maxRetries: z.number().int().min(0).max(20, 'maxRetries must be between 0 and 20').default(3),
  batchId: z.string().max(100).optional()
})
export type EnqueueRequest = z.input<typeof EnqueueRequest>
export type EnqueueParsed = z.output<typeof EnqueueRequest>

export const JobStatusSchema = z.enum(JOB_STATUSES, { error: `status must be one of ${JOB_STATUSES.join(', ')}` })
export const MoveDirectionSchema = z.enum(['up', 'down', 'top', 'bottom'], {
  error: 'direction must be up, down, top or bottom'
})

export const JobFilter = z.strictObject({
  status: z.union([JobStatusSchema, z.array(JobStatusSchema)]).optional(),
  type: z.string().optional(),
  projectId: ProjectId.optional(),
  batchId: z.string().optional(),
  text: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100_000).default(1000),
  offset: z.number().int().min(0).default(0)
})
export type JobFilter = z.input<typeof JobFilter>

export const RetryRequest = z.strictObject({
  id: JobId,
  fromStep: z.string().min(1).optional()
})

/** Format zod issues as one sentence that names each offending field. */
export function describeZodError(error: z.ZodError, root = 'input', prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? prefix + issue.path.map(String).join('.') : root
      return `${path}: ${issue.message}`
    })
    .join('; ')
}

const encoder = new TextEncoder()
function utf8Length(text: string): number {
  return encoder.encode(text).length
}
