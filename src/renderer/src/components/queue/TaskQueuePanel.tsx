import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { JobView } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { isFinished, isQueued } from '../../store/order'
import type { QueueFilter, StudioState } from '../../store/types'
import { Button, IconButton } from '../common/controls'
import { approx, formatDuration } from '../common/format'
import { isTyping, useNow } from '../common/hooks'
import { Icon } from '../common/Icon'
import { useJobActions, type JobActions } from './actions'
import { BulkBar } from './BulkBar'
import { bulkActions } from './bulk-actions'
import type { PickModifiers } from '../../store/pick'
import { QueueRow } from './QueueRow'
import { dropIndex } from './reorder'

const ROW_HEIGHT = 40
const COMPACT_ROW_HEIGHT = 58
const DRAG_TYPE = 'application/x-studio-job'

/**
 * Derived lists are computed from `order` and `jobs` (stable references between changes) with
 * useMemo, not by a selector + shallow compare: with ten thousand ids, comparing the arrays on
 * every render (scrolling re-renders the panel) cost more than the whole frame.
 */
export function visibleIds(order: readonly string[], jobs: StudioState['jobs'], filter: QueueFilter, projectId: string | undefined): string[] {
  return order.filter((id) => {
    const j = jobs[id]!
    if (projectId && j.projectId !== projectId) return false
    if (filter === 'queued') return !isFinished(j)
    if (filter === 'finished') return isFinished(j)
    return true
  })
}

/**
 * The list in the order it had (`frozen`), jobs that arrived since at the end. A job gone meanwhile
 * keeps its slot (its row renders nothing), so the rows below it stay where they were.
 */
export function keepOrder(frozen: readonly string[], live: readonly string[]): string[] {
  const kept = new Set(frozen)
  return [...frozen, ...live.filter((id) => !kept.has(id))]
}

/** Pending and paused jobs in run order: what "up", "down" and drag positions refer to (the engine's queue). */
export function queuedIdsOf(order: readonly string[], jobs: StudioState['jobs']): string[] {
  return order.filter((id) => isQueued(jobs[id]!))
}

/**
 * Seed 0's task queue panel: every job with its status colour, priority, one progress segment
 * per step, current step and ETA; reorder by buttons, keyboard or drag; pause, cancel, retry,
 * remove. Virtualized, so ten thousand jobs scroll like ten.
 */
export function TaskQueuePanel({ projectId, compact = false, onClose }: { projectId?: string; compact?: boolean; onClose?: () => void }) {
  const t = useT()
  const call = useCall()
  const actions = useJobActions()
  const filter = useStudio((s) => s.queueFilter)
  const setFilter = useStudio((s) => s.setQueueFilter)
  const selectedId = useStudio((s) => s.selectedJobId)
  const loaded = useStudio((s) => s.jobsLoaded)
  const order = useStudio((s) => s.order)
  const jobs = useStudio((s) => s.jobs)
  const liveIds = useMemo(() => visibleIds(order, jobs, filter, projectId), [order, jobs, filter, projectId])
  // Right after an action from a row, the list keeps its order (and the slot of a removed job)
  // until the pointer leaves it: the next job's buttons do not slide under the cursor.
  const [frozen, setFrozen] = useState<readonly string[] | null>(null)
  const ids = useMemo(() => (frozen ? keepOrder(frozen, liveIds) : liveIds), [frozen, liveIds])
  const idsRef = useRef(ids)
  idsRef.current = ids
  const picked = useStudio((s) => s.picked)
  const queuedIds = useMemo(() => queuedIdsOf(order, jobs), [order, jobs])
  const queuedIndex = useMemo(() => new Map(queuedIds.map((id, i) => [id, i])), [queuedIds])
  const rowHeight = compact ? COMPACT_ROW_HEIGHT : ROW_HEIGHT

  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    getItemKey: (i) => ids[i]!
  })

  // The bench and the e2e read this mark: the list is on screen and answers input.
  const marked = useRef(false)
  useEffect(() => {
    if (!marked.current && loaded) {
      marked.current = true
      requestAnimationFrame(() => performance.mark('studio:queue-interactive'))
    }
  }, [loaded])

  const select = useCallback((id: string, mods: PickModifiers) => getStudio().pick(idsRef.current, id, mods), [])
  const rowActions = useMemo<JobActions>(() => {
    const freeze = <A extends unknown[]>(act: (...a: A) => Promise<boolean>) => (...a: A) => {
      setFrozen((f) => f ?? idsRef.current)
      return act(...a)
    }
    return { ...actions, cancel: freeze(actions.cancel), remove: freeze(actions.remove), retry: freeze(actions.retry), setPriority: freeze(actions.setPriority), togglePause: freeze(actions.togglePause) }
  }, [actions])
  // A new filter is a new list: nothing to keep in place.
  useEffect(() => setFrozen(null), [filter, projectId])
  const open = useCallback((id: string) => {
    const s = getStudio()
    s.selectJob(id)
    s.setView('jobs')
  }, [])

  // ------------------------------------------------------------------ drag and drop
  const [drop, setDrop] = useState<{ overId: string; after: boolean } | null>(null)
  const dragging = useRef<JobView | null>(null)
  const drag = useMemo(
    () => ({
      onDragStart(job: JobView, e: React.DragEvent) {
        dragging.current = job
        e.dataTransfer.effectAllowed = 'move'
        e.dataTransfer.setData(DRAG_TYPE, job.id)
        e.dataTransfer.setData('text/plain', job.title)
      },
      onDragEnd() {
        dragging.current = null
        setDrop(null)
      }
    }),
    []
  )

  const onDragOver = (e: React.DragEvent) => {
    const job = dragging.current
    if (!job || !e.dataTransfer.types.includes(DRAG_TYPE)) return
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-job-id]')
    const scroller = scrollRef.current
    if (scroller) {
      // Scroll while dragging near the edges, so a job can travel past the rendered rows.
      const box = scroller.getBoundingClientRect()
      if (e.clientY < box.top + 32) scroller.scrollTop -= 16
      else if (e.clientY > box.bottom - 32) scroller.scrollTop += 16
    }
    if (!row) return
    const at = dropTargetAt(e)
    if (!at) return setDrop(null)
    e.preventDefault()
    e.dataTransfer.dropEffect = 'move'
    if (drop?.overId !== at.overId || drop.after !== at.after) setDrop(at)
  }

  /** The queued row under the pointer, and whether the pointer is on its lower half. */
  const dropTargetAt = (e: React.DragEvent): { overId: string; after: boolean } | null => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-job-id]')
    const overId = row?.dataset.jobId
    if (!row || !overId || !queuedIndex.has(overId)) return null
    const box = row.getBoundingClientRect()
    return { overId, after: e.clientY > box.top + box.height / 2 }
  }

  const onDrop = (e: React.DragEvent) => {
    const job = dragging.current
    // Where the drop happens, read from the drop itself: the highlighted target is React state from
    // the last render, which a busy machine may not have made since the last dragover.
    const target = dropTargetAt(e) ?? drop
    dragging.current = null
    setDrop(null)
    if (!job || !target) return
    e.preventDefault()
    e.stopPropagation()
    const from = queuedIndex.get(job.id)
    const over = queuedIndex.get(target.overId)
    if (from === undefined || over === undefined) return
    void actions.moveTo(job, queuedIds, dropIndex(from, over, target.after))
  }

  // ------------------------------------------------------------------ keyboard
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return
      if ((e.ctrlKey || e.metaKey) && (e.key === 'a' || e.key === 'A')) {
        if (getStudio().shortcutsOpen || getStudio().newJobOpen || document.querySelector('[aria-modal="true"]')) return
        e.preventDefault()
        getStudio().pickAll(ids)
        return
      }
      if (e.key === 'Escape' && Object.keys(getStudio().picked).length && !document.querySelector('[aria-modal="true"]')) {
        getStudio().clearPicked()
        return
      }
      if (e.ctrlKey || e.metaKey) return
      // Keys act on the list as it is now.
      setFrozen(null)
      const tag = (e.target as HTMLElement | null)?.tagName
      if ((e.key === ' ' || e.key === 'Enter') && (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY')) return
      const s = getStudio()
      if (s.shortcutsOpen || s.newJobOpen || document.querySelector('[aria-modal="true"]')) return
      const index = s.selectedJobId ? ids.indexOf(s.selectedJobId) : -1
      const job = s.selectedJobId ? s.jobs[s.selectedJobId] : undefined
      const selectAt = (i: number) => {
        const id = ids[Math.max(0, Math.min(ids.length - 1, i))]
        if (!id) return
        s.selectJob(id)
        virtualizer.scrollToIndex(ids.indexOf(id), { align: 'auto' })
        scrollRef.current?.querySelector<HTMLElement>(`[data-job-id="${id}"]`)?.focus({ preventScroll: true })
      }
      let handled = true
      switch (e.key) {
        case 'ArrowUp':
          if (e.altKey && job) void actions.move(job, 'up')
          else selectAt(index < 0 ? 0 : index - 1)
          break
        case 'ArrowDown':
          if (e.altKey && job) void actions.move(job, 'down')
          else selectAt(index < 0 ? 0 : index + 1)
          break
        case 'Home':
          if (job) void actions.move(job, 'top')
          break
        case 'End':
          if (job) void actions.move(job, 'bottom')
          break
        case 'Delete':
        case 'Backspace':
          if (job) {
            // The selection moves on only once the job is really gone: the user may say no.
            const next = index + 1 < ids.length ? index + 1 : index - 1
            void actions.remove(job).then((removed) => {
              if (removed && next >= 0) selectAt(next)
            })
          }
          break
        case 'r':
        case 'R':
          if (job) void actions.retry(job)
          break
        case 'c':
        case 'C':
          if (job) void actions.cancel(job)
          break
        case ' ':
          if (job) void actions.togglePause(job)
          break
        case '+':
        case '[':
          if (job && job.priority > 1) void actions.setPriority(job, job.priority - 1)
          break
        case '-':
        case ']':
          if (job && job.priority < 10) void actions.setPriority(job, job.priority + 1)
          break
        case 'Enter':
          if (job) open(job.id)
          break
        case 'n':
        case 'N':
          s.setNewJobOpen(true)
          break
        default:
          handled = false
      }
      if (handled) e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [ids, actions, virtualizer, open])

  const items = virtualizer.getVirtualItems()
  return (
    <section className={`panel queue-panel${compact ? ' queue-compact' : ''}`} aria-labelledby="queue-heading" data-testid="queue-panel">
      <QueueHeader compact={compact} filter={filter} setFilter={setFilter} onClose={onClose} call={call} count={ids.length} />
      <BulkBar order={ids} />
      {!compact ? (
        <div className="queue-columns" aria-hidden="true">
          <span />
          <span>#</span>
          <span>{t('queue.col.status')}</span>
          <span>{t('queue.col.job')}</span>
          <span>{t('queue.col.priority')}</span>
          <span>{t('queue.col.progress')}</span>
          <span className="eta-col">{t('queue.col.eta')}</span>
          <span className="right">{t('queue.col.actions')}</span>
        </div>
      ) : null}
      <div
        className="queue-scroll"
        ref={scrollRef}
        onDragOver={onDragOver}
        onDrop={onDrop}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node)) setDrop(null)
        }}
        onPointerLeave={() => setFrozen(null)}
        onMouseLeave={() => setFrozen(null)}
        data-frozen={frozen ? 'true' : undefined}
        data-testid="queue-list"
        data-count={ids.length}
      >
        {loaded && ids.length === 0 ? (
          <div className="empty">
            <p>{filter === 'finished' ? t('queue.emptyFinished') : t('queue.empty')}</p>
            <Button icon="plus" kind="primary" onClick={() => getStudio().setNewJobOpen(true)}>
              {t('queue.newJob')}
            </Button>
          </div>
        ) : null}
        <ul className="queue-list" style={{ height: virtualizer.getTotalSize() }} aria-label={t('queue.listLabel')}>
          {items.map((item) => {
            const id = ids[item.index]!
            return (
              <QueueRow
                key={id}
                id={id}
                queuedIndex={queuedIndex.get(id) ?? -1}
                queuedCount={queuedIds.length}
                selected={selectedId === id || picked[id] === true}
                compact={compact}
                dropMark={drop?.overId === id ? (drop.after ? 'after' : 'before') : null}
                actions={rowActions}
                drag={drag}
                onSelect={select}
                onOpen={open}
                top={item.start}
                height={rowHeight}
              />
            )
          })}
        </ul>
      </div>
    </section>
  )
}

function QueueHeader({
  compact,
  filter,
  setFilter,
  onClose,
  call,
  count
}: {
  compact: boolean
  filter: QueueFilter
  setFilter: (f: QueueFilter) => void
  onClose: (() => void) | undefined
  call: ReturnType<typeof useCall>
  count: number
}) {
  const t = useT()
  const paused = useStudio((s) => s.queuePaused)
  const onFarm = useStudio((s) => s.farmQueue.queueUrl !== null)
  const stats = useStudio((s) => s.stats)
  const eta = useStudio((s) => s.eta)
  const now = useNow()
  // The shared clock ticks once a second and may be a little behind the estimate: never count up.
  const remaining = eta && eta.totalMs !== null ? Math.max(0, eta.totalMs - Math.max(0, now - eta.fetchedAt)) : null
  const running = stats?.byStatus.processing ?? 0
  const queued = stats ? stats.byStatus.pending + stats.byStatus.paused : 0
  const done = stats?.byStatus.completed ?? 0
  const failed = stats?.byStatus.failed ?? 0
  // Jobs held back by a provider that is down (or a backoff): the estimate cannot say when they run.
  const waiting = stats?.waiting ?? 0
  const finished = stats ? stats.byStatus.completed + stats.byStatus.failed + stats.byStatus.cancelled : 0
  const bulk = useMemo(() => bulkActions(call, t), [call, t])
  return (
    <header className="panel-header queue-header">
      <div className="queue-title">
        <h2 id="queue-heading">{t('queue.title')}</h2>
        {/* The dock's ×: at the end of the title's line, whatever the toolbar's labels (French ones are long) do. */}
        {onClose ? <IconButton icon="close" label={t('common.close')} onClick={onClose} className="dock-close" testId="dock-close" /> : null}
        <span className="summary" aria-live="polite" data-testid="queue-summary">
          {t('queue.summary', { running, queued, done, failed })}
          {stats && stats.waiting > 0 ? ` · ${t('queue.waitingCount', { n: stats.waiting })}` : ''}
        </span>
        <span className="queue-eta" title={t('queue.etaAllTitle')} data-testid="queue-eta">
          <Icon name="bolt" size={14} />
          {paused
            ? t('queue.pausedShort')
            : running || stats?.byStatus.pending // paused jobs are not work to come
              ? waiting > 0 && !running && waiting >= (stats?.byStatus.pending ?? 0)
                ? t('queue.onlyWaiting', { n: waiting }) // nothing can run until a provider is back: no time to promise
                : remaining
                  ? waiting > 0
                    ? t('queue.allDoneInWaiting', { time: approx(formatDuration(remaining, t.locale)), n: waiting })
                    : t('queue.allDoneIn', { time: approx(formatDuration(remaining, t.locale)) })
                  : t('queue.working') // work the estimate has not caught up with yet
              : t('queue.idle')}
        </span>
      </div>
      <div className="toolbar">
        {!compact ? (
          <div className="segmented" role="radiogroup" aria-label={t('queue.filter')}>
            {(['all', 'queued', 'finished'] as const).map((f) => (
              <button key={f} type="button" role="radio" aria-checked={filter === f} className={filter === f ? 'active' : ''} onClick={() => setFilter(f)}>
                {t(`queue.filter.${f}`)}
              </button>
            ))}
          </div>
        ) : (
          <span className="muted small">{t.plural('queue.jobsCount', count)}</span>
        )}
        <Button
          icon={paused ? 'play' : 'pause'}
          kind={paused ? 'primary' : 'default'}
          onClick={() => void call(paused ? 'queue/resume' : 'queue/pause', {})}
          title={paused ? t('queue.resumeAllTitle') : t('queue.pauseAllTitle')}
          testId="queue-toggle"
        >
          {paused ? t('queue.resumeAll') : t('queue.pauseAll')}
        </Button>
        {!compact ? (
          <Button icon="cancel" onClick={() => void bulk.cancelAllPending()} disabled={!stats?.byStatus.pending} title={t('queue.cancelAllPendingTitle')} testId="cancel-all-pending">
            {t('queue.cancelAllPending')}
          </Button>
        ) : null}
        {!compact ? (
          <Button icon="trash" onClick={() => void bulk.clearFinished()} disabled={!finished} title={t('queue.clearFinishedTitle')} testId="clear-finished">
            {t('queue.clearFinished')}
          </Button>
        ) : null}
        {/* "Run now" wakes this computer's pool, which does not run a farm's queue: hidden there. */}
        {!compact && !onFarm ? (
          <Button icon="bolt" onClick={() => void call('pool/kick', {})} disabled={paused} title={paused ? t('why.kickPaused') : t('queue.kickTitle')} testId="kick">
            {t('queue.kick')}
          </Button>
        ) : null}
        <Button icon="plus" kind="primary" onClick={() => getStudio().setNewJobOpen(true)} testId="new-job">
          {t('queue.newJob')}
        </Button>
      </div>
    </header>
  )
}
