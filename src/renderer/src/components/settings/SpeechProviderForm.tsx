import { useEffect, useState } from 'react'
import type { ProviderChoiceView } from '../../../../shared/types'
import type { VoiceView } from '../../../../shared/voices'
import { useCall } from '../../api/context'
import { useT } from '../../i18n/use-t'
import { Button, Field } from '../common/controls'
import { EndpointFields } from './EndpointFields'
import { KeyField } from './KeyField'
import { useSettingsSave } from './save'

const ENGINES = ['auto', 'rhvoice', 'festival', 'espeak-ng', 'espeak', 'say', 'sapi', 'mespeak'] as const
type Kind = 'offline' | 'openai' | 'elevenlabs'
const ELEVENLABS_MODELS = ['eleven_multilingual_v2', 'eleven_flash_v2_5', 'eleven_turbo_v2_5', 'eleven_v3']

/**
 * Narration: this machine's voices (offline), an OpenAI-compatible server, or ElevenLabs. The
 * voice list is the saved provider's (providers/voices): after switching provider, save, then pick.
 */
export function SpeechProviderForm({ current }: { current: ProviderChoiceView }) {
  const t = useT()
  const call = useCall()
  const save = useSettingsSave()
  const savedKind = (['offline', 'openai', 'elevenlabs'] as const).find((k) => k === current.kind) ?? 'offline'
  const [kind, setKind] = useState<Kind>(savedKind)
  const [engine, setEngine] = useState(current.engine ?? 'auto')
  const [voice, setVoice] = useState(current.voice ?? '')
  const [baseURL, setBaseURL] = useState(current.baseURL ?? '')
  const [model, setModel] = useState(current.model ?? '')
  const [free, setFree] = useState(current.free === true)
  const [voices, setVoices] = useState<VoiceView[] | null>(null)
  const [voicesError, setVoicesError] = useState<string | null>(null)
  useEffect(() => {
    setKind(savedKind)
    setEngine(current.engine ?? 'auto')
    setVoice(current.voice ?? '')
    setBaseURL(current.baseURL ?? '')
    setModel(current.model ?? '')
    setFree(current.free === true)
  }, [savedKind, current.engine, current.voice, current.baseURL, current.model, current.free])
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

  const shown = (voices ?? []).filter((v) => kind === savedKind && (kind !== 'offline' || engine === 'auto' || v.engine === engine))
  const apply = () => {
    if (kind === 'offline') void save({ providers: { speech: { kind: 'offline', engine: engine as (typeof ENGINES)[number], voice: voice || null } } })
    else if (kind === 'openai') void save({ providers: { speech: { kind: 'openai', baseURL, model, ...(free || current.free ? { free } : {}) } } })
    else void save({ providers: { speech: { kind: 'elevenlabs', ...(baseURL ? { baseURL } : {}), ...(model ? { model } : {}), voice: voice || null } } })
  }
  const voiceSelect = (
    <Field label={t('voices.voice')} htmlFor="speech-voice" hint={kind !== savedKind ? t('voices.saveFirst') : (voicesError ?? undefined)}>
      <select id="speech-voice" value={voice} onChange={(e) => setVoice(e.target.value)} disabled={kind !== savedKind} data-testid="speech-voice">
        <option value="">{t('voices.default')}</option>
        {voice && !shown.some((v) => v.id === voice) ? <option value={voice}>{voice}</option> : null}
        {shown.map((v) => (
          <option key={`${v.engine}:${v.id}`} value={v.id}>
            {v.language ? t('voices.option', { name: v.name, language: v.language, engine: v.engine }) : `${v.name} · ${v.engine}`}
          </option>
        ))}
      </select>
    </Field>
  )
  return (
    <form
      className="provider-form"
      data-testid="provider-form-speech"
      onSubmit={(e) => {
        e.preventDefault()
        apply()
      }}
    >
      <h4>{t('settings.kind.speech')}</h4>
      <Field label={t('settings.providerKind')} htmlFor="speech-kind">
        <select
          id="speech-kind"
          value={kind}
          onChange={(e) => {
            const next = e.target.value as Kind
            setKind(next)
            if (next === 'elevenlabs' && !model) setModel(ELEVENLABS_MODELS[0]!)
            if (next === 'openai' && !baseURL) setBaseURL('https://api.openai.com/v1')
          }}
          data-testid="speech-kind"
        >
          <option value="offline">{t('settings.offline')}</option>
          <option value="openai">{t('settings.openai')}</option>
          <option value="elevenlabs">ElevenLabs</option>
        </select>
      </Field>
      {kind === 'offline' ? (
        <>
          <Field label={t('voices.engine')} htmlFor="speech-engine" hint={t('voices.engineHint')}>
            <select id="speech-engine" value={engine} onChange={(e) => setEngine(e.target.value)} data-testid="speech-engine">
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
      {kind === 'openai' ? <EndpointFields id="speech" baseURL={baseURL} onBaseURL={setBaseURL} model={model} onModel={setModel} free={free} onFree={setFree} /> : null}
      {kind === 'elevenlabs' ? (
        <>
          <Field label={t('settings.model')} htmlFor="speech-xi-model">
            <select id="speech-xi-model" value={model} onChange={(e) => setModel(e.target.value)} data-testid="speech-xi-model">
              {(ELEVENLABS_MODELS.includes(model) || !model ? ELEVENLABS_MODELS : [model, ...ELEVENLABS_MODELS]).map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          {voiceSelect}
        </>
      ) : null}
      <Button type="submit" kind="primary" testId="speech-save">
        {t('common.save')}
      </Button>
      <KeyField kind="speech" hasKey={current.hasKey} enabled={savedKind !== 'offline' && savedKind === kind} />
    </form>
  )
}
