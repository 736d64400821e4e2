import { memo } from 'react'
import type { JobView } from '../../../../shared/types'
import { stepTitle as titleOfStep } from '../../i18n/step-title'
import { useT } from '../../i18n/use-t'
import { useStudio } from '../../store'
import { displayStatus, isFinished } from '../../store/order'
import { IconButton, PrioritySelect, StatusBadge, StepBar, useStatusLabel } from '../common/controls'
import { approx, formatDuration, shortId } from '../common/format'
import { useNow } from '../common/hooks'
import { Icon } from '../common/Icon'
import { reasons, type JobActions } from './actions'
import type { PickModifiers } from '../../store/pick'
import { percentText, shownProgress } from '../../../../shared/progress'

export interface RowDrag {
  onDragStart(job: JobView, e: React.DragEvent): void
  onDragEnd(): void
}

export const QueueRow = memo(function QueueRow({
  id,
  queuedIndex,
  queuedCount,
  selected,
  compact,
  dropMark,
  actions,
  drag,
  onSelect,
  onOpen,
  top,
  height
}: {
  id: string
  queuedIndex: number
  queuedCount: number
  selected: boolean
  compact: boolean
  dropMark: 'before' | 'after' | null
  actions: JobActions
  drag: RowDrag
  /** A click: with Shift (range) or Ctrl/Cmd (toggle) it picks several (store/pick.ts). */
  onSelect(id: string, mods: PickModifiers): void
  onOpen(id: string): void
  /** Position in the virtual list (numbers, not a style object, so scrolling does not re-render rows that stay). */
  top: number
  height: number
}) {
  const t = useT()
  const statusLabel = useStatusLabel()
  const job = useStudio((s) => s.jobs[id])
  const live = useStudio((s) => s.live[id])
  const etaMs = useStudio((s) => s.eta?.byId[id]?.finishInMs)
  const etaAt = useStudio((s) => s.eta?.fetchedAt ?? 0)
  const pipeline = useStudio((s) => (job ? s.pipelines.find((p) => p.name === job.type) : undefined))
  const now = useNow()
  if (!job) return null

  const status = displayStatus(job, now)
  const why = reasons(t, job, queuedIndex, queuedCount)
  const progress = shownProgress(job.progress, live?.progress)
  const stepName = live?.step ?? job.currentStep
  const steps = pipeline?.steps ?? []
  const stepIndex = stepName ? steps.findIndex((s) => s.name === stepName) : -1
  const stepTitle = stepIndex >= 0 ? titleOfStep(t, job.type, steps[stepIndex]!) : stepName
  const finished = isFinished(job)
  const eta =
    finished
      ? job.actualDurationMs !== null
        ? formatDuration(job.actualDurationMs, t.locale)
        : '—'
      : etaMs === null
        ? t('queue.etaPaused') // paused (the queue, or this job after its step): a click has no countdown
        : etaMs !== undefined
          ? approx(formatDuration(Math.max(0, etaMs - Math.max(0, now - etaAt)), t.locale))
          : '—'
  const paused = job.status === 'paused' || (job.status === 'processing' && job.pauseRequested)
  const draggable = !why.drag
  const waitingTitle =
    status === 'waiting'
      ? job.waitingReason ?? t('queue.waitingUntil', { time: formatDuration(job.runAfter - now, t.locale) })
      : status === 'failed'
        ? job.error ?? undefined
        : undefined

  return (
    <li
      className={`queue-row${selected ? ' selected' : ''}${compact ? ' compact' : ''}${dropMark ? ' drop-' + dropMark : ''} row-${status}`}
      style={{ transform: `translateY(${top}px)`, height }}
      data-job-id={id}
      data-status={status}
      data-queued-index={queuedIndex}
      aria-current={selected ? 'true' : undefined}
      aria-label={`${job.title}, ${statusLabel(status)}`}
      tabIndex={selected ? 0 : -1}
      draggable={draggable}
      onDragStart={(e) => drag.onDragStart(job, e)}
      onDragEnd={() => drag.onDragEnd()}
      onClick={(e) => onSelect(id, { range: e.shiftKey, toggle: e.ctrlKey || e.metaKey })}
      onMouseDown={(e) => {
        // Shift-click picks a range of jobs, not a range of text.
        if (e.shiftKey) e.preventDefault()
      }}
      onDoubleClick={() => onOpen(id)}
      data-testid="queue-row"
    >
      <span className={`grip${draggable ? '' : ' grip-disabled'}`} title={why.drag ?? t('queue.dragHint')} aria-hidden="true">
        <Icon name="grip" size={14} />
      </span>
      {!compact ? <span className="pos">{queuedIndex >= 0 ? queuedIndex + 1 : ''}</span> : null}
      <StatusBadge status={status} title={waitingTitle} />
      <span className="title-cell">
        <span className="job-title" title={job.title}>
          {job.title}
        </span>
        <span className="job-sub">
          {job.type} · {shortId(job.id)}
          {job.retryCount > 0 ? ` · ${t('queue.retries', { n: job.retryCount })}` : ''}
          {status === 'waiting' && job.waitingReason ? ` · ${job.waitingReason}` : ''}
          {status === 'failed' && job.error ? ` · ${job.error}` : ''}
        </span>
      </span>
      <PrioritySelect job={job} disabledReason={why.priority} onChange={(p) => void actions.setPriority(job, p)} />
      <span className="progress-cell">
        <StepBar
          steps={steps.length || 1}
          progress={progress}
          status={status === 'waiting' || status === 'pausing' ? (status === 'pausing' ? 'processing' : 'pending') : status}
          currentIndex={stepIndex}
          label={t('queue.progressOf', { title: job.title })}
        />
        <span className="progress-text">
          <span className="pct">{percentText(progress)}</span>
          <span className="step" title={live?.message ?? undefined}>
            {stepTitle ? (stepIndex >= 0 ? `${stepIndex + 1}/${steps.length} ${stepTitle}` : stepTitle) : ''}
          </span>
        </span>
      </span>
      <span className="eta" title={finished ? t('queue.tookTitle') : etaMs === null ? t(paused ? 'queue.etaJobPausedTitle' : 'queue.etaPausedTitle') : t('queue.etaTitle')}>
        {eta}
      </span>
      <span className="row-actions">
        <IconButton icon="up" label={t('queue.moveUp')} disabledReason={why.up} onClick={() => void actions.move(job, 'up')} testId="move-up" />
        <IconButton icon="down" label={t('queue.moveDown')} disabledReason={why.down} onClick={() => void actions.move(job, 'down')} testId="move-down" />
        {!compact ? (
          <IconButton icon="top" label={t('queue.moveTop')} disabledReason={why.up} onClick={() => void actions.move(job, 'top')} testId="move-top" />
        ) : null}
        {!finished ? (
          <IconButton
            icon={paused ? 'play' : 'pause'}
            label={paused ? t('queue.resume') : t('queue.pause')}
            disabledReason={why.pause}
            onClick={() => void actions.togglePause(job)}
            testId="toggle-pause"
          />
        ) : null}
        {!finished ? (
          <IconButton icon="cancel" label={t('queue.cancel')} disabledReason={why.cancel} onClick={() => void actions.cancel(job)} testId="cancel" />
        ) : (
          <IconButton icon="retry" label={t('queue.retry')} disabledReason={why.retry} onClick={() => void actions.retry(job)} testId="retry" />
        )}
        <IconButton icon="trash" label={t('queue.remove')} onClick={() => void actions.remove(job)} className="danger" testId="remove" />
      </span>
    </li>
  )
})
