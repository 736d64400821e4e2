import { memo, useState } from 'react'
import type { AssetView } from '../../../../shared/types'
import { useApi, useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio } from '../../store'
import { IconButton } from '../common/controls'
import { formatBytes, formatDuration } from '../common/format'
import { Icon } from '../common/Icon'
import { Modal } from '../common/Modal'
import { ASSET_MIME } from './storyboard-logic'
import { StockSearch } from './StockSearch'
import { AssetCreditLine } from './AssetCreditLine'

/**
 * The project's media: thumbnails, durations and sizes. An item is dragged onto the strip (a
 * card's picture, or a new scene between cards); pictures and clips can be picked for a new
 * video; hovering a clip plays it muted, Space opens a larger preview.
 */
export function MediaBin({ assets, picked, onPick, projectId }: { assets: AssetView[]; picked: ReadonlySet<string>; onPick: (id: string, on: boolean) => void; /** Offers stock photos and videos for this project. */ projectId?: string }) {
  const t = useT()
  const [preview, setPreview] = useState<AssetView | null>(null)
  const [stock, setStock] = useState(false)
  return (
    <section className="media-bin" aria-labelledby="media-bin-heading" data-testid="media-bin">
      <h3 id="media-bin-heading">
        {t('projects.assets')} <span className="muted small">({t.number(assets.length)})</span>
        {projectId ? <IconButton icon="search" label={t('stock.open')} onClick={() => setStock(true)} testId="stock-open" /> : null}
      </h3>
      {stock && projectId ? <StockSearch projectId={projectId} onClose={() => setStock(false)} /> : null}
      {assets.some((a) => a.kind === 'audio') ? (
        <p className="muted small" data-testid="audio-not-visual">
          {t('projects.audioNotVisual')}
        </p>
      ) : null}
      {assets.length === 0 ? (
        <div className="drop-hint big">
          <Icon name="upload" size={22} />
          <span>{t('projects.dropHint')}</span>
        </div>
      ) : (
        <ul className="asset-grid bin">
          {assets.map((a) => (
            <BinItem key={a.id} asset={a} picked={picked.has(a.id)} onPick={onPick} onPreview={setPreview} />
          ))}
        </ul>
      )}
      {preview ? (
        <Modal title={preview.name} onClose={() => setPreview(null)} wide testId="bin-preview">
          <BinPreview asset={preview} />
        </Modal>
      ) : null}
    </section>
  )
}

const BinItem = memo(function BinItem({
  asset,
  picked,
  onPick,
  onPreview
}: {
  asset: AssetView
  picked: boolean
  onPick: (id: string, on: boolean) => void
  onPreview: (a: AssetView) => void
}) {
  const t = useT()
  const api = useApi()
  const call = useCall()
  const [seconds, setSeconds] = useState<number | null>(null)
  const url = api.fileUrl(asset.path)
  const visual = asset.kind === 'image' || asset.kind === 'video'
  return (
    <li
      className={`asset bin-item${picked ? ' picked' : ''}`}
      data-testid="asset"
      data-asset-id={asset.id}
      draggable={visual}
      tabIndex={0}
      aria-label={asset.name}
      onDragStart={(e) => {
        e.dataTransfer.setData(ASSET_MIME, asset.id)
        e.dataTransfer.effectAllowed = 'copy'
      }}
      onKeyDown={(e) => {
        if (e.key === ' ' && e.target === e.currentTarget) {
          e.preventDefault()
          onPreview(asset)
        }
      }}
    >
      {visual ? (
        <label className="asset-pick">
          <input type="checkbox" checked={picked} onChange={(e) => onPick(asset.id, e.target.checked)} />
          <span className="sr-only">{t('projects.pick', { name: asset.name })}</span>
        </label>
      ) : null}
      <div className="bin-thumb">
        {asset.kind === 'image' ? <img src={url} alt={asset.name} loading="lazy" draggable={false} /> : null}
        {asset.kind === 'video' ? (
          <video
            src={url}
            muted
            preload="metadata"
            playsInline
            loop
            onLoadedMetadata={(e) => setSeconds(e.currentTarget.duration)}
            onMouseEnter={(e) => void e.currentTarget.play().catch(() => undefined)}
            onMouseLeave={(e) => e.currentTarget.pause()}
          />
        ) : null}
        {asset.kind === 'audio' ? (
          <span className="bin-audio">
            <Icon name="bolt" size={20} />
            <audio src={url} preload="metadata" onLoadedMetadata={(e) => setSeconds(e.currentTarget.duration)} />
          </span>
        ) : null}
        {asset.kind === 'other' ? <Icon name="more" size={20} /> : null}
      </div>
      <div className="asset-meta">
        <span className="asset-name" title={asset.name}>
          {asset.name}
        </span>
        <span className="muted small" data-testid="asset-facts">
          {t(`bin.kind.${asset.kind}`)}
          {seconds !== null && Number.isFinite(seconds) ? ` · ${formatDuration(seconds * 1000, t.locale)}` : ''} · {formatBytes(asset.bytes, t.locale)}
        </span>
        <span className="bin-actions">
          <IconButton icon="search" label={t('bin.preview')} onClick={() => onPreview(asset)} />
          <IconButton
            icon="trash"
            label={t('queue.remove')}
            className="danger"
            onClick={() => void call('assets/remove', { id: asset.id }).then((r) => r.ok && getStudio().removeAsset(asset.id))}
          />
        </span>
      </div>
      <AssetCreditLine asset={asset} />
    </li>
  )
})

function BinPreview({ asset }: { asset: AssetView }) {
  const api = useApi()
  const url = api.fileUrl(asset.path)
  if (asset.kind === 'image') return <img className="bin-large" src={url} alt={asset.name} />
  if (asset.kind === 'video') return <video className="bin-large" src={url} controls autoPlay />
  if (asset.kind === 'audio') return <audio src={url} controls autoPlay />
  return null
}
