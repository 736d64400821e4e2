import { useEffect, useState } from 'react'
import { MOTIONS, TRANSITIONS, type ScenePatch, type SceneView, type StoryboardView } from '../../../../shared/storyboard'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { useStudio } from '../../store'
import { Button } from '../common/controls'
import { editStoryboard, newSeed, renderStoryboard, rewriteNarration } from './storyboard-actions'

/**
 * What one scene does besides its words: rewrite the narration, regenerate a generated picture,
 * trim a clip, override the caption, pick motion, transition and duration; preview it alone.
 * Every change is one `storyboards/edit` (one step of undo).
 */
export function SceneInspector({ storyboard }: { storyboard: StoryboardView }) {
  const t = useT()
  const activeId = useStudio((s) => s.activeSceneId)
  const scene = storyboard.scenes.find((s) => s.id === activeId)
  if (!scene) return <p className="muted small pad">{t('storyboard.inspector.none')}</p>
  return <SceneFields key={scene.id} storyboard={storyboard} scene={scene} />
}

function SceneFields({ storyboard, scene }: { storyboard: StoryboardView; scene: SceneView }) {
  const t = useT()
  const call = useCall()
  const id = storyboard.id
  const asset = useStudio((s) => (scene.visual.kind === 'asset' ? s.assets[storyboard.projectId]?.find((a) => a.id === (scene.visual as { assetId: string }).assetId) : undefined))
  const [busy, setBusy] = useState<string | null>(null)
  const edit = (patch: ScenePatch) =>
    void editStoryboard(call, id, { op: 'updateScene', sceneId: scene.id, patch })
  const run = async (name: string, task: () => Promise<unknown>) => {
    setBusy(name)
    try {
      await task()
    } finally {
      setBusy(null)
    }
  }
  const n = scene.index + 1

  return (
    <section className="scene-inspector" aria-label={t('storyboard.inspector.title', { n })} data-testid="scene-inspector">
      <h3>{t('storyboard.inspector.title', { n })}</h3>
      <div className="toolbar wrap">
        <Button icon="bolt" disabled={busy !== null} onClick={() => void run('rewrite', () => rewriteNarration(call, id, scene.id))} testId="scene-rewrite">
          {busy === 'rewrite' ? t('storyboard.inspector.rewriting') : t('storyboard.inspector.rewrite')}
        </Button>
        {scene.visual.kind === 'generated' ? (
          <Button
            icon="retry"
            onClick={() => {
              const v = scene.visual as { kind: 'generated'; prompt: string; seed: number }
              edit({ visual: { kind: 'generated', prompt: v.prompt, seed: newSeed(v.seed) } })
            }}
            testId="scene-regenerate"
          >
            {t('storyboard.inspector.regenerate')}
          </Button>
        ) : null}
        <Button icon="play" disabled={busy !== null} onClick={() => void run('preview', () => renderStoryboard(call, id, { sceneId: scene.id }))} testId="scene-preview">
          {t('storyboard.inspector.preview')}
        </Button>
        <Button icon="plus" onClick={() => void editStoryboard(call, id, { op: 'duplicateScene', sceneId: scene.id })} testId="scene-duplicate">
          {t('storyboard.inspector.duplicate')}
        </Button>
        <Button icon="trash" kind="danger" onClick={() => void editStoryboard(call, id, { op: 'removeScene', sceneId: scene.id })} testId="scene-remove">
          {t('storyboard.inspector.remove')}
        </Button>
      </div>

      {scene.visual.kind === 'generated' ? (
        <TextSetting
          label={t('storyboard.inspector.prompt')}
          value={scene.visual.prompt}
          onCommit={(prompt) => prompt.trim() && edit({ visual: { kind: 'generated', prompt, seed: (scene.visual as { seed: number }).seed } })}
          testId="scene-prompt"
        />
      ) : null}
      {scene.visual.kind === 'title' ? (
        <TextSetting label={t('storyboard.inspector.titleText')} value={scene.visual.text} onCommit={(text) => edit({ visual: { kind: 'title', text } })} testId="scene-title-text" />
      ) : null}
      {scene.visual.kind === 'asset' && asset?.kind === 'video' ? (
        <div className="inline-form">
          <NumberSetting
            label={t('storyboard.inspector.clipIn')}
            value={scene.visual.inSec ?? null}
            onCommit={(inSec) => edit({ visual: { ...(scene.visual as { kind: 'asset'; assetId: string }), ...(inSec === null ? {} : { inSec }) } })}
            testId="scene-clip-in"
          />
          <NumberSetting
            label={t('storyboard.inspector.clipOut')}
            value={scene.visual.outSec ?? null}
            onCommit={(outSec) => edit({ visual: { ...(scene.visual as { kind: 'asset'; assetId: string }), ...(outSec === null ? {} : { outSec }) } })}
            testId="scene-clip-out"
          />
        </div>
      ) : null}

      <label className="field-row">
        <input type="checkbox" checked={scene.caption !== null} onChange={(e) => edit({ caption: e.target.checked ? scene.narration : null })} data-testid="scene-caption-toggle" />
        <span>{t('storyboard.inspector.captionOverride')}</span>
      </label>
      {scene.caption !== null ? <TextSetting label={t('storyboard.inspector.caption')} value={scene.caption} onCommit={(caption) => edit({ caption })} testId="scene-caption" multiline /> : null}

      <div className="inline-form wrap">
        <label>
          <span>{t('storyboard.motion')}</span>
          <select value={scene.motion} onChange={(e) => edit({ motion: e.target.value as SceneView['motion'] })} data-testid="scene-motion">
            {(['default', ...MOTIONS] as const).map((m) => (
              <option key={m} value={m}>
                {m === 'default' ? t('storyboard.motion.default.with', { value: t(`storyboard.motion.${storyboard.settings.motion}`) }) : t(`storyboard.motion.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('storyboard.transition')}</span>
          <select value={scene.transition} onChange={(e) => edit({ transition: e.target.value as SceneView['transition'] })} data-testid="scene-transition">
            {(['default', ...TRANSITIONS] as const).map((m) => (
              <option key={m} value={m}>
                {m === 'default' ? t('storyboard.transition.default.with', { value: t(`storyboard.transition.${storyboard.settings.transition}`) }) : t(`storyboard.transition.${m}`)}
              </option>
            ))}
          </select>
        </label>
      </div>

      <fieldset className="inline-form wrap">
        <legend>{t('storyboard.card.duration')}</legend>
        <label>
          <input type="radio" name={`duration-${scene.id}`} checked={scene.duration.mode === 'auto'} onChange={() => edit({ duration: { mode: 'auto', paddingSec: 0.4 } })} />
          <span>{t('storyboard.inspector.durationAuto')}</span>
        </label>
        <label>
          <input type="radio" name={`duration-${scene.id}`} checked={scene.duration.mode === 'fixed'} onChange={() => edit({ duration: { mode: 'fixed', seconds: Math.max(0.5, Math.round(scene.estimatedSec * 10) / 10 || 3) } })} />
          <span>{t('storyboard.inspector.durationFixed')}</span>
        </label>
        {scene.duration.mode === 'auto' ? (
          <NumberSetting label={t('storyboard.inspector.padding')} value={scene.duration.paddingSec} onCommit={(paddingSec) => paddingSec !== null && edit({ duration: { mode: 'auto', paddingSec } })} testId="scene-padding" />
        ) : (
          <NumberSetting label={t('storyboard.inspector.seconds')} value={scene.duration.seconds} onCommit={(seconds) => seconds !== null && edit({ duration: { mode: 'fixed', seconds } })} testId="scene-seconds" />
        )}
      </fieldset>
    </section>
  )
}

/** A text field sent on blur or Enter (one edit, not one per keystroke). */
function TextSetting({ label, value, onCommit, testId, multiline }: { label: string; value: string; onCommit: (v: string) => void; testId: string; multiline?: boolean }) {
  const [draft, setDraft] = useState(value)
  useEffect(() => setDraft(value), [value])
  const commit = () => draft !== value && onCommit(draft)
  return (
    <label className="field-col">
      <span>{label}</span>
      {multiline ? (
        <textarea value={draft} rows={2} onChange={(e) => setDraft(e.target.value)} onBlur={commit} data-testid={testId} maxLength={2_000} />
      ) : (
        <input value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} data-testid={testId} maxLength={1_000} />
      )}
    </label>
  )
}

function NumberSetting({ label, value, onCommit, testId }: { label: string; value: number | null; onCommit: (v: number | null) => void; testId: string }) {
  const [draft, setDraft] = useState(value === null ? '' : String(value))
  useEffect(() => setDraft(value === null ? '' : String(value)), [value])
  const commit = () => {
    const v = draft.trim() === '' ? null : Number(draft.replace(',', '.'))
    if (v !== null && !Number.isFinite(v)) return setDraft(value === null ? '' : String(value))
    if (v !== value) onCommit(v)
  }
  return (
    <label>
      <span>{label}</span>
      <input className="num" inputMode="decimal" value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} data-testid={testId} />
    </label>
  )
}
