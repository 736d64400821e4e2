import { useMemo } from 'react'
import type { JobView, MoveDirection } from '../../../../shared/types'
import { useCall, type Call } from '../../api/context'
import type { Translator } from '../../i18n'
import { useT } from '../../i18n/use-t'
import { getStudio } from '../../store'
import { isFinished, isQueued } from '../../store/order'
import { confirmCancel, confirmRemove } from './confirm'
import { placementFor } from './reorder'

/** Why an action is not possible for this job right now (null when it is). */
export function reasons(t: Translator, job: JobView, queuedIndex: number, queuedCount: number) {
  const finished = isFinished(job)
  const moveWhy =
    job.status === 'processing' ? t('why.processingMove') : finished ? t('why.finishedMove') : null
  return {
    up: moveWhy ?? (queuedIndex <= 0 ? t('why.first') : null),
    down: moveWhy ?? (queuedIndex >= queuedCount - 1 ? t('why.last') : null),
    drag: moveWhy,
    priority: job.status === 'processing' ? t('why.processingPriority') : job.status === 'completed' ? t('why.completedPriority') : null,
    cancel: finished ? t('why.finishedCancel') : null,
    retry: job.status === 'failed' || job.status === 'cancelled' ? null : job.status === 'completed' ? t('why.completedRetry') : t('why.notFinishedRetry'),
    pause: finished ? t('why.finishedPause') : null
  }
}

export interface JobActions {
  move(job: JobView, direction: MoveDirection): Promise<boolean>
  /** Move a queued job to an index of the queued list (drag and drop). */
  moveTo(job: JobView, queuedIds: readonly string[], to: number): Promise<boolean>
  setPriority(job: JobView, priority: number): Promise<boolean>
  /** A running job: asked first. A queued one: cancelled at once, with Undo (it is queued again where it was). */
  cancel(job: JobView): Promise<boolean>
  retry(job: JobView, fromStep?: string): Promise<boolean>
  remove(job: JobView): Promise<boolean>
  togglePause(job: JobView): Promise<boolean>
}

export function jobActions(call: Call, t: Translator): JobActions {
  const ok = (r: { ok: boolean }) => r.ok
  // Past a job of another priority, the moved job takes that priority: said, not done silently.
  const moved = (job: JobView, r: { ok: true; value: JobView } | { ok: false }) => {
    if (r.ok && r.value.priority !== job.priority) {
      getStudio().notify('info', t('queue.priorityAdopted', { title: job.title, priority: r.value.priority, was: job.priority }))
    }
    return r.ok
  }
  return {
    move: async (job, direction) => moved(job, await call('jobs/move', { id: job.id, direction })),
    async moveTo(job, queuedIds, to) {
      const target = placementFor(queuedIds, job.id, to)
      // A refusal (the job started meanwhile) is shown by the call's error toast.
      return target ? moved(job, await call('jobs/place', { id: job.id, ...target })) : true
    },
    setPriority: async (job, priority) => ok(await call('jobs/setPriority', { id: job.id, priority })),
    async cancel(job) {
      // Asked only for a running job; a queued one is cancelled in this very call (no wait for a dialog).
      if (job.status === 'processing' && !(await confirmCancel(t, job))) return false
      const r = await call('jobs/cancel', { id: job.id })
      // Nothing of a queued job is lost by cancelling it: undoing is queueing it again (same priority and place).
      if (r.ok && job.status !== 'processing') {
        getStudio().notify('info', t('queue.cancelledUndo', { title: job.title }), {
          label: t('common.undo'),
          run: () => void call('jobs/retry', { id: job.id })
        })
      }
      return r.ok
    },
    async retry(job, fromStep) {
      const r = await call('jobs/retry', fromStep ? { id: job.id, fromStep } : { id: job.id })
      if (r.ok) getStudio().notify('success', t('queue.retried', { title: job.title }))
      return r.ok
    },
    async remove(job) {
      if (!(await confirmRemove(call, t, job))) return false
      const r = await call('jobs/remove', { id: job.id })
      if (r.ok) {
        const s = getStudio()
        if (s.selectedJobId === job.id) s.selectJob(null)
      }
      return r.ok
    },
    async togglePause(job) {
      const paused = job.status === 'paused' || (job.status === 'processing' && job.pauseRequested)
      return ok(await call(paused ? 'jobs/resume' : 'jobs/pause', { id: job.id }))
    }
  }
}

export function useJobActions(): JobActions {
  const call = useCall()
  const t = useT()
  return useMemo(() => jobActions(call, t), [call, t])
}

export { isQueued }
