import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useCallback, useMemo, useRef } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { JOB_STATUSES } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { displayStatus, isWaiting } from '../../store/order'
import type { StudioState, TrackerFilter } from '../../store/types'
import { StatusBadge, useStatusLabel } from '../common/controls'
import { formatTime, shortId } from '../common/format'
import { useNow } from '../common/hooks'
import { JobDetail } from './JobDetail'
import { BulkBar } from '../queue/BulkBar'
import type { PickModifiers } from '../../store/pick'
import { percentText, shownProgress } from '../../../../shared/progress'

export function trackerIds(order: readonly string[], jobs: StudioState['jobs'], f: TrackerFilter, now: number): string[] {
  const q = f.text.trim().toLowerCase()
  return order.filter((id) => {
      const j = jobs[id]!
      if (f.status === 'waiting' ? !isWaiting(j, now) : f.status !== 'all' && j.status !== f.status) return false
      if (f.type && j.type !== f.type) return false
      if (f.projectId && j.projectId !== f.projectId) return false
      if (q && !j.title.toLowerCase().includes(q) && !j.id.startsWith(q) && !JSON.stringify(j.payload).toLowerCase().includes(q)) return false
      return true
    })
}

/** Seed 1's job tracker: filter by status, type, project and text; the selected job's whole story on the right. */
export function JobTracker() {
  const t = useT()
  const statusLabel = useStatusLabel()
  const filter = useStudio((s) => s.trackerFilter)
  const setFilter = useStudio((s) => s.setTrackerFilter)
  const selectedId = useStudio((s) => s.selectedJobId)
  // Minute resolution is enough for "waiting" filtering; keeps the list from refiltering every second.
  const now = Math.floor(useNow() / 60_000) * 60_000
  const order = useStudio((s) => s.order)
  const jobs = useStudio((s) => s.jobs)
  const ids = useMemo(() => trackerIds(order, jobs, filter, now), [order, jobs, filter, now])
  const types = useStudio(useShallow((s) => [...new Set([...s.pipelines.map((p) => p.name), ...Object.keys(s.stats?.byType ?? {})])].sort()))
  const projectList = useStudio((s) => s.projects)
  const projects = useMemo(() => [...new Set(['default', ...projectList.map((p) => p.id), ...Object.values(jobs).map((j) => j.projectId)])].sort(), [projectList, jobs])
  const scrollRef = useRef<HTMLDivElement>(null)
  const picked = useStudio((s) => s.picked)
  const idsRef = useRef(ids)
  idsRef.current = ids
  const onPick = useCallback((id: string, mods: PickModifiers) => getStudio().pick(idsRef.current, id, mods), [])
  const virtualizer = useVirtualizer({ count: ids.length, getScrollElement: () => scrollRef.current, estimateSize: () => 44, overscan: 10, getItemKey: (i) => ids[i]! })

  return (
    <div className="split tracker" data-testid="tracker">
      <section className="panel tracker-list" aria-labelledby="tracker-heading">
        <header className="panel-header">
          <h2 id="tracker-heading">{t('tracker.title')}</h2>
          <span className="muted small">{t.plural('queue.jobsCount', ids.length)}</span>
        </header>
        <div className="filters" role="search">
          <input
            type="search"
            placeholder={t('tracker.search')}
            aria-label={t('tracker.search')}
            value={filter.text}
            onChange={(e) => setFilter({ text: e.target.value })}
            data-testid="tracker-search"
          />
          <select aria-label={t('tracker.status')} value={filter.status} onChange={(e) => setFilter({ status: e.target.value as TrackerFilter['status'] })} data-testid="tracker-status">
            <option value="all">{t('tracker.allStatuses')}</option>
            {[...JOB_STATUSES, 'waiting' as const].map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
          <select aria-label={t('tracker.type')} value={filter.type} onChange={(e) => setFilter({ type: e.target.value })}>
            <option value="">{t('tracker.allTypes')}</option>
            {types.map((ty) => (
              <option key={ty} value={ty}>
                {ty}
              </option>
            ))}
          </select>
          <select aria-label={t('tracker.project')} value={filter.projectId} onChange={(e) => setFilter({ projectId: e.target.value })}>
            <option value="">{t('tracker.allProjects')}</option>
            {projects.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <BulkBar order={ids} />
        <div
          className="list-scroll"
          ref={scrollRef}
          onKeyDown={(e) => {
            // Ctrl/Cmd-A picks every job the filters show; Escape lets go of them.
            if ((e.ctrlKey || e.metaKey) && (e.key === 'a' || e.key === 'A')) {
              e.preventDefault()
              getStudio().pickAll(ids)
            } else if (e.key === 'Escape') getStudio().clearPicked()
          }}
        >
          <ul style={{ height: virtualizer.getTotalSize(), position: 'relative' }} className="plain-list" aria-label={t('tracker.title')}>
            {virtualizer.getVirtualItems().map((item) => (
              <TrackerRow key={item.key} id={ids[item.index]!} selected={ids[item.index] === selectedId || picked[ids[item.index]!] === true} top={item.start} onPick={onPick} />
            ))}
          </ul>
          {ids.length === 0 ? <p className="empty">{t('tracker.none')}</p> : null}
        </div>
      </section>
      <section className="panel detail-pane" aria-label={t('detail.title')}>
        {selectedId ? <JobDetail id={selectedId} /> : <div className="empty">{t('tracker.pick')}</div>}
      </section>
    </div>
  )
}

const TrackerRow = memo(function TrackerRow({ id, selected, top, onPick }: { id: string; selected: boolean; top: number; onPick(id: string, mods: PickModifiers): void }) {
  const t = useT()
  const job = useStudio((s) => s.jobs[id])
  const progress = useStudio((s) => s.live[id]?.progress)
  const now = useNow()
  if (!job) return null
  return (
    <li className="tracker-row-wrap" style={{ transform: `translateY(${top}px)` }}>
      <button type="button" className={`tracker-row${selected ? ' selected' : ''}`} aria-current={selected ? 'true' : undefined} onClick={(e) => onPick(id, { range: e.shiftKey, toggle: e.ctrlKey || e.metaKey })}
        onMouseDown={(e) => {
          if (e.shiftKey) e.preventDefault()
        }}
        data-testid="tracker-row" data-job-id={id}>
        <StatusBadge status={displayStatus(job, now)} />
        <span className="title-cell">
          <span className="job-title">{job.title}</span>
          <span className="job-sub">
            {job.type} · {shortId(job.id)} · {job.projectId}
          </span>
        </span>
        <span className="small right">
          {percentText(shownProgress(job.progress, progress))}<br />
          <span className="muted">{formatTime(job.completedAt ?? job.startedAt ?? job.createdAt, t.locale)}</span>
        </span>
      </button>
    </li>
  )
})
