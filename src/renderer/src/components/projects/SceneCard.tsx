import { memo, useEffect, useRef, useState } from 'react'
import type { SceneView } from '../../../../shared/storyboard'
import { useApi, useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import { editStoryboard, undoStoryboard } from './storyboard-actions'
import { ASSET_MIME, narrationEstimate, SCENE_MIME, sceneSeconds, undoChord } from './storyboard-logic'

/** Narration typed is sent this long after the last keystroke (and at once on blur). */
export const NARRATION_DEBOUNCE_MS = 1_000

export interface SceneCardProps {
  storyboardId: string
  projectId: string
  scene: SceneView
  count: number
  /** The render job running now, whose per-scene progress the card shows. */
  renderJobId: string | null
  /** The latest full render reused this scene unchanged. */
  reused: boolean
  onMove(sceneId: string, index: number): void
  onDropAsset(sceneId: string, assetId: string): void
}

/**
 * One scene of the strip: its picture, its narration as editable text (typed locally, sent
 * debounced and on blur, so typing never waits for the engine), and what it will do on screen.
 * Memoized on its scene object, which the store keeps when the scene did not change.
 */
export const SceneCard = memo(function SceneCard({ storyboardId, projectId, scene, count, renderJobId, reused, onMove, onDropAsset }: SceneCardProps) {
  const t = useT()
  const call = useCall()
  const active = useStudio((s) => s.activeSceneId === scene.id)
  const voice = useStudio((s) => (renderJobId ? s.renderSteps[renderJobId]?.[`voice:${scene.id}`] : undefined))
  const visual = useStudio((s) => (renderJobId ? s.renderSteps[renderJobId]?.[`visual:${scene.id}`] : undefined))
  const segment = useStudio((s) => (renderJobId ? s.renderSteps[renderJobId]?.[`segment:${scene.id}`] : undefined))
  const [draft, setDraft] = useState(scene.narration)
  const latest = useRef(scene.narration)
  const dirty = useRef(false)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const [dropping, setDropping] = useState(false)
  const number = scene.index + 1

  // The engine's text replaces the draft unless the user is still typing over it.
  useEffect(() => {
    if (!dirty.current) {
      latest.current = scene.narration
      setDraft(scene.narration)
    }
  }, [scene.narration])

  const commit = () => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
    if (!dirty.current) return
    dirty.current = false
    if (latest.current !== scene.narration) void editStoryboard(call, storyboardId, { op: 'updateScene', sceneId: scene.id, patch: { narration: latest.current } })
  }
  useEffect(() => () => commit(), []) // eslint-disable-line react-hooks/exhaustive-deps -- send what was typed when the card goes away

  const { words, seconds } = narrationEstimate(draft)
  const progress = [voice, visual, segment].filter((p): p is number => p !== undefined)
  const rendering = progress.length > 0
  const pct = rendering ? Math.round(progress.reduce((a, b) => a + b, 0) / 3) : 0

  const onKeyDown = (e: React.KeyboardEvent<HTMLLIElement>) => {
    if (e.target !== e.currentTarget) return
    if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowUp') && scene.index > 0) {
      e.preventDefault()
      onMove(scene.id, scene.index - 1)
    } else if (e.altKey && (e.key === 'ArrowRight' || e.key === 'ArrowDown') && scene.index < count - 1) {
      e.preventDefault()
      onMove(scene.id, scene.index + 1)
    } else if (e.altKey && e.key === 'Home' && scene.index > 0) {
      e.preventDefault()
      onMove(scene.id, 0)
    } else if (e.altKey && e.key === 'End' && scene.index < count - 1) {
      e.preventDefault()
      onMove(scene.id, count - 1)
    }
  }

  return (
    <li
      className={`scene-card${active ? ' active' : ''}${dropping ? ' drop-target' : ''}${scene.changed ? ' changed' : ''}`}
      tabIndex={0}
      aria-roledescription={t('storyboard.card.role')}
      aria-label={t('storyboard.card.label', { n: number, count })}
      aria-describedby="storyboard-keys-help"
      aria-current={active ? 'true' : undefined}
      data-testid="scene-card"
      data-scene-id={scene.id}
      data-index={scene.index}
      onKeyDown={onKeyDown}
      onFocus={() => getStudio().setActiveScene(scene.id)}
      onDragOver={(e) => {
        const types = e.dataTransfer.types
        if (!types.includes(SCENE_MIME) && !types.includes(ASSET_MIME)) return
        e.preventDefault()
        e.stopPropagation()
        e.dataTransfer.dropEffect = types.includes(SCENE_MIME) ? 'move' : 'copy'
        setDropping(true)
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node)) setDropping(false)
      }}
      onDrop={(e) => {
        setDropping(false)
        const moved = e.dataTransfer.getData(SCENE_MIME)
        const asset = e.dataTransfer.getData(ASSET_MIME)
        if (!moved && !asset) return
        e.preventDefault()
        e.stopPropagation()
        if (moved && moved !== scene.id) onMove(moved, scene.index)
        else if (asset) onDropAsset(scene.id, asset)
      }}
    >
      <div
        className="scene-top"
        draggable
        onDragStart={(e) => {
          e.dataTransfer.setData(SCENE_MIME, scene.id)
          e.dataTransfer.effectAllowed = 'move'
        }}
        title={t('storyboard.card.dragHint')}
        data-testid="scene-handle"
      >
        <span className="scene-number" aria-hidden="true">
          {number}
        </span>
        <SceneThumb scene={scene} projectId={projectId} />
        <span className="scene-badges">
          {scene.changed ? (
            <span className="badge changed" data-testid="scene-changed" title={t('storyboard.card.changedHint')}>
              {t('storyboard.card.changed')}
            </span>
          ) : null}
          {reused && !scene.changed ? (
            <span className="badge reused" data-testid="scene-reused" title={t('storyboard.card.reusedHint')}>
              {t('storyboard.card.reused')}
            </span>
          ) : null}
        </span>
      </div>
      <label className="sr-only" htmlFor={`narration-${scene.id}`}>
        {t('storyboard.card.narration', { n: number })}
      </label>
      <textarea
        id={`narration-${scene.id}`}
        className="scene-narration"
        value={draft}
        placeholder={t('storyboard.card.placeholder')}
        maxLength={2_000}
        rows={4}
        data-testid="scene-narration"
        onChange={(e) => {
          dirty.current = true
          latest.current = e.target.value
          setDraft(e.target.value)
          if (timer.current) clearTimeout(timer.current)
          timer.current = setTimeout(commit, NARRATION_DEBOUNCE_MS)
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          // Nothing left to undo in the text itself: Ctrl+Z undoes the storyboard's last edit.
          const chord = undoChord(e.nativeEvent)
          if (chord && !dirty.current && latest.current === scene.narration) {
            e.preventDefault()
            void undoStoryboard(call, storyboardId, chord === 'redo')
          }
        }}
      />
      <div className="scene-meta small">
        <span data-testid="scene-words">
          {t.plural('storyboard.card.words', words)} · ~{t.number(Math.round(seconds * 10) / 10)} s
        </span>
        <span className="spacer" />
        <span title={t('storyboard.card.duration')} data-testid="scene-duration">
          {scene.duration.mode === 'fixed' ? '' : '≈'}
          {t.number(Math.round(sceneSeconds(scene) * 10) / 10)} s
        </span>
        <span className="scene-fx" title={`${t('storyboard.motion')}: ${t(`storyboard.motion.${scene.motion}`)} · ${t('storyboard.transition')}: ${t(`storyboard.transition.${scene.transition}`)}`}>
          <span aria-hidden="true">{MOTION_GLYPH[scene.motion]}</span>
          <span aria-hidden="true">{TRANSITION_GLYPH[scene.transition]}</span>
        </span>
      </div>
      {rendering ? (
        <div className="scene-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={t('storyboard.card.rendering', { n: number })} data-testid="scene-progress">
          <span style={{ width: `${pct}%` }} />
        </div>
      ) : null}
    </li>
  )
})

const MOTION_GLYPH: Record<SceneView['motion'], string> = { default: '◌', none: '▢', 'zoom-in': '⊕', 'zoom-out': '⊖', 'pan-left': '⇠', 'pan-right': '⇢' }
const TRANSITION_GLYPH: Record<SceneView['transition'], string> = { default: '', cut: '┃', crossfade: '⋈' }

/** The scene's picture: its thumbnail, else the asset itself, else what it will show (a title, a prompt). */
function SceneThumb({ scene, projectId }: { scene: SceneView; projectId: string }) {
  const api = useApi()
  const assetId = scene.visual.kind === 'asset' ? scene.visual.assetId : null
  const asset = useStudio((s) => (assetId ? s.assets[projectId]?.find((a) => a.id === assetId) : undefined))
  if (scene.thumbnail) return <img className="scene-thumb" src={api.fileUrl(scene.thumbnail)} alt="" loading="lazy" draggable={false} />
  if (asset?.kind === 'image') return <img className="scene-thumb" src={api.fileUrl(asset.path)} alt="" loading="lazy" draggable={false} />
  if (asset?.kind === 'video') return <video className="scene-thumb" src={api.fileUrl(asset.path)} preload="metadata" muted />
  const text = scene.visual.kind === 'title' ? scene.visual.text : scene.visual.kind === 'generated' ? scene.visual.prompt : asset?.name ?? ''
  return (
    <span className={`scene-thumb placeholder ${scene.visual.kind}`}>
      <span>{text}</span>
    </span>
  )
}
