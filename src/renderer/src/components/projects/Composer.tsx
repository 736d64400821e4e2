import { useState } from 'react'
import { STORYBOARD_FORMATS, type StoryboardFormat, type StoryboardView } from '../../../../shared/storyboard'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { getStudio } from '../../store'
import { Button, Field } from '../common/controls'
import { Modal } from '../common/Modal'

/**
 * "New video": from an idea (the text provider writes the narration, split into scenes) or from
 * the assets picked in the bin (one scene per asset, narration left to type). It creates the
 * storyboard and opens it for review; rendering at once is an option.
 */
export function Composer({ projectId, assetIds, onClose }: { projectId: string; assetIds: string[]; onClose: () => void }) {
  const t = useT()
  const call = useCall()
  const fromAssets = assetIds.length > 0
  const [idea, setIdea] = useState('')
  const [language, setLanguage] = useState<'en' | 'fr'>(t.locale)
  const [voice, setVoice] = useState('')
  const [format, setFormat] = useState<StoryboardFormat>('9:16')
  const [lengthSec, setLengthSec] = useState(45)
  const [renderNow, setRenderNow] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async (e: React.FormEvent) => {
    e.preventDefault()
    setError(null)
    if (!fromAssets && idea.trim().length < 3) return setError(t('composer.ideaTooShort'))
    setBusy(true)
    const r = await call(
      'storyboards/create',
      {
        projectId,
        from: fromAssets ? { kind: 'assets', assetIds } : { kind: 'idea', idea: idea.trim(), lengthSec },
        settings: { format, language, ...(voice.trim() ? { voice: { voice: voice.trim(), speed: 1 } } : {}) },
        render: renderNow
      },
      { quiet: true }
    )
    setBusy(false)
    if (!r.ok) return setError(r.error.message)
    opened(projectId, r.value, renderNow)
    onClose()
    // One scene per asset, narration to write: the first card is ready for typing.
    if (fromAssets) focusFirstNarration()
  }

  return (
    <Modal
      title={fromAssets ? t.plural('composer.titleAssets', assetIds.length) : t('composer.title')}
      onClose={onClose}
      testId="composer"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" form="composer-form" kind="primary" icon="film" disabled={busy} testId="composer-create">
            {renderNow ? t('composer.createRender') : t('composer.create')}
          </Button>
        </>
      }
    >
      <form id="composer-form" className="form" onSubmit={submit}>
        {fromAssets ? (
          <p className="muted small">{t('composer.assetsHint')}</p>
        ) : (
          <Field label={t('composer.idea')} htmlFor="composer-idea" hint={t('composer.ideaHint')}>
            <textarea id="composer-idea" rows={4} value={idea} onChange={(e) => setIdea(e.target.value)} maxLength={2_000} data-testid="composer-idea" />
          </Field>
        )}
        <div className="inline-form wrap">
          <Field label={t('composer.language')} htmlFor="composer-language">
            <select id="composer-language" value={language} onChange={(e) => setLanguage(e.target.value as 'en' | 'fr')} data-testid="composer-language">
              <option value="en">{t('composer.lang.en')}</option>
              <option value="fr">{t('composer.lang.fr')}</option>
            </select>
          </Field>
          <Field label={t('composer.format')} htmlFor="composer-format">
            <select id="composer-format" value={format} onChange={(e) => setFormat(e.target.value as StoryboardFormat)} data-testid="composer-format">
              {STORYBOARD_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t(`composer.format.${f}`)}
                </option>
              ))}
            </select>
          </Field>
          {fromAssets ? null : (
            <Field label={t('composer.length')} htmlFor="composer-length">
              <input id="composer-length" type="number" min={10} max={600} step={5} value={lengthSec} onChange={(e) => setLengthSec(Math.min(600, Math.max(10, Number(e.target.value) || 45)))} data-testid="composer-length" />
            </Field>
          )}
          <Field label={t('composer.voice')} htmlFor="composer-voice" hint={t('composer.voiceHint')}>
            <input id="composer-voice" value={voice} onChange={(e) => setVoice(e.target.value)} maxLength={100} data-testid="composer-voice" />
          </Field>
        </div>
        <label className="field-row">
          <input type="checkbox" checked={renderNow} onChange={(e) => setRenderNow(e.target.checked)} data-testid="composer-render" />
          <span>{t('composer.renderNow')}</span>
        </label>
        {error ? (
          <p className="error-box" role="alert" data-testid="composer-error">
            {error}
          </p>
        ) : null}
      </form>
    </Modal>
  )
}

/** A storyboard just made: kept, listed, opened; a render it started is followed. */
export function opened(projectId: string, view: StoryboardView, rendering: boolean): void {
  const s = getStudio()
  if (!s.storyboardLists[projectId]) s.setStoryboardList(projectId, [])
  s.setStoryboard(view)
  s.openStoryboard(projectId, view.id)
  const job = view.renders[0]
  if (rendering && job) s.noteRender(job.jobId, view.id)
}

export function focusFirstNarration(): void {
  const focus = (tries: number) => {
    const el = document.querySelector<HTMLTextAreaElement>('[data-testid="scene-narration"]')
    if (el) el.focus()
    else if (tries > 0) requestAnimationFrame(() => focus(tries - 1))
  }
  requestAnimationFrame(() => focus(30))
}
