/**
 * What every backend of the job store does before it writes: a request checked against the
 * contract's schema and the pipeline's input schema, and turned into the job's title, stored
 * payload and plan of steps; a log message turned into the columns it is stored in. No SQL here
 * (nothing of SQLite either), so the PostgreSQL store uses it as it is.
 */
import { pathOfPrefix, zodIssues } from '../../../shared/api-issues'
import { quickEnqueueRequest } from '../../../shared/enqueue-check'
import type { LogEntry } from '../../../shared/log-lines'
import { describeZodError, EnqueueRequest, type EnqueueParsed } from '../../../shared/schemas'
import { QueueError } from '../errors'
import type { PipelineRegistry } from '../pipelines/registry'
import { stepDefinition } from '../pipelines/types'

/** A checked request, ready to insert. */
export interface PreparedEnqueue {
  req: EnqueueParsed
  title: string
  /** The pipeline's input as stored (JSON text). */
  payload: string
  steps: ReadonlyArray<{ name: string; title: string; resource: string; estimateMs: number }>
}

/** Parse with a zod schema, or refuse naming the field (the contract's issues attached). */
export function parseOrRefuse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } },
  value: unknown,
  root: string,
  prefix = ''
): T {
  const r = schema.safeParse(value)
  if (!r.success) throw new QueueError('bad_request', describeZodError(r.error, root, prefix), zodIssues(r.error, value, pathOfPrefix(prefix)))
  return r.data
}

/** Check one request (`prefix` names it in a list: `jobs[3].`) and plan its steps. */
export function prepareEnqueue(pipelines: PipelineRegistry<any>, raw: EnqueueRequest, prefix: string): PreparedEnqueue {
  const req: EnqueueParsed = quickEnqueueRequest(raw) ?? parseOrRefuse(EnqueueRequest, raw, prefix + 'request', prefix)
  const pipeline = pipelines.get(req.type)
  if (!pipeline) {
    throw new QueueError('bad_request', `${prefix}type: unknown job type "${req.type}"; known types: ${pipelines.names().join(', ')}`)
  }
  const checked = pipeline.input.safeParse(req.input)
  if (!checked.success) {
    throw new QueueError(
      'bad_request',
      describeZodError(checked.error, `${prefix}input`, `${prefix}input.`),
      zodIssues(checked.error, req.input, pathOfPrefix(`${prefix}input`))
    )
  }
  const input = checked.data
  const title = req.title ?? titleFromInput(input) ?? pipeline.title
  const steps = pipeline.plan
    ? pipeline.plan(input).map((p) => ({ ...p, estimateMs: stepDefinition(pipeline, p.name)?.estimateMs ?? 1_000 }))
    : pipeline.steps
  if (steps.length === 0) throw new QueueError('bad_request', `${prefix}input: nothing to do`)
  return { req, title, payload: JSON.stringify(input), steps }
}

/** A job's title when the request gives none: the first telling field of its input, shortened. */
export function titleFromInput(input: Record<string, unknown>): string | undefined {
  for (const key of ['title', 'idea', 'topic', 'prompt', 'text', 'mood']) {
    const v = input[key]
    if (typeof v === 'string' && v.trim()) {
      const t = v.trim().replace(/\s+/g, ' ')
      return t.length > 80 ? t.slice(0, 77) + '…' : t
    }
  }
  return undefined
}

/** The columns a line is stored in: a code and its values (no prose), or free text. */
export function storedLogMessage(message: string | LogEntry): { text: string; code: string | null; params: string | null } {
  if (typeof message === 'string') return { text: message, code: null, params: null }
  return { text: '', code: message.code, params: JSON.stringify(message.params) }
}
