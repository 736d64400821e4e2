import { KeyField } from './KeyField'
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
import { useAutosave, useSaveState } from './autosave'
import { BudgetSection } from './BudgetSection'
import { FarmSection } from './FarmSection'
import { TestConnection } from './TestConnection'
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
        <SaveIndicator />
      </header>
      <p className="muted small settings-autosave-hint">{t('settings.autosaveHint')}</p>
      <AppearanceSection />
      {unavailable ? <Unavailable message={unavailable} /> : null}
      {settings ? (
        <>
          <ProvidersSection settings={settings} />
          {settings.budget ? <BudgetSection budget={settings.budget} /> : null}
          <EngineSection settings={settings} />
          <CaptionsSection settings={settings} />
          <FarmSection />
        </>
      ) : !unavailable ? (
        <p className="muted pad">{t('common.loading')}</p>
      ) : null}
      <DoctorSection />
    </div>
  )
}

/** The page's one saving state, discreet: "Saving…", "Saved", or which fields wait for a fix. */
function SaveIndicator() {
  const t = useT()
  const state = useSaveState()
  if (state === 'idle') return null
  return (
    <span className={`save-state save-${state}`} role="status" data-testid="settings-save-state" data-state={state}>
      {state === 'saved' ? <Icon name="check" size={12} /> : state === 'invalid' ? <Icon name="alert" size={12} /> : null}{' '}
      {t(`settings.save.${state}`)}
    </span>
  )
}

/** A field's refusal, under it, in the user's words. */
function FieldError({ error, testId }: { error: string | null; testId?: string }) {
  if (!error) return null
  return (
    <p className="field-error small" role="alert" data-testid={testId ?? 'field-error'}>
      {error}
    </p>
  )
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

interface ProviderDraft {
  kind: 'offline' | 'openai'
  baseURL: string
  model: string
  free: boolean
}

function ProviderForm({ kind, settings }: { kind: ProviderKindName; settings: SettingsView }) {
  const t = useT()
  const call = useCall()
  const current = settings.providers[kind]
  const saved: ProviderDraft = {
    kind: current.kind === 'openai' ? 'openai' : 'offline',
    baseURL: current.baseURL ?? 'https://api.openai.com/v1',
    model: current.model ?? '',
    free: current.free === true
  }
  // The provider is one setting (kind, server, model, free go together): one draft, one save.
  const provider = useAutosave<ProviderDraft>(
    `providers.${kind}`,
    saved,
    (d) => ({
      providers: { [kind]: d.kind === 'openai' ? { kind: 'openai', baseURL: d.baseURL, model: d.model, ...(d.free || current.free ? { free: d.free } : {}) } : { kind: 'offline' } }
    })
  )
  const { kind: choice, baseURL, model, free } = provider.value
  const edit = (patch: Partial<ProviderDraft>, delayed = true) => {
    const next = { ...provider.value, ...patch }
    // "Free" was said of the saved server, not of another: moving elsewhere unticks it.
    if (patch.baseURL !== undefined && !sameOrigin(patch.baseURL, current.baseURL)) next.free = false
    if (patch.baseURL !== undefined && sameOrigin(patch.baseURL, current.baseURL) && !sameOrigin(provider.value.baseURL, current.baseURL)) next.free = current.free === true
    provider.set(next, delayed)
  }
  const forServer = current.kind === 'openai'

  return (
    <form
      className="provider-form"
      data-testid={`provider-form-${kind}`}
      onSubmit={(e) => e.preventDefault()}
    >
      <h4>{t(`settings.kind.${kind}`)}</h4>
      <Field label={t('settings.providerKind')} htmlFor={`pk-${kind}`}>
        <select id={`pk-${kind}`} value={choice} onChange={(e) => edit({ kind: e.target.value as 'offline' | 'openai' }, false)} data-testid="provider-kind">
          <option value="offline">{t('settings.offline')}</option>
          <option value="openai">{t('settings.openai')}</option>
        </select>
      </Field>
      {choice === 'openai' ? (
        <>
          <Field label={t('settings.baseURL')} htmlFor={`pu-${kind}`}>
            <input id={`pu-${kind}`} type="url" value={baseURL} onChange={(e) => edit({ baseURL: e.target.value })} data-testid="provider-url" />
          </Field>
          <Field label={t('settings.model')} htmlFor={`pm-${kind}`}>
            <input id={`pm-${kind}`} value={model} onChange={(e) => edit({ model: e.target.value })} data-testid="provider-model" />
          </Field>
          <label className="check">
            <input type="checkbox" checked={free} onChange={(e) => edit({ free: e.target.checked }, false)} data-testid="provider-free" /> {t('settings.free')}
          </label>
          {!free && isLoopback(baseURL) ? (
            <p className="muted small" data-testid="provider-free-hint">
              {t('settings.freeHint')}
            </p>
          ) : null}
        </>
      ) : null}
      <FieldError error={provider.error} testId="provider-error" />
      {/* A key belongs to the saved server (moving the provider elsewhere forgets it): no server, no key. */}
      <KeyField kind={kind} hasKey={current.hasKey} enabled={forServer} />
      <TestConnection kind={kind} />
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
  const pool = useStudio((s) => s.pool)
  const ffmpeg = useAutosave('ffmpegPath', settings.ffmpegPath ?? '', (v) => ({ ffmpegPath: v.trim() || null }))
  const concurrency = useAutosave('concurrency', String(settings.concurrency), (v) => ({ concurrency: numberOrNull(v) as number }))
  const resourceNames = [...new Set([...Object.keys(settings.resources), ...(pool?.resources.map((r) => r.resource) ?? [])])].sort()
  return (
    <section className="panel settings-section">
      <h3>{t('settings.engine')}</h3>
      <div className="row-fields">
        <Field label={t('settings.ffmpeg')} htmlFor="set-ffmpeg" hint={t('settings.ffmpegHint')}>
          <input id="set-ffmpeg" value={ffmpeg.value} onChange={(e) => ffmpeg.set(e.target.value)} placeholder="/usr/bin/ffmpeg" spellCheck={false} aria-invalid={Boolean(ffmpeg.error)} />
          <FieldError error={ffmpeg.error} />
        </Field>
        <Field label={t('settings.concurrency')} htmlFor="set-conc">
          <input id="set-conc" type="number" min={1} max={64} value={concurrency.value} onChange={(e) => concurrency.set(e.target.value)} aria-invalid={Boolean(concurrency.error)} />
          <FieldError error={concurrency.error} testId="concurrency-error" />
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
          {resourceNames.map((r) => {
            const p = pool?.resources.find((x) => x.resource === r)
            return <ResourceLimit key={r} resource={r} saved={settings.resources[r] ?? { concurrency: p?.concurrency ?? 1, minIntervalMs: p?.minIntervalMs ?? 0 }} />
          })}
        </tbody>
      </table>
    </section>
  )
}

/** A number field's text as the request carries it: empty is "missing" (the engine says it is required). */
function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text)
}

/** One resource's limits: both numbers go together (the engine stores them as a pair). */
function ResourceLimit({ resource, saved }: { resource: string; saved: { concurrency: number; minIntervalMs: number } }) {
  const t = useT()
  const limit = useAutosave(
    `resources.${resource}`,
    { concurrency: String(saved.concurrency), minIntervalMs: String(saved.minIntervalMs) },
    (v) => ({ resources: { [resource]: { concurrency: numberOrNull(v.concurrency) as number, minIntervalMs: numberOrNull(v.minIntervalMs) as number } } }),
    { path: ['resources', resource] }
  )
  return (
    <>
      <tr>
        <td className="mono">{resource}</td>
        <td>
          <input
            type="number"
            min={1}
            max={64}
            aria-label={`${resource} ${t('settings.limit')}`}
            value={limit.value.concurrency}
            onChange={(e) => limit.set({ ...limit.value, concurrency: e.target.value })}
          />
        </td>
        <td>
          <input
            type="number"
            min={0}
            max={600000}
            step={100}
            aria-label={`${resource} ${t('admin.minInterval')}`}
            value={limit.value.minIntervalMs}
            onChange={(e) => limit.set({ ...limit.value, minIntervalMs: e.target.value })}
          />
        </td>
      </tr>
      {limit.error ? (
        <tr>
          <td colSpan={3}>
            <FieldError error={limit.error} />
          </td>
        </tr>
      ) : null}
    </>
  )
}

type StyleNumber = 'fontSize' | 'strokeWidth' | 'bottomOffset' | 'margin'
type StyleColour = 'color' | 'strokeColor' | 'highlightColor'

function CaptionsSection({ settings }: { settings: SettingsView }) {
  const t = useT()
  const call = useCall()
  const renderer = useAutosave('captionRenderer', settings.captionRenderer, (v) => ({ captionRenderer: v }))
  const preset = useAutosave('videoPreset', settings.videoPreset, (v) => ({ videoPreset: v }))
  const saved = settings.subtitleStyle
  // Each style field saves alone (the engine merges a partial style into the saved one).
  const fonts = useAutosave('subtitleStyle.fonts', saved.fonts.join(', '), (v) => ({ subtitleStyle: { fonts: fontList(v) } }))
  const nums = {
    fontSize: useAutosave('subtitleStyle.fontSize', String(saved.fontSize), (v) => ({ subtitleStyle: { fontSize: numberOrNull(v) as number } })),
    strokeWidth: useAutosave('subtitleStyle.strokeWidth', String(saved.strokeWidth), (v) => ({ subtitleStyle: { strokeWidth: numberOrNull(v) as number } })),
    bottomOffset: useAutosave('subtitleStyle.bottomOffset', String(saved.bottomOffset), (v) => ({ subtitleStyle: { bottomOffset: numberOrNull(v) as number } })),
    margin: useAutosave('subtitleStyle.margin', String(saved.margin), (v) => ({ subtitleStyle: { margin: numberOrNull(v) as number } }))
  }
  const colours = {
    color: useAutosave('subtitleStyle.color', saved.color, (v) => ({ subtitleStyle: { color: v } })),
    strokeColor: useAutosave('subtitleStyle.strokeColor', saved.strokeColor, (v) => ({ subtitleStyle: { strokeColor: v } })),
    highlightColor: useAutosave('subtitleStyle.highlightColor', saved.highlightColor, (v) => ({ subtitleStyle: { highlightColor: v } }))
  }
  const bold = useAutosave('subtitleStyle.bold', saved.bold, (v) => ({ subtitleStyle: { bold: v } }))
  const karaoke = useAutosave('subtitleStyle.karaoke', saved.karaoke, (v) => ({ subtitleStyle: { karaoke: v } }))
  const [text, setText] = useState(t('settings.previewText'))
  const [preview, setPreview] = useState<string | null>(null)
  const [previewError, setPreviewError] = useState<string | null>(null)

  // The preview shows the form as it is (a value being typed included), once it is a valid one.
  const style: SubtitleStyleView = {
    fonts: fontList(fonts.value).length ? fontList(fonts.value) : saved.fonts,
    bold: bold.value,
    karaoke: karaoke.value,
    color: colours.color.value,
    strokeColor: colours.strokeColor.value,
    highlightColor: colours.highlightColor.value,
    fontSize: validNumber(nums.fontSize.value, saved.fontSize),
    strokeWidth: validNumber(nums.strokeWidth.value, saved.strokeWidth),
    bottomOffset: validNumber(nums.bottomOffset.value, saved.bottomOffset),
    margin: validNumber(nums.margin.value, saved.margin)
  }
  const styleKey = JSON.stringify(style)

  useDebouncedEffect(
    () => {
      let live = true
      const request = { text: text || ' ', style, captionRenderer: renderer.value, videoPreset: preset.value }
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
    [styleKey, text, renderer.value, preset.value, call],
    350
  )

  const num = (k: StyleNumber, min: number, max: number) => (
    <Field label={t(`settings.style.${k}`)} htmlFor={`st-${k}`}>
      <input id={`st-${k}`} type="number" min={min} max={max} value={nums[k].value} onChange={(e) => nums[k].set(e.target.value)} aria-invalid={Boolean(nums[k].error)} />
      <FieldError error={nums[k].error} testId={`st-${k}-error`} />
    </Field>
  )
  const color = (k: StyleColour) => (
    <Field label={t(`settings.style.${k}`)} htmlFor={`st-${k}`}>
      <input id={`st-${k}`} type="color" value={colours[k].value} onChange={(e) => colours[k].set(e.target.value)} />
      <FieldError error={colours[k].error} />
    </Field>
  )

  return (
    <section className="panel settings-section">
      <h3>{t('settings.captions')}</h3>
      <div className="captions">
        <div>
          <div className="row-fields">
            <Field label={t('settings.renderer')} htmlFor="set-renderer">
              <select id="set-renderer" value={renderer.value} onChange={(e) => renderer.set(e.target.value as 'libass' | 'imagemagick', false)}>
                <option value="libass">libass (FFmpeg)</option>
                <option value="imagemagick">ImageMagick</option>
              </select>
              <FieldError error={renderer.error} />
            </Field>
            <Field label={t('settings.preset')} htmlFor="set-preset">
              <select id="set-preset" value={preset.value} onChange={(e) => preset.set(e.target.value as 'short' | 'landscape', false)}>
                <option value="short">{t('settings.preset.short')}</option>
                <option value="landscape">{t('settings.preset.landscape')}</option>
              </select>
              <FieldError error={preset.error} />
            </Field>
          </div>
          <div className="row-fields">
            <Field label={t('settings.style.fonts')} htmlFor="st-fonts" hint={t('settings.style.fontsHint')}>
              <input id="st-fonts" value={fonts.value} onChange={(e) => fonts.set(e.target.value)} aria-invalid={Boolean(fonts.error)} />
              <FieldError error={fonts.error} />
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
            <input type="checkbox" checked={bold.value} onChange={(e) => bold.set(e.target.checked, false)} /> {t('settings.style.bold')}
          </label>
          <label className="check">
            <input type="checkbox" checked={karaoke.value} onChange={(e) => karaoke.set(e.target.checked, false)} /> {t('settings.style.karaoke')}
          </label>
        </div>
        <div className="preview">
          <Field label={t('settings.previewLabel')} htmlFor="st-text">
            <input id="st-text" value={text} maxLength={300} onChange={(e) => setText(e.target.value)} />
          </Field>
          <div className={`preview-frame preset-${preset.value}`} aria-live="polite">
            {preview ? <img src={preview} alt={t('settings.previewAlt')} data-testid="subtitle-preview" /> : null}
            {previewError ? <p className="muted small pad">{previewError}</p> : null}
          </div>
        </div>
      </div>
    </section>
  )
}

function fontList(text: string): string[] {
  return text
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .slice(0, 5)
}

/** A number being typed, for the preview: the saved one while it is empty or not a number. */
function validNumber(text: string, fallback: number): number {
  const n = numberOrNull(text)
  return n === null || !Number.isFinite(n) ? fallback : n
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
