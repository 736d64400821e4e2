import { useState } from 'react'
import type { StockItem, StockKind, StockSearchResult } from '../../../../shared/stock'
import { useCall } from '../../api/context'
import { errorText } from '../../api/error-text'
import { useT } from '../../i18n/use-t'
import { getStudio } from '../../store'
import { Button, Field } from '../common/controls'
import { Modal } from '../common/Modal'
import { formatDuration } from '../common/format'

/**
 * Pexels photos and videos for the project: search by words (or paste a scene's narration: its
 * keywords are searched), then add one to the media bin, credited. A scene takes it like any asset.
 * Results link to their Pexels page (opened in the browser) rather than showing a remote thumbnail.
 */
export function StockSearch({ projectId, onClose }: { projectId: string; onClose: () => void }) {
  const t = useT()
  const call = useCall()
  const [query, setQuery] = useState('')
  const [kind, setKind] = useState<StockKind>('photo')
  const [result, setResult] = useState<StockSearchResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState<number | 'search' | null>(null)
  const search = async () => {
    setBusy('search')
    setError(null)
    // Several words or a sentence: a narration, whose keywords are searched.
    const asText = query.trim().split(/\s+/).length > 4
    const r = await call('stock/search', { projectId, kind, count: 12, ...(asText ? { sceneText: query } : { query: query.trim() }) }, { quiet: true })
    setBusy(null)
    if (r.ok) setResult(r.value)
    else setError(errorText(r.error, t.locale))
  }
  const add = async (item: StockItem) => {
    setBusy(item.id)
    const r = await call('stock/import', { projectId, id: item.id, kind: item.kind }, { quiet: true })
    setBusy(null)
    if (!r.ok) return setError(errorText(r.error, t.locale))
    getStudio().upsertAsset(r.value)
    getStudio().notify('success', t('stock.added', { name: r.value.name }))
  }
  return (
    <Modal title={t('stock.title')} onClose={onClose} wide testId="stock-search">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (query.trim()) void search()
        }}
      >
        <Field label={t('stock.query')} htmlFor="stock-query" hint={t('stock.queryHint')}>
          <input id="stock-query" value={query} maxLength={2000} onChange={(e) => setQuery(e.target.value)} data-testid="stock-query" />
        </Field>
        <Field label={t('stock.kind')} htmlFor="stock-kind">
          <select id="stock-kind" value={kind} onChange={(e) => setKind(e.target.value as StockKind)} data-testid="stock-kind">
            <option value="photo">{t('stock.photos')}</option>
            <option value="video">{t('stock.videos')}</option>
          </select>
        </Field>
        <Button type="submit" kind="primary" icon="search" disabled={!query.trim() || busy !== null} testId="stock-go">
          {t('stock.search')}
        </Button>
      </form>
      {error ? (
        <p className="form-error" role="alert" data-testid="stock-error">
          {error}
        </p>
      ) : null}
      {result ? (
        <>
          <p className="muted small" data-testid="stock-searched">
            {t(result.keywordSource === 'query' ? 'stock.searched' : 'stock.searchedKeywords', { query: result.query })}
          </p>
          <ul className="asset-grid stock-results">
            {result.items.map((item) => (
              <li key={item.id} className="asset" data-testid="stock-item">
                {/* No remote thumbnail: the window's Content-Security-Policy loads pictures from the app only. */}
                <a href={item.pageUrl} target="_blank" rel="noreferrer noopener">
                  {item.alt || t(item.kind === 'video' ? 'stock.videoItem' : 'stock.photoItem', { id: item.id })}
                </a>
                <span className="muted small">
                  {item.width}×{item.height}
                  {item.durationSec !== null ? ` · ${formatDuration(item.durationSec * 1000, t.locale)}` : ''} · {t('stock.creditBy', { author: item.author || t('stock.unknownAuthor') })}
                </span>
                <Button onClick={() => void add(item)} disabled={busy !== null} testId="stock-add">
                  {busy === item.id ? t('common.loading') : t('stock.add')}
                </Button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Modal>
  )
}
