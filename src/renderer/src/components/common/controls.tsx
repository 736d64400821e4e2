import type { ReactNode } from 'react'
import type { JobView } from '../../../../shared/types'
import { MAX_PRIORITY, MIN_PRIORITY } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import type { MessageKey } from '../../i18n'
import type { DisplayStatus } from '../../store/order'
import { getStudio } from '../../store'
import { Icon, type IconName } from './Icon'
import { segmentFills } from '../../../../shared/progress'

/**
 * An icon button. When `disabledReason` is set the button stays focusable (aria-disabled, so the
 * tooltip and screen readers can say why) and a click explains instead of acting.
 */
export function IconButton({
  icon,
  label,
  onClick,
  disabledReason,
  className,
  pressed,
  testId
}: {
  icon: IconName
  label: string
  onClick: () => void
  disabledReason?: string | null
  className?: string
  pressed?: boolean
  testId?: string
}) {
  const disabled = Boolean(disabledReason)
  return (
    <button
      type="button"
      className={`icon-button${className ? ' ' + className : ''}`}
      aria-label={label}
      title={disabled ? `${label} — ${disabledReason}` : label}
      aria-disabled={disabled || undefined}
      aria-pressed={pressed}
      data-testid={testId}
      onClick={(e) => {
        e.stopPropagation()
        if (disabled) getStudio().notify('info', disabledReason!)
        else onClick()
      }}
    >
      <Icon name={icon} />
    </button>
  )
}

export function Button({
  children,
  onClick,
  kind = 'default',
  icon,
  disabled,
  title,
  type = 'button',
  form,
  testId
}: {
  children: ReactNode
  onClick?: () => void
  kind?: 'default' | 'primary' | 'danger' | 'ghost'
  icon?: IconName
  disabled?: boolean
  title?: string
  type?: 'button' | 'submit'
  form?: string
  testId?: string
}) {
  return (
    <button type={type} form={form} className={`button button-${kind}`} onClick={onClick} disabled={disabled} title={title} data-testid={testId}>
      {icon ? <Icon name={icon} /> : null}
      <span>{children}</span>
    </button>
  )
}

const STATUS_KEYS: Record<DisplayStatus, MessageKey> = {
  pending: 'status.pending',
  processing: 'status.processing',
  paused: 'status.paused',
  completed: 'status.completed',
  failed: 'status.failed',
  cancelled: 'status.cancelled',
  waiting: 'status.waiting',
  pausing: 'status.pausing'
}

export function StatusBadge({ status, title }: { status: DisplayStatus; title?: string | undefined }) {
  const t = useT()
  return (
    <span className={`status status-${status}`} title={title} data-status={status}>
      <span className="status-dot" aria-hidden="true" />
      {t(STATUS_KEYS[status])}
    </span>
  )
}

export function useStatusLabel(): (status: DisplayStatus) => string {
  const t = useT()
  return (status) => t(STATUS_KEYS[status])
}

/** Seed 0: 1 runs first, 10 last. A native select styled as a badge (keyboard and screen readers for free). */
export function PrioritySelect({
  job,
  onChange,
  disabledReason
}: {
  job: Pick<JobView, 'id' | 'priority'>
  onChange: (priority: number) => void
  disabledReason?: string | null
}) {
  const t = useT()
  const options = []
  for (let p = MIN_PRIORITY; p <= MAX_PRIORITY; p++) options.push(p)
  return (
    <select
      className={`priority priority-${job.priority <= 3 ? 'high' : job.priority <= 7 ? 'mid' : 'low'}`}
      value={job.priority}
      aria-label={t('queue.priority')}
      title={disabledReason ? `${t('queue.priority')} — ${disabledReason}` : t('queue.priorityHint')}
      disabled={Boolean(disabledReason)}
      onClick={(e) => e.stopPropagation()}
      onChange={(e) => onChange(Number(e.target.value))}
      data-testid="priority"
    >
      {options.map((p) => (
        <option key={p} value={p}>
          P{p}
        </option>
      ))}
    </select>
  )
}

/**
 * One segment per step; each fills with its share of the job's progress, which counts steps
 * equally (src/shared/progress.ts): the bar and the percentage beside it cannot disagree.
 */
export function StepBar({
  steps,
  progress,
  status,
  currentIndex,
  label
}: {
  steps: number
  progress: number
  status: DisplayStatus
  /** The step the job is at (-1: none); a failed or cancelled job is marked there. */
  currentIndex: number
  label: string
}) {
  const fills = segmentFills(steps, progress)
  const n = fills.length
  const reached = fills.findIndex((f) => f < 1)
  const stoppedAt = Math.min(currentIndex >= 0 ? currentIndex : reached < 0 ? n - 1 : reached, n - 1)
  const segments = fills.map((fill, i) => {
    const failedHere = (status === 'failed' || status === 'cancelled') && i === stoppedAt
    return (
      <span key={i} className={`segment${failedHere ? ' segment-failed' : ''}${i === currentIndex && status === 'processing' ? ' segment-current' : ''}`}>
        <span className="segment-fill" style={{ transform: `scaleX(${fill})` }} />
      </span>
    )
  })
  return (
    <span
      className={`stepbar stepbar-${status}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(progress)}
      aria-label={label}
    >
      {segments}
    </span>
  )
}

export function Field({ label, children, hint, htmlFor }: { label: string; children: ReactNode; hint?: string; htmlFor?: string }) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint ? <small className="hint">{hint}</small> : null}
    </div>
  )
}

/** Shown instead of a panel whose domain the engine does not offer in this session. */
export function Unavailable({ message }: { message: string }) {
  const t = useT()
  return (
    <div className="empty unavailable" role="status">
      <Icon name="alert" size={20} />
      <div>
        <strong>{t('common.unavailable')}</strong>
        <p>{message}</p>
      </div>
    </div>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>
}
