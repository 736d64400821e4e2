import type { JobView } from '../../../../shared/types'
import type { Call } from '../../api/context'
import type { Translator } from '../../i18n'
import { getStudio } from '../../store'

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

/** Ask (in the app's own dialog) before a removal that stops a running job or deletes files; removing an empty job needs no question. */
export async function confirmRemove(call: Call, t: Translator, job: JobView): Promise<boolean> {
  const ask = (message: string) =>
    getStudio().ask({ title: t('confirm.removeTitle'), message, confirmLabel: t('confirm.removeOk'), cancelLabel: t('confirm.keep'), danger: true })
  if (job.status === 'processing') return ask(t('queue.confirmRemoveRunning', { title: job.title }))
  if (await hasOutputs(call, job)) return ask(t('queue.confirmRemoveOutputs', { title: job.title }))
  return true
}

/** Cancelling a running job throws away the step in progress (a render, a paid call): always asked, click or key. */
export async function confirmCancel(t: Translator, job: JobView): Promise<boolean> {
  if (job.status !== 'processing') return true
  return getStudio().ask({
    title: t('confirm.cancelRunningTitle'),
    message: t('queue.confirmCancelRunning', { title: job.title }),
    confirmLabel: t('confirm.cancelRunningOk'),
    cancelLabel: t('confirm.keepRunning'),
    danger: true
  })
}
