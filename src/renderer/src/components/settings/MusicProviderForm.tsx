import { useEffect, useState } from 'react'
import type { ProviderChoiceView } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { Button, Field } from '../common/controls'
import { EndpointFields } from './EndpointFields'
import { useSettingsSave } from './save'

/** Music: the built-in synthesizer, or a Suno-style server (the community suno-api). */
export function MusicProviderForm({ current }: { current: ProviderChoiceView }) {
  const t = useT()
  const save = useSettingsSave()
  const savedKind = current.kind === 'suno' ? 'suno' : 'offline'
  const [kind, setKind] = useState<'offline' | 'suno'>(savedKind)
  const [baseURL, setBaseURL] = useState(current.baseURL ?? 'http://127.0.0.1:3000')
  useEffect(() => {
    setKind(savedKind)
    if (current.baseURL) setBaseURL(current.baseURL)
  }, [savedKind, current.baseURL])
  return (
    <form
      className="provider-form"
      data-testid="provider-form-music"
      onSubmit={(e) => {
        e.preventDefault()
        void save({ providers: { music: kind === 'suno' ? { kind: 'suno', baseURL } : { kind: 'offline' } } })
      }}
    >
      <h4>{t('music.title')}</h4>
      <Field label={t('settings.providerKind')} htmlFor="music-kind">
        <select id="music-kind" value={kind} onChange={(e) => setKind(e.target.value as 'offline' | 'suno')} data-testid="music-kind">
          <option value="offline">{t('settings.offline')}</option>
          <option value="suno">{t('music.suno')}</option>
        </select>
      </Field>
      {kind === 'suno' ? (
        <>
          <EndpointFields id="music" baseURL={baseURL} onBaseURL={setBaseURL} placeholder="http://127.0.0.1:3000" />
          <p className="muted small">{t('music.sunoHint')}</p>
        </>
      ) : null}
      <Button type="submit" kind="primary" testId="music-save">
        {t('common.save')}
      </Button>
    </form>
  )
}
