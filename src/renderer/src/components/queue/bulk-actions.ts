import type { BulkResult } from '../../../../shared/contract'
import { FINISHED_STATUSES } from '../../../../shared/types'
import type { Call } from '../../api/context'
import type { Translator } from '../../i18n'
import { getStudio } from '../../store'

/**
 * Actions on many jobs (a selection, "Clear finished", "Cancel all pending"): one contract call
 * each (jobs/*Many, one transaction), the outcome said in one notice. Deleting asks first;
 * cancelling asks when a running job is among them; cancelling only queued jobs offers Undo.
 */
export type BulkVerb = 'cancel' | 'retry' | 'remove' | 'pause' | 'resume'

const COMMAND = {
  cancel: 'jobs/cancelMany',
  retry: 'jobs/retryMany',
  remove: 'jobs/removeMany',
  pause: 'jobs/pauseMany',
  resume: 'jobs/resumeMany'
} as const

const LABEL = { cancel: 'bulk.cancel', retry: 'bulk.retry', remove: 'bulk.remove', pause: 'bulk.pause', resume: 'bulk.resume' } as const

function report(t: Translator, action: string, r: BulkResult): void {
  const firstSkip = r.results.find((o) => o.outcome === 'skipped')
  const reason = firstSkip && firstSkip.outcome === 'skipped' ? firstSkip.reason : ''
  if (r.skipped) getStudio().notify('info', t('bulk.result', { action, done: r.done, skipped: r.skipped, reason }))
  else getStudio().notify('success', t('bulk.resultDone', { action, done: r.done }))
}

export function bulkActions(call: Call, t: Translator) {
  // Cancelling queued jobs loses nothing: undoing is queueing them again, where they were.
  const offerUndo = (r: BulkResult) => {
    const done = r.results.filter((o) => o.outcome === 'done').map((o) => o.id)
    if (!done.length) return
    getStudio().notify('info', t('queue.cancelledManyUndo', { n: done.length }), {
      label: t('common.undo'),
      run: () => void call('jobs/retryMany', { ids: done })
    })
  }
  return {
    async onSelection(verb: BulkVerb, ids: string[]): Promise<boolean> {
      if (!ids.length) return false
      const s = getStudio()
      const running = ids.filter((id) => s.jobs[id]?.status === 'processing').length
      if (verb === 'remove' && !(await s.ask({ title: t('confirm.bulkRemoveTitle'), message: t('confirm.bulkRemove', { n: ids.length }), confirmLabel: t('confirm.removeOk'), danger: true }))) {
        return false
      }
      if (verb === 'cancel' && running > 0) {
        const ok = await s.ask({
          title: t('confirm.bulkCancelTitle'),
          message: t('confirm.bulkCancel', { n: ids.length, running }),
          confirmLabel: t('confirm.cancelRunningOk'),
          cancelLabel: t('confirm.keepRunning'),
          danger: true
        })
        if (!ok) return false
      }
      const r = await call(COMMAND[verb], { ids })
      if (!r.ok) return false
      if (verb === 'cancel' && running === 0) offerUndo(r.value)
      else report(t, t(LABEL[verb]), r.value)
      if (verb === 'remove') getStudio().clearPicked()
      return true
    },
    async setPriority(ids: string[], priority: number): Promise<boolean> {
      const r = await call('jobs/setPriorityMany', { ids, priority })
      if (r.ok) report(t, t('bulk.priority'), r.value)
      return r.ok
    },
    async clearFinished(): Promise<boolean> {
      const n = Object.values(getStudio().jobs).filter((j) => FINISHED_STATUSES.includes(j.status)).length
      if (!n) return false
      if (!(await getStudio().ask({ title: t('confirm.bulkRemoveTitle'), message: t('confirm.clearFinished', { n }), confirmLabel: t('confirm.removeOk'), danger: true }))) return false
      const r = await call('jobs/removeMany', { status: [...FINISHED_STATUSES] })
      if (r.ok) report(t, t('queue.clearFinished'), r.value)
      return r.ok
    },
    async cancelAllPending(): Promise<boolean> {
      const n = Object.values(getStudio().jobs).filter((j) => j.status === 'pending').length
      if (!n) return false
      if (!(await getStudio().ask({ title: t('confirm.bulkCancelTitle'), message: t('confirm.cancelAllPending', { n }), confirmLabel: t('bulk.cancel') }))) return false
      const r = await call('jobs/cancelMany', { status: 'pending' })
      if (r.ok) offerUndo(r.value)
      return r.ok
    }
  }
}
