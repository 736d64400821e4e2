import { useEffect, useState } from 'react'
import type { ProviderChoiceView } from '../../../../shared/types'
import type { VoiceView } from '../../../../shared/voices'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { Field } from '../common/controls'
import { useAutosave, type SettingsPatchInput } from './autosave'
import { EndpointFields } from './EndpointFields'
import { FieldError } from './FieldError'
import { KeyField } from './KeyField'
import { TestConnection } from './TestConnection'

const ENGINES = ['auto', 'rhvoice', 'festival', 'espeak-ng', 'espeak', 'say', 'sapi', 'mespeak'] as const
type Kind = 'offline' | 'openai' | 'elevenlabs'
const ELEVENLABS_MODELS = ['eleven_multilingual_v2', 'eleven_flash_v2_5', 'eleven_turbo_v2_5', 'eleven_v3']

interface SpeechDraft {
  kind: Kind
  engine: string
  voice: string
  baseURL: string
  model: string
  free: boolean
}

function toPatch(d: SpeechDraft, wasFree: boolean): SettingsPatchInput {
  if (d.kind === 'offline') return { providers: { speech: { kind: 'offline', engine: d.engine as (typeof ENGINES)[number], voice: d.voice || null } } }
  if (d.kind === 'openai') return { providers: { speech: { kind: 'openai', baseURL: d.baseURL, model: d.model, ...(d.free || wasFree ? { free: d.free } : {}) } } }
  return { providers: { speech: { kind: 'elevenlabs', ...(d.baseURL ? { baseURL: d.baseURL } : {}), ...(d.model ? { model: d.model } : {}), voice: d.voice || null } } }
}

/**
 * Narration: this machine's voices (offline), an OpenAI-compatible server, or ElevenLabs. Saved as
 * it is changed (the page's autosave); the voice list is the saved provider's (providers/voices).
 */
export function SpeechProviderForm({ current }: { current: ProviderChoiceView }) {
  const t = useT()
  const call = useCall()
  const savedKind: Kind = (['offline', 'openai', 'elevenlabs'] as const).find((k) => k === current.kind) ?? 'offline'
  const saved: SpeechDraft = {
    kind: savedKind,
    engine: current.engine ?? 'auto',
    voice: current.voice ?? '',
    baseURL: current.baseURL ?? '',
    model: current.model ?? '',
    free: current.free === true
  }
  // One setting (kind, engine or server, model, voice go together): one draft, one save.
  const speech = useAutosave<SpeechDraft>('providers.speech', saved, (d) => toPatch(d, current.free === true), { path: ['providers', 'speech'] })
  const d = speech.value
  const edit = (patch: Partial<SpeechDraft>, delayed = true) => speech.set({ ...d, ...patch }, delayed)
  const [voices, setVoices] = useState<VoiceView[] | null>(null)
  const [voicesError, setVoicesError] = useState<string | null>(null)
  // The saved provider's voices; ElevenLabs needs its key first.
  const listable = savedKind === 'offline' || (savedKind === 'elevenlabs' && current.hasKey)
  useEffect(() => {
    if (!listable) {
      setVoices(null)
      return
    }
    let live = true
    void call('providers/voices', { kind: 'speech' }, { quiet: true }).then((r) => {
      if (!live) return
      setVoices(r.ok ? r.value : [])
      setVoicesError(r.ok ? null : r.error.message)
    })
    return () => {
      live = false
    }
  }, [call, listable, savedKind, current.baseURL, current.hasKey])

  const shown = (voices ?? []).filter((v) => d.kind === savedKind && (d.kind !== 'offline' || d.engine === 'auto' || v.engine === d.engine))
  const voiceSelect = (
    <Field label={t('voices.voice')} htmlFor="speech-voice" hint={d.kind !== savedKind ? t('voices.saveFirst') : (voicesError ?? undefined)}>
      <select id="speech-voice" value={d.voice} onChange={(e) => edit({ voice: e.target.value }, false)} disabled={d.kind !== savedKind} data-testid="speech-voice">
        <option value="">{t('voices.default')}</option>
        {d.voice && !shown.some((v) => v.id === d.voice) ? <option value={d.voice}>{d.voice}</option> : null}
        {shown.map((v) => (
          <option key={`${v.engine}:${v.id}`} value={v.id}>
            {v.language ? t('voices.option', { name: v.name, language: v.language, engine: v.engine }) : `${v.name} · ${v.engine}`}
          </option>
        ))}
      </select>
    </Field>
  )
  return (
    <form className="provider-form" data-testid="provider-form-speech" onSubmit={(e) => e.preventDefault()}>
      <h4>{t('settings.kind.speech')}</h4>
      <Field label={t('settings.providerKind')} htmlFor="speech-kind">
        <select
          id="speech-kind"
          value={d.kind}
          onChange={(e) => {
            const kind = e.target.value as Kind
            // Another kind starts from its own defaults, never from the previous server.
            const fresh = kind === savedKind ? saved : { ...saved, kind, voice: '', baseURL: kind === 'openai' ? 'https://api.openai.com/v1' : '', model: kind === 'elevenlabs' ? ELEVENLABS_MODELS[0]! : '', free: false }
            speech.set(fresh, kind !== 'openai')
          }}
          data-testid="speech-kind"
        >
          <option value="offline">{t('settings.offline')}</option>
          <option value="openai">{t('settings.openai')}</option>
          <option value="elevenlabs">ElevenLabs</option>
        </select>
      </Field>
      {d.kind === 'offline' ? (
        <>
          <Field label={t('voices.engine')} htmlFor="speech-engine" hint={t('voices.engineHint')}>
            <select id="speech-engine" value={d.engine} onChange={(e) => edit({ engine: e.target.value, voice: '' }, false)} data-testid="speech-engine">
              {ENGINES.map((name) => (
                <option key={name} value={name}>
                  {name === 'auto' ? t('voices.auto') : name}
                </option>
              ))}
            </select>
          </Field>
          {voiceSelect}
        </>
      ) : null}
      {d.kind === 'openai' ? (
        <EndpointFields id="speech" baseURL={d.baseURL} onBaseURL={(baseURL) => edit({ baseURL })} model={d.model} onModel={(model) => edit({ model })} free={d.free} onFree={(free) => edit({ free }, false)} />
      ) : null}
      {d.kind === 'elevenlabs' ? (
        <>
          <Field label={t('settings.model')} htmlFor="speech-xi-model">
            <select id="speech-xi-model" value={d.model} onChange={(e) => edit({ model: e.target.value }, false)} data-testid="speech-xi-model">
              {(ELEVENLABS_MODELS.includes(d.model) || !d.model ? ELEVENLABS_MODELS : [d.model, ...ELEVENLABS_MODELS]).map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          {voiceSelect}
        </>
      ) : null}
      <FieldError error={speech.error} testId="speech-error" />
      <KeyField kind="speech" hasKey={current.hasKey} enabled={savedKind !== 'offline' && savedKind === d.kind} />
      <TestConnection kind="speech" />
    </form>
  )
}
