import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { LogLine } from '../../../../shared/types'
import { localizeLogLine } from '../../i18n/log-lines'
import { useT } from '../../i18n/use-t'
import { formatTime, shortId } from '../common/format'

const LEVELS: LogLine['level'][] = ['debug', 'info', 'warn', 'error']

/** A live log with level and text filters; follows the tail unless the user scrolled up. */
export function LogView({ lines, showJob = false, testId = 'log', onJob }: { lines: readonly LogLine[]; showJob?: boolean; testId?: string; onJob?: (id: string) => void }) {
  const t = useT()
  const [levels, setLevels] = useState<Record<LogLine['level'], boolean>>({ debug: false, info: true, warn: true, error: true })
  const [query, setQuery] = useState('')
  // Each line is put in the user's language once (by line id), not at every render of a live log.
  const texts = useMemo(() => new Map<number, string>(), [t.locale])
  const textOf = (l: LogLine) => {
    let text = texts.get(l.id)
    if (text === undefined) texts.set(l.id, (text = localizeLogLine(l, t.locale)))
    return text
  }
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase()
    // The search finds a line by what is shown, or by the engine's own words.
    const matches = (l: LogLine) => textOf(l).toLowerCase().includes(q) || l.message.toLowerCase().includes(q) || (l.step ?? '').toLowerCase().includes(q)
    return lines.filter((l) => levels[l.level] && (!q || matches(l)))
  }, [lines, levels, query, texts])
  const counts = useMemo(() => {
    const c = { debug: 0, info: 0, warn: 0, error: 0 }
    for (const l of lines) c[l.level]++
    return c
  }, [lines])

  const scrollRef = useRef<HTMLDivElement>(null)
  const follow = useRef(true)
  // A long line wraps rather than being cut: each line is measured once shown (most are one row).
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 20,
    overscan: 20,
    getItemKey: (index) => shown[index]!.id
  })
  useEffect(() => {
    if (follow.current && shown.length) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' })
  }, [shown.length, virtualizer])

  return (
    <div className="log-view" data-testid={testId}>
      <div className="log-toolbar">
        <div className="chips" role="group" aria-label={t('log.levels')}>
          {LEVELS.map((level) => (
            <button
              key={level}
              type="button"
              className={`chip level-${level}${levels[level] ? ' on' : ''}`}
              aria-pressed={levels[level]}
              onClick={() => setLevels((l) => ({ ...l, [level]: !l[level] }))}
            >
              {t(`log.${level}`)} <span className="count">{counts[level]}</span>
            </button>
          ))}
        </div>
        <input type="search" className="log-search" placeholder={t('log.filter')} aria-label={t('log.filter')} value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      <div
        className="log-scroll"
        ref={scrollRef}
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        onScroll={(e) => {
          const el = e.currentTarget
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40
        }}
      >
        {shown.length === 0 ? <p className="muted small pad">{t('log.empty')}</p> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const l = shown[item.index]!
            return (
              <div
                key={l.id}
                ref={virtualizer.measureElement}
                data-index={item.index}
                className={`log-line level-${l.level}`}
                style={{ transform: `translateY(${item.start}px)` }}
                data-testid="log-line"
              >
                <span className="log-ts">{formatTime(l.ts, t.locale)}</span>
                <span className={`log-level level-${l.level}`}>{l.level}</span>
                {showJob ? (
                  <button type="button" className="log-job link" onClick={() => onJob?.(l.jobId)}>
                    {shortId(l.jobId)}
                  </button>
                ) : null}
                <span className="log-step" title={l.step ?? undefined}>
                  {l.step ?? ''}
                </span>
                <span className="log-msg" title={l.message}>
                  {textOf(l)}
                </span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
