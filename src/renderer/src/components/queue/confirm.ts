import type { JobView } from '../../../../shared/types'
import type { Call } from '../../api/context'
import type { Translator } from '../../i18n'

/**
 * Whether removing this job deletes files: `jobs/remove` deletes the job's artifacts folder, so a
 * finished render, or a failed/cancelled job's finished steps (narration, paid images…), would be
 * gone for good. The row only has the job's summary, so for a job that ran without completing we
 * ask the engine for its steps.
 */
export async function hasOutputs(call: Call, job: JobView): Promise<boolean> {
  if (job.status === 'completed') return true
  // startedAt survives retries, so null means no step ever ran and no file can exist.
  if (job.startedAt === null) return false
  const r = await call('jobs/get', { id: job.id }, { quiet: true })
  // Steps we cannot read count as outputs: one extra question costs less than a lost render.
  return !r.ok || r.value.steps.some((s) => Object.keys(s.files).length > 0)
}

/** Ask before a removal that stops a running job or deletes files; removing an empty job needs no question. */
export async function confirmRemove(call: Call, t: Translator, job: JobView): Promise<boolean> {
  if (job.status === 'processing') return window.confirm(t('queue.confirmRemoveRunning', { title: job.title }))
  if (await hasOutputs(call, job)) return window.confirm(t('queue.confirmRemoveOutputs', { title: job.title }))
  return true
}

/** A single key press must not throw away the step a running job is in the middle of. */
export function confirmCancel(t: Translator, job: JobView): boolean {
  return job.status !== 'processing' || window.confirm(t('queue.confirmCancelRunning', { title: job.title }))
}
