import { Fragment, useCallback, useEffect, useMemo, useState } from 'react'
import type { StoryboardView } from '../../../../shared/storyboard'
import { useApi, useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { latestFullRender } from '../../store/storyboards'
import { SHEET_EXTENSIONS } from '../batch/BatchDashboard'
import { importMedia, isMediaFile } from './media-import'
import { SceneCard } from './SceneCard'
import { editStoryboard, loadRenderReuse } from './storyboard-actions'
import { ASSET_MIME, cardElement, moveTarget, SCENE_MIME } from './storyboard-logic'

const NONE: string[] = []

/**
 * The storyboard as a strip of scene cards. A card is moved by dragging it onto another card or
 * into a gap, or with Alt+arrows (announced); a bin item dropped on a card becomes its picture,
 * in a gap a new scene; files from the desktop dropped here are imported, then become scenes. A
 * sheet (CSV/XLSX) is left to the app, which starts the batch flow.
 */
export function StoryboardStrip({ storyboard }: { storyboard: StoryboardView }) {
  const t = useT()
  const api = useApi()
  const call = useCall()
  const [announcement, setAnnouncement] = useState('')
  const id = storyboard.id
  const count = storyboard.scenes.length
  const running = storyboard.renders.find((r) => !r.draft && (r.status === 'processing' || r.status === 'pending'))
  const renderJobId = running?.jobId ?? null
  const latestFull = latestFullRender(storyboard.renders)?.jobId ?? null
  const known = useStudio((s) => (latestFull ? s.renderReused[latestFull] : undefined))
  const reused = useMemo(() => new Set(known ?? NONE), [known])

  // What the newest finished render reused is in its steps: read once per render.
  useEffect(() => {
    if (latestFull && known === undefined) void loadRenderReuse(call, latestFull)
  }, [latestFull, known, call])

  const onMove = useCallback(
    (sceneId: string, index: number) => {
      const from = getStudio().storyboards[id]?.scenes.findIndex((s) => s.id === sceneId) ?? -1
      if (from < 0 || from === index) return
      void editStoryboard(call, id, { op: 'moveScene', sceneId, index }).then((ok) => {
        if (!ok) return
        setAnnouncement(t('storyboard.moved', { from: from + 1, to: index + 1, count }))
        // Keyboard moves keep the focus on the card that moved.
        requestAnimationFrame(() => cardElement(sceneId)?.focus())
      })
    },
    [call, id, t, count]
  )

  const onDropAsset = useCallback(
    (sceneId: string, assetId: string) => void editStoryboard(call, id, { op: 'updateScene', sceneId, patch: { visual: { kind: 'asset', assetId } } }),
    [call, id]
  )

  /** Scenes made from assets, in order, from position `index` on. */
  const addScenes = async (index: number, assetIds: string[]) => {
    for (let i = 0; i < assetIds.length; i++) {
      const ok = await editStoryboard(call, id, { op: 'addScene', index: index + i, scene: { visual: { kind: 'asset', assetId: assetIds[i]! } } })
      if (!ok) break
    }
  }

  const onGapDrop = async (e: React.DragEvent, gap: number) => {
    const moved = e.dataTransfer.getData(SCENE_MIME)
    const asset = e.dataTransfer.getData(ASSET_MIME)
    const files = [...e.dataTransfer.files]
    if (moved) {
      e.preventDefault()
      e.stopPropagation()
      const from = storyboard.scenes.findIndex((s) => s.id === moved)
      if (from >= 0) onMove(moved, moveTarget(from, gap))
    } else if (asset) {
      e.preventDefault()
      e.stopPropagation()
      await addScenes(gap, [asset])
    } else if (files.length && !files.some((f) => SHEET_EXTENSIONS.test(f.name))) {
      const media = files.filter(isMediaFile)
      if (!media.length) return
      e.preventDefault()
      e.stopPropagation()
      const before = new Set((getStudio().assets[storyboard.projectId] ?? []).map((a) => a.id))
      const { imported } = await importMedia(api, storyboard.projectId, media)
      if (!imported) return
      const fresh = (getStudio().assets[storyboard.projectId] ?? []).filter((a) => !before.has(a.id) && (a.kind === 'image' || a.kind === 'video'))
      await addScenes(gap, fresh.map((a) => a.id))
    }
  }

  return (
    <section className="storyboard-strip" aria-label={t('storyboard.strip')} data-testid="storyboard-strip">
      <p id="storyboard-keys-help" className="sr-only">
        {t('storyboard.keysHelp')}
      </p>
      <p className="sr-only" role="status" aria-live="polite" data-testid="strip-announcement">
        {announcement}
      </p>
      {count === 0 ? <p className="muted small pad">{t('storyboard.noScenes')}</p> : null}
      <ol className="scene-list" data-count={count}>
        {storyboard.scenes.map((scene, i) => (
          <Fragment key={scene.id}>
            <Gap index={i} onDrop={onGapDrop} />
            <SceneCard
              storyboardId={id}
              projectId={storyboard.projectId}
              scene={scene}
              count={count}
              renderJobId={renderJobId}
              reused={reused.has(scene.id)}
              onMove={onMove}
              onDropAsset={onDropAsset}
            />
          </Fragment>
        ))}
        <Gap index={count} onDrop={onGapDrop} last />
      </ol>
    </section>
  )
}

function Gap({ index, onDrop, last }: { index: number; onDrop: (e: React.DragEvent, gap: number) => void; last?: boolean }) {
  const t = useT()
  const [over, setOver] = useState(false)
  return (
    <li
      className={`scene-gap${over ? ' over' : ''}${last ? ' last' : ''}`}
      aria-hidden="true"
      data-testid="scene-gap"
      data-gap={index}
      onDragOver={(e) => {
        e.preventDefault()
        e.stopPropagation()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false)
        void onDrop(e, index)
      }}
    >
      {last ? <span className="gap-hint small muted">{t('storyboard.dropHere')}</span> : null}
    </li>
  )
}
