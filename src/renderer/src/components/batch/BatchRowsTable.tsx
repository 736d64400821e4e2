import { openStoryboardOf } from './BatchStoryboards'
import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useRef, useState } from 'react'
import { BATCH_ROW_STATUSES, type BatchRowStatus, type BatchRowView, type BatchView } from '../../../../shared/types'
import { useApi, useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio } from '../../store'
import { Button } from '../common/controls'
import { fileName, formatDuration, mediaKind } from '../common/format'
import { costLabel } from '../tracker/cost'
import { inDesktopApp } from '../tracker/Media'

/** Rows asked of the engine at a time: the window never holds the whole batch. */
export const ROWS_PAGE = 200
const ROW_HEIGHT = 44

type Page = { rows: BatchRowView[]; generation: number }

/**
 * Every row of a batch with its result: row number, main cell, status, thumbnail, output, time,
 * cost, error. Virtualized and paged from the engine (`batch/rows`), so 100 000 rows cost a
 * screenful; filter chips by status; click, Shift+click and Ctrl/Cmd+click select rows to retry
 * (`batch/retryRows`).
 */
export function BatchRowsTable({ batch }: { batch: BatchView }) {
  const t = useT()
  const call = useCall()
  const api = useApi()
  const [status, setStatus] = useState<BatchRowStatus | undefined>(undefined)
  const [total, setTotal] = useState<number | null>(null)
  const [counts, setCounts] = useState<Partial<Record<BatchRowStatus, number>>>({})
  const [pages, setPages] = useState<Map<number, Page>>(() => new Map())
  const [selected, setSelected] = useState<Set<number>>(() => new Set())
  const anchor = useRef<number | null>(null)
  const asking = useRef(new Set<string>())
  // The batch changed (a row finished…): pages on screen are asked again, the old ones shown meanwhile.
  const generation = batch.updatedAt
  const scrollRef = useRef<HTMLDivElement>(null)

  const loadPage = useCallback(
    async (index: number) => {
      const key = `${batch.id}:${status ?? ''}:${index}:${generation}`
      if (asking.current.has(key)) return
      asking.current.add(key)
      const r = await call('batch/rows', { id: batch.id, ...(status ? { status } : {}), offset: index * ROWS_PAGE, limit: ROWS_PAGE }, { quiet: true })
      asking.current.delete(key)
      if (!r.ok || !r.value) return
      setTotal(r.value.total)
      setCounts(r.value.counts)
      setPages((old) => new Map(old).set(index, { rows: r.value.rows, generation }))
    },
    [batch.id, status, generation, call]
  )

  // Another batch or another filter: start from an empty table.
  useEffect(() => {
    setPages(new Map())
    setTotal(null)
    setSelected(new Set())
    anchor.current = null
    scrollRef.current?.scrollTo({ top: 0 })
  }, [batch.id, status])

  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items.at(-1)?.index ?? 0

  // The pages the visible rows fall in, asked when missing or older than the batch's last change.
  useEffect(() => {
    if (total === null) {
      void loadPage(0)
      return
    }
    for (let p = Math.floor(first / ROWS_PAGE); p <= Math.floor(last / ROWS_PAGE); p++) {
      if (pages.get(p)?.generation !== generation) void loadPage(p)
    }
  }, [first, last, total, pages, generation, loadPage])

  const rowAt = (index: number): BatchRowView | undefined => pages.get(Math.floor(index / ROWS_PAGE))?.rows[index % ROWS_PAGE]

  /** The row numbers from index a to b, asking the engine for the pages not loaded yet (a long Shift range). */
  const rowNumbersBetween = async (a: number, b: number): Promise<number[]> => {
    const [lo, hi] = a < b ? [a, b] : [b, a]
    const out: number[] = []
    for (let p = Math.floor(lo / ROWS_PAGE); p <= Math.floor(hi / ROWS_PAGE); p++) {
      let rows = pages.get(p)?.rows
      if (!rows) {
        const r = await call('batch/rows', { id: batch.id, ...(status ? { status } : {}), offset: p * ROWS_PAGE, limit: ROWS_PAGE }, { quiet: true })
        rows = r.ok && r.value ? r.value.rows : []
      }
      rows.forEach((row, i) => {
        const index = p * ROWS_PAGE + i
        if (index >= lo && index <= hi) out.push(row.rowNumber)
      })
    }
    return out
  }

  const onRowClick = async (e: React.MouseEvent, index: number, row: BatchRowView) => {
    if ((e.target as HTMLElement).closest('a, button')) return
    if (e.shiftKey && anchor.current !== null) {
      e.preventDefault()
      const range = await rowNumbersBetween(anchor.current, index)
      setSelected((s) => new Set([...(e.ctrlKey || e.metaKey ? s : []), ...range]))
      return
    }
    anchor.current = index
    if (e.ctrlKey || e.metaKey) {
      setSelected((s) => {
        const next = new Set(s)
        if (next.has(row.rowNumber)) next.delete(row.rowNumber)
        else next.add(row.rowNumber)
        return next
      })
    } else setSelected(new Set([row.rowNumber]))
  }

  const retry = async () => {
    const r = await call('batch/retryRows', { id: batch.id, rows: [...selected].sort((a, b) => a - b) })
    if (!r.ok) return
    if (r.value) getStudio().upsertBatch(r.value)
    setSelected(new Set())
    setPages(new Map())
  }

  const all = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0)
  return (
    <section className="detail-section batch-rows" data-testid="batch-rows">
      <h3>{t('batch.results')}</h3>
      <div className="batch-rows-toolbar">
        <div className="chips" role="group" aria-label={t('batch.results.status')}>
          <button type="button" className={`chip${status === undefined ? ' on' : ''}`} aria-pressed={status === undefined} onClick={() => setStatus(undefined)} data-testid="rows-filter-all">
            {t('batch.results.all')} <span className="count">{t.number(all)}</span>
          </button>
          {BATCH_ROW_STATUSES.filter((s) => (counts[s] ?? 0) > 0 || s === status).map((s) => (
            <button key={s} type="button" className={`chip row-status-${s}${status === s ? ' on' : ''}`} aria-pressed={status === s} onClick={() => setStatus(status === s ? undefined : s)} data-testid={`rows-filter-${s}`}>
              {t(`batch.rowStatus.${s}`)} <span className="count">{t.number(counts[s] ?? 0)}</span>
            </button>
          ))}
        </div>
        <span className="spacer" />
        {selected.size ? (
          <>
            <span className="small" data-testid="rows-selected">
              {t.plural('batch.results.selected', selected.size)}
            </span>
            <Button icon="retry" kind="primary" onClick={() => void retry()} testId="rows-retry">
              {t('batch.results.retry')}
            </Button>
            <Button kind="ghost" onClick={() => setSelected(new Set())}>
              {t('batch.results.clear')}
            </Button>
          </>
        ) : (
          <span className="muted small">{t('batch.results.selectHint')}</span>
        )}
      </div>
      <div className="rows-grid rows-head" role="row">
        <span>#</span>
        <span>{t('batch.results.main')}</span>
        <span>{t('batch.results.status')}</span>
        <span>{t('batch.results.preview')}</span>
        <span>{t('batch.results.output')}</span>
        <span>{t('batch.results.duration')}</span>
        <span>{t('batch.results.cost')}</span>
        <span>{t('batch.results.error')}</span>
      </div>
      <div className="rows-scroll" ref={scrollRef} role="grid" aria-rowcount={total ?? 0} aria-multiselectable="true" data-testid="rows-scroll">
        {total === 0 ? <p className="muted small pad">{t('batch.results.none')}</p> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rowAt(item.index)
            return (
              <div
                key={item.key}
                className={`rows-grid rows-line${row && selected.has(row.rowNumber) ? ' selected' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                role="row"
                aria-rowindex={item.index + 1}
                aria-selected={row ? selected.has(row.rowNumber) : false}
                data-testid="batch-row"
                data-row={row?.rowNumber}
                onClick={(e) => row && void onRowClick(e, item.index, row)}
              >
                {row ? <RowCells row={row} fileUrl={api.fileUrl} projectId={batch.projectId} /> : <span className="muted small">{t('batch.results.loading')}</span>}
              </div>
            )
          })}
        </div>
      </div>
    </section>
  )
}

function RowCells({ row, fileUrl, projectId }: { row: BatchRowView; fileUrl: (path: string) => string; projectId: string }) {
  const t = useT()
  const call = useCall()
  const kind = row.outputPath ? mediaKind(row.outputPath) : null
  const url = row.outputPath ? fileUrl(row.outputPath) : null
  return (
    <>
      <span className="mono muted">{row.rowNumber}</span>
      <span className="rows-main" title={row.main}>
        {row.main}
      </span>
      <span className={`status status-${row.status}`}>
        <span className="status-dot" aria-hidden="true" />
        {t(`batch.rowStatus.${row.status}`)}
      </span>
      <span className="rows-thumb">
        {url && kind === 'image' ? <img src={url} alt="" loading="lazy" data-testid="row-thumb" /> : null}
        {url && kind === 'video' ? <video src={`${url}#t=0.5`} preload="metadata" muted data-testid="row-thumb" /> : null}
      </span>
      <span className="rows-output">
        {row.storyboardId ? (
          <button
            type="button"
            className="link small"
            onClick={() => openStoryboardOf({ projectId, storyboardId: row.storyboardId! })}
            title={t('batch.results.storyboardTitle', { id: row.storyboardId, project: projectId })}
            data-testid="row-storyboard"
          >
            {t('batch.openStoryboard')}
          </button>
        ) : null}
        {row.outputPath && url ? (
          inDesktopApp() ? (
            <button type="button" className="link" onClick={() => void call('system/reveal', { path: row.outputPath! })} title={row.outputPath} data-testid="row-output">
              {fileName(row.outputPath)}
            </button>
          ) : (
            <a href={url} target="_blank" rel="noreferrer noopener" title={row.outputPath} data-testid="row-output">
              {fileName(row.outputPath)}
            </a>
          )
        ) : null}
        {row.jobId ? (
          <button type="button" className="link small" onClick={() => openJob(row.jobId!)}>
            {t('batch.openJob')}
          </button>
        ) : null}
      </span>
      <span className="mono">{row.durationMs !== null ? formatDuration(row.durationMs, t.locale) : '—'}</span>
      <span className="mono">{row.costUsd !== null ? costLabel(row.costUsd, row.costKnown, t) : '—'}</span>
      <span className="rows-error" title={row.error ?? undefined}>
        {row.error ?? ''}
      </span>
    </>
  )
}

function openJob(id: string): void {
  const s = getStudio()
  s.selectJob(id)
  s.setView('jobs')
}
