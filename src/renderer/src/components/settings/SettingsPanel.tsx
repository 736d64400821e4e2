import { useEffect, useState } from 'react'
import type { ProviderKindName, SettingsView, SubtitleStyleView } from '../../../../shared/types'
import { useCall } from '../../api/context'
import { LOCALES, type Locale } from '../../i18n'
import { useT } from '../../i18n/use-t'
import { getStudio, useStudio } from '../../store'
import type { Theme } from '../../store/types'
import { Button, Field, Unavailable } from '../common/controls'
import { useDebouncedEffect } from '../common/hooks'
import { Icon } from '../common/Icon'
import { errorText } from '../../api/error-text'
import { BudgetSection } from './BudgetSection'
import { ImageProviderForm } from './ImageProviderForm'
import { MusicProviderForm } from './MusicProviderForm'
import { SpeechProviderForm } from './SpeechProviderForm'
import { StockProviderForm } from './StockProviderForm'

// Images, speech, music and stock have forms of their own (more kinds of server than OpenAI-compatible).
const KINDS: ProviderKindName[] = ['text']

export function SettingsPanel() {
  const t = useT()
  const settings = useStudio((s) => s.settings)
  const unavailable = useStudio((s) => s.unavailable.settings)
  return (
    <div className="settings" data-testid="settings">
      <header className="panel-header page-header">
        <h2>{t('settings.title')}</h2>
      </header>
      <AppearanceSection />
      {unavailable ? <Unavailable message={unavailable} /> : null}
      {settings ? (
        <>
          <ProvidersSection settings={settings} />
          {settings.budget ? <BudgetSection budget={settings.budget} /> : null}
          <EngineSection settings={settings} />
          <CaptionsSection settings={settings} />
        </>
      ) : !unavailable ? (
        <p className="muted pad">{t('common.loading')}</p>
      ) : null}
      <DoctorSection />
    </div>
  )
}

function useSave() {
  const call = useCall()
  const t = useT()
  return async (patch: Parameters<typeof call<'settings/update'>>[1]) => {
    const r = await call('settings/update', patch)
    if (r.ok) {
      getStudio().setSettings(r.value)
      getStudio().notify('success', t('settings.saved'))
    }
    return r.ok
  }
}

function AppearanceSection() {
  const t = useT()
  const theme = useStudio((s) => s.theme)
  const locale = useStudio((s) => s.locale)
  return (
    <section className="panel settings-section">
      <h3>{t('settings.appearance')}</h3>
      <div className="row-fields">
        <Field label={t('settings.theme')} htmlFor="set-theme">
          <select id="set-theme" value={theme} onChange={(e) => getStudio().setTheme(e.target.value as Theme)}>
            <option value="system">{t('settings.theme.system')}</option>
            <option value="dark">{t('settings.theme.dark')}</option>
            <option value="light">{t('settings.theme.light')}</option>
          </select>
        </Field>
        <Field label={t('settings.language')} htmlFor="set-lang">
          <select id="set-lang" value={locale} onChange={(e) => getStudio().setLocale(e.target.value as Locale)} data-testid="language">
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {l === 'fr' ? 'Français' : 'English'}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </section>
  )
}

function ProvidersSection({ settings }: { settings: SettingsView }) {
  const t = useT()
  return (
    <section className="panel settings-section" data-testid="settings-providers">
      <h3>{t('settings.providers')}</h3>
      <p className="muted small">{t('settings.providersHint')}</p>
      <div className="provider-forms">
        {KINDS.map((kind) => (
          <ProviderForm key={kind} kind={kind} settings={settings} />
        ))}
        <ImageProviderForm current={settings.providers.image} />
        <SpeechProviderForm current={settings.providers.speech} />
        {settings.providers.music ? <MusicProviderForm current={settings.providers.music} /> : null}
        {settings.providers.stock ? <StockProviderForm current={settings.providers.stock} /> : null}
      </div>
    </section>
  )
}

function ProviderForm({ kind, settings }: { kind: ProviderKindName; settings: SettingsView }) {
  const t = useT()
  const call = useCall()
  const save = useSave()
  const current = settings.providers[kind]
  const [choice, setChoice] = useState(current.kind)
  const [baseURL, setBaseURL] = useState(current.baseURL ?? 'https://api.openai.com/v1')
  const [model, setModel] = useState(current.model ?? '')
  // null until the user ticks or unticks the box. Until then it shows the saved switch, but only
  // while the address points at the saved server: "free" was said of that server, not of another.
  const [freeChoice, setFreeChoice] = useState<boolean | null>(null)
  const free = freeChoice ?? (current.free === true && sameOrigin(baseURL, current.baseURL))
  const [key, setKey] = useState('')
  const forServer = current.kind === 'openai'
  useEffect(() => {
    setChoice(current.kind)
    if (current.baseURL) setBaseURL(current.baseURL)
    if (current.model) setModel(current.model)
    setFreeChoice(null)
  }, [current.kind, current.baseURL, current.model, current.free])

  const apply = () => void save({ providers: { [kind]: choice === 'openai' ? { kind: 'openai', baseURL, model, ...(free || current.free ? { free } : {}) } : { kind: 'offline' } } })
  const storeKey = async () => {
    // Write-only: the key goes to main once and is never read back. The field is cleared before the
    // call, not after it: a settings push can show "Key stored" before the reply arrives, and the
    // secret must not sit in the form meanwhile.
    const secret = key
    setKey('')
    const r = await call('settings/setApiKey', { kind, key: secret })
    if (r.ok) {
      const fresh = await call('settings/get', {}, { quiet: true })
      if (fresh.ok) getStudio().setSettings(fresh.value)
      getStudio().notify('success', t('settings.keyStoredNotice'))
    }
  }
  return (
    <form
      className="provider-form"
      data-testid={`provider-form-${kind}`}
      onSubmit={(e) => {
        e.preventDefault()
        apply()
      }}
    >
      <h4>{t(`settings.kind.${kind}`)}</h4>
      <Field label={t('settings.providerKind')} htmlFor={`pk-${kind}`}>
        <select id={`pk-${kind}`} value={choice} onChange={(e) => setChoice(e.target.value as 'offline' | 'openai')} data-testid="provider-kind">
          <option value="offline">{t('settings.offline')}</option>
          <option value="openai">{t('settings.openai')}</option>
        </select>
      </Field>
      {choice === 'openai' ? (
        <>
          <Field label={t('settings.baseURL')} htmlFor={`pu-${kind}`}>
            <input id={`pu-${kind}`} type="url" value={baseURL} onChange={(e) => setBaseURL(e.target.value)} data-testid="provider-url" />
          </Field>
          <Field label={t('settings.model')} htmlFor={`pm-${kind}`}>
            <input id={`pm-${kind}`} value={model} onChange={(e) => setModel(e.target.value)} data-testid="provider-model" />
          </Field>
          <label className="check">
            <input type="checkbox" checked={free} onChange={(e) => setFreeChoice(e.target.checked)} data-testid="provider-free" /> {t('settings.free')}
          </label>
          {!free && isLoopback(baseURL) ? (
            <p className="muted small" data-testid="provider-free-hint">
              {t('settings.freeHint')}
            </p>
          ) : null}
        </>
      ) : null}
      <Button type="submit" kind="primary" testId="provider-save">
        {t('common.save')}
      </Button>
      <div className="key-part">
      {/* A key belongs to the saved server (moving the provider elsewhere forgets it): no server, no key. */}
      <Field label={t('settings.apiKey')} htmlFor={`pkey-${kind}`} hint={t(forServer ? 'settings.apiKeyHint' : 'settings.keyNeedsServer')}>
        <div className="inline-form">
          <input
            id={`pkey-${kind}`}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder={current.hasKey ? '••••••••' : ''}
            disabled={!forServer}
            data-testid="provider-key"
          />
          <Button onClick={() => void storeKey()} disabled={!key || !forServer} testId="provider-key-save">
            {t('settings.storeKey')}
          </Button>
        </div>
      </Field>
      <p className={`small ${current.hasKey ? 'ok' : 'muted'}`} data-testid="key-state">
        {current.hasKey ? (
          <>
            <Icon name="check" size={12} /> {t('settings.keyStored')}
          </>
        ) : (
          t('settings.noKey')
        )}
      </p>
      </div>
    </form>
  )
}

/** A server on this computer (localhost, 127.x.x.x, [::1]): most likely a local model that charges nothing. */
function isLoopback(address: string): boolean {
  try {
    const host = new URL(address).hostname
    return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]'
  } catch {
    return false
  }
}

function sameOrigin(a: string, b: string | undefined): boolean {
  try {
    return b !== undefined && new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}

function EngineSection({ settings }: { settings: SettingsView }) {
  const t = useT()
  const save = useSave()
  const pool = useStudio((s) => s.pool)
  const [ffmpeg, setFfmpeg] = useState(settings.ffmpegPath ?? '')
  const [concurrency, setConcurrency] = useState(settings.concurrency)
  const resourceNames = [...new Set([...Object.keys(settings.resources), ...(pool?.resources.map((r) => r.resource) ?? [])])].sort()
  const [limits, setLimits] = useState<Record<string, { concurrency: number; minIntervalMs: number }>>(() =>
    Object.fromEntries(
      resourceNames.map((r) => {
        const p = pool?.resources.find((x) => x.resource === r)
        return [r, settings.resources[r] ?? { concurrency: p?.concurrency ?? 1, minIntervalMs: p?.minIntervalMs ?? 0 }]
      })
    )
  )
  return (
    <section className="panel settings-section">
      <h3>{t('settings.engine')}</h3>
      <div className="row-fields">
        <Field label={t('settings.ffmpeg')} htmlFor="set-ffmpeg" hint={t('settings.ffmpegHint')}>
          <input id="set-ffmpeg" value={ffmpeg} onChange={(e) => setFfmpeg(e.target.value)} placeholder="/usr/bin/ffmpeg" spellCheck={false} />
        </Field>
        <Field label={t('settings.concurrency')} htmlFor="set-conc">
          <input id="set-conc" type="number" min={1} max={64} value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value))} />
        </Field>
      </div>
      <table className="grid-table limits">
        <thead>
          <tr>
            <th>{t('admin.resource')}</th>
            <th>{t('settings.limit')}</th>
            <th>{t('admin.minInterval')}</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(limits).map(([r, l]) => (
            <tr key={r}>
              <td className="mono">{r}</td>
              <td>
                <input
                  type="number"
                  min={1}
                  max={64}
                  aria-label={`${r} ${t('settings.limit')}`}
                  value={l.concurrency}
                  onChange={(e) => setLimits({ ...limits, [r]: { ...l, concurrency: Number(e.target.value) } })}
                />
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  max={600000}
                  step={100}
                  aria-label={`${r} ${t('admin.minInterval')}`}
                  value={l.minIntervalMs}
                  onChange={(e) => setLimits({ ...limits, [r]: { ...l, minIntervalMs: Number(e.target.value) } })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Button kind="primary" onClick={() => void save({ ffmpegPath: ffmpeg.trim() || null, concurrency, resources: limits })}>
        {t('common.save')}
      </Button>
    </section>
  )
}

function CaptionsSection({ settings }: { settings: SettingsView }) {
  const t = useT()
  const call = useCall()
  const save = useSave()
  const [renderer, setRenderer] = useState(settings.captionRenderer)
  const [preset, setPreset] = useState(settings.videoPreset)
  const [style, setStyle] = useState<SubtitleStyleView>(settings.subtitleStyle)
  const [fonts, setFonts] = useState(settings.subtitleStyle.fonts.join(', '))
  const [text, setText] = useState(t('settings.previewText'))
  const [preview, setPreview] = useState<string | null>(null)
  const [previewError, setPreviewError] = useState<string | null>(null)
  const set = <K extends keyof SubtitleStyleView>(k: K, v: SubtitleStyleView[K]) => setStyle({ ...style, [k]: v })

  useDebouncedEffect(
    () => {
      let live = true
      // The form's choices, saved or not: the preview shows what Save would give.
      const request = { text: text || ' ', style, captionRenderer: renderer, videoPreset: preset }
      void call('settings/previewSubtitles', request, { quiet: true }).then((r) => {
        if (!live) return
        if (r.ok) {
          setPreview(r.value.dataUrl)
          setPreviewError(null)
        } else setPreviewError(errorText(r.error, t.locale))
      })
      return () => {
        live = false
      }
    },
    [style, text, renderer, preset, call],
    350
  )

  const num = (k: 'fontSize' | 'strokeWidth' | 'bottomOffset' | 'margin', min: number, max: number) => (
    <Field label={t(`settings.style.${k}`)} htmlFor={`st-${k}`}>
      <input id={`st-${k}`} type="number" min={min} max={max} value={style[k]} onChange={(e) => set(k, Number(e.target.value))} />
    </Field>
  )
  const color = (k: 'color' | 'strokeColor' | 'highlightColor') => (
    <Field label={t(`settings.style.${k}`)} htmlFor={`st-${k}`}>
      <input id={`st-${k}`} type="color" value={style[k]} onChange={(e) => set(k, e.target.value)} />
    </Field>
  )

  return (
    <section className="panel settings-section">
      <h3>{t('settings.captions')}</h3>
      <div className="captions">
        <div>
          <div className="row-fields">
            <Field label={t('settings.renderer')} htmlFor="set-renderer">
              <select id="set-renderer" value={renderer} onChange={(e) => setRenderer(e.target.value as 'libass' | 'imagemagick')}>
                <option value="libass">libass (FFmpeg)</option>
                <option value="imagemagick">ImageMagick</option>
              </select>
            </Field>
            <Field label={t('settings.preset')} htmlFor="set-preset">
              <select id="set-preset" value={preset} onChange={(e) => setPreset(e.target.value as 'short' | 'landscape')}>
                <option value="short">{t('settings.preset.short')}</option>
                <option value="landscape">{t('settings.preset.landscape')}</option>
              </select>
            </Field>
          </div>
          <div className="row-fields">
            <Field label={t('settings.style.fonts')} htmlFor="st-fonts" hint={t('settings.style.fontsHint')}>
              <input
                id="st-fonts"
                value={fonts}
                onChange={(e) => {
                  setFonts(e.target.value)
                  const list = e.target.value.split(',').map((f) => f.trim()).filter(Boolean).slice(0, 5)
                  if (list.length) set('fonts', list)
                }}
              />
            </Field>
            {num('fontSize', 8, 300)}
          </div>
          <div className="row-fields">
            {color('color')}
            {color('strokeColor')}
            {color('highlightColor')}
            {num('strokeWidth', 0, 20)}
          </div>
          <div className="row-fields">
            {num('bottomOffset', 0, 2000)}
            {num('margin', 0, 2000)}
          </div>
          <label className="check">
            <input type="checkbox" checked={style.bold} onChange={(e) => set('bold', e.target.checked)} /> {t('settings.style.bold')}
          </label>
          <label className="check">
            <input type="checkbox" checked={style.karaoke} onChange={(e) => set('karaoke', e.target.checked)} /> {t('settings.style.karaoke')}
          </label>
          <Button kind="primary" onClick={() => void save({ captionRenderer: renderer, videoPreset: preset, subtitleStyle: style })}>
            {t('common.save')}
          </Button>
        </div>
        <div className="preview">
          <Field label={t('settings.previewLabel')} htmlFor="st-text">
            <input id="st-text" value={text} maxLength={300} onChange={(e) => setText(e.target.value)} />
          </Field>
          <div className={`preview-frame preset-${preset}`} aria-live="polite">
            {preview ? <img src={preview} alt={t('settings.previewAlt')} data-testid="subtitle-preview" /> : null}
            {previewError ? <p className="muted small pad">{previewError}</p> : null}
          </div>
        </div>
      </div>
    </section>
  )
}

function DoctorSection() {
  const t = useT()
  const call = useCall()
  const report = useStudio((s) => s.doctor)
  const unavailable = useStudio((s) => s.unavailable.system)
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    const r = await call('system/doctor', {})
    setBusy(false)
    if (r.ok) getStudio().setDoctor(r.value)
  }
  return (
    <section className="panel settings-section">
      <h3>{t('settings.doctor')}</h3>
      {unavailable ? <Unavailable message={unavailable} /> : null}
      <Button icon="check" onClick={() => void run()} disabled={busy} testId="doctor">
        {busy ? t('common.loading') : t('settings.runDoctor')}
      </Button>
      {report ? (
        <ul className="doctor" data-testid="doctor-report">
          {report.map((r) => (
            <li key={r.name} className={r.ok ? 'ok' : 'bad'}>
              <Icon name={r.ok ? 'check' : 'alert'} size={14} />
              <strong>{r.name}</strong>
              <span className="muted small">{r.detail}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
