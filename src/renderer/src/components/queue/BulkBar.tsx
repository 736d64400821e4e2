import { useMemo } from 'react'
import { MAX_PRIORITY, MIN_PRIORITY } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { pickedIds } from '../../store/pick'
import { Button } from '../common/controls'
import { bulkActions, type BulkVerb } from './bulk-actions'

/**
 * What can be done to the picked jobs (two or more): cancel, retry, pause, resume, priority,
 * remove. Shown above the list that picked them (the queue, the job tracker).
 */
export function BulkBar({ order }: { order: readonly string[] }) {
  const t = useT()
  const call = useCall()
  const picked = useStudio((s) => s.picked)
  // Counted, not listed, on every change of the jobs (the list of ids in order is built only when there is a bar to show).
  const count = useStudio((s) => {
    let n = 0
    for (const id in s.picked) if (id in s.jobs) n++
    return n
  })
  const actions = useMemo(() => bulkActions(call, t), [call, t])
  const ids = useMemo(() => (count >= 2 ? pickedIds(picked, (id) => id in getStudio().jobs, order) : []), [count, picked, order])
  if (count < 2) return null
  const verbs: { verb: BulkVerb; icon: 'cancel' | 'retry' | 'pause' | 'play' | 'trash' }[] = [
    { verb: 'cancel', icon: 'cancel' },
    { verb: 'retry', icon: 'retry' },
    { verb: 'pause', icon: 'pause' },
    { verb: 'resume', icon: 'play' },
    { verb: 'remove', icon: 'trash' }
  ]
  const priorities = Array.from({ length: MAX_PRIORITY - MIN_PRIORITY + 1 }, (_, i) => MIN_PRIORITY + i)
  return (
    <div className="bulk-bar" role="toolbar" aria-label={t('bulk.label')} data-testid="bulk-bar" title={t('bulk.hint')}>
      <strong data-testid="bulk-count">{t.plural('bulk.selected', ids.length)}</strong>
      {verbs.map(({ verb, icon }) => (
        <Button key={verb} icon={icon} kind={verb === 'remove' ? 'danger' : 'default'} onClick={() => void actions.onSelection(verb, ids)} testId={`bulk-${verb}`}>
          {t(`bulk.${verb}`)}
        </Button>
      ))}
      <label className="bulk-priority">
        <span>{t('bulk.priority')}</span>
        <select
          value=""
          onChange={(e) => {
            if (e.target.value) void actions.setPriority(ids, Number(e.target.value))
          }}
          data-testid="bulk-priority"
        >
          <option value="">—</option>
          {priorities.map((p) => (
            <option key={p} value={p}>
              P{p}
            </option>
          ))}
        </select>
      </label>
      <Button kind="ghost" onClick={() => getStudio().clearPicked()} testId="bulk-clear">
        {t('bulk.clear')}
      </Button>
    </div>
  )
}
