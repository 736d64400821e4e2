import type { ProviderChoiceView } from '../../../../shared/types'
import { useT } from '../../i18n/use-t'
import { Field } from '../common/controls'
import { useAutosave } from './autosave'
import { EndpointFields } from './EndpointFields'
import { FieldError } from './FieldError'

interface MusicDraft {
  kind: 'offline' | 'suno'
  baseURL: string
}

/** Music: the built-in synthesizer, or a Suno-style server (the community suno-api). Saved as it is changed. */
export function MusicProviderForm({ current }: { current: ProviderChoiceView }) {
  const t = useT()
  const saved: MusicDraft = { kind: current.kind === 'suno' ? 'suno' : 'offline', baseURL: current.baseURL ?? 'http://127.0.0.1:3000' }
  const music = useAutosave<MusicDraft>('providers.music', saved, (d) => ({ providers: { music: d.kind === 'suno' ? { kind: 'suno', baseURL: d.baseURL } : { kind: 'offline' } } }), {
    path: ['providers', 'music']
  })
  const d = music.value
  return (
    <form className="provider-form" data-testid="provider-form-music" onSubmit={(e) => e.preventDefault()}>
      <h4>{t('music.title')}</h4>
      <Field label={t('settings.providerKind')} htmlFor="music-kind">
        <select id="music-kind" value={d.kind} onChange={(e) => music.set({ ...d, kind: e.target.value as MusicDraft['kind'] }, false)} data-testid="music-kind">
          <option value="offline">{t('settings.offline')}</option>
          <option value="suno">{t('music.suno')}</option>
        </select>
      </Field>
      {d.kind === 'suno' ? (
        <>
          <EndpointFields id="music" baseURL={d.baseURL} onBaseURL={(baseURL) => music.set({ ...d, baseURL })} placeholder="http://127.0.0.1:3000" />
          <p className="muted small">{t('music.sunoHint')}</p>
        </>
      ) : null}
      <FieldError error={music.error} testId="music-error" />
    </form>
  )
}
