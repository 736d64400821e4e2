// @vitest-environment jsdom
/**
 * Settings for the providers of issue 19: speech (offline engine and voice, ElevenLabs with its
 * voices), images (AUTOMATIC1111, ComfyUI with a workflow), music (Suno-style), stock (Pexels key),
 * and the spend caps with what was spent against them. Each field saves itself (the page's
 * autosave): a choice at once, typing after a pause.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SettingsView } from '../../src/shared/types'
import type { VoiceView } from '../../src/shared/voices'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { resetAutosave } from '../../src/renderer/src/components/settings/autosave'
import { SettingsPanel } from '../../src/renderer/src/components/settings/SettingsPanel'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, ok, settings, stats } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())
afterEach(() => resetAutosave())

/** Long enough for the typing pause and a loaded machine. */
const SAVED = { timeout: 5_000 }

const VOICES: VoiceView[] = [
  { id: 'SLT', name: 'SLT', language: 'en', engine: 'rhvoice' },
  { id: 'fr-fr', name: 'French (France)', language: 'fr-fr', engine: 'espeak-ng' },
  { id: 'en-us', name: 'English (America)', language: 'en-us', engine: 'espeak-ng' }
]

/** The engine's answer to a save: the settings with the patch applied (enough of it for these forms). */
function echo(view: SettingsView) {
  let current = view
  return (request: unknown) => {
    const patch = request as { providers?: Record<string, Record<string, unknown>>; budget?: SettingsView['budget'] }
    const providers = { ...current.providers } as Record<string, unknown>
    for (const [kind, choice] of Object.entries(patch.providers ?? {})) {
      const { workflow, ...rest } = choice
      providers[kind] = { ...rest, ...(workflow !== undefined ? { hasWorkflow: workflow !== null } : {}), hasKey: false }
    }
    current = { ...current, providers: providers as SettingsView['providers'], ...(patch.budget ? { budget: patch.budget } : {}) }
    return ok(current)
  }
}

function mount(view: SettingsView, answers: Parameters<typeof fakeApi>[0] = {}) {
  getStudio().setSettings(view)
  const fake = fakeApi({ 'settings/update': echo(view), 'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }), ...answers })
  render(
    <ApiProvider api={fake.api}>
      <SettingsPanel />
    </ApiProvider>
  )
  return fake
}

const base = (providers: Partial<SettingsView['providers']> = {}, over: Partial<SettingsView> = {}) =>
  settings({
    providers: { ...settings().providers, speech: { kind: 'offline', engine: 'auto', hasKey: false }, music: { kind: 'offline', hasKey: false }, stock: { kind: 'pexels', baseURL: 'https://api.pexels.com', hasKey: false }, ...providers },
    budget: { dailyUsd: null, monthlyUsd: null, providers: {} },
    ...over
  })

describe('settings: speech', () => {
  it('offline: the engine narrows the voice list of this machine; each choice saves at once', async () => {
    const fake = mount(base(), { 'providers/voices': ok(VOICES) })
    const form = () => screen.getByTestId('provider-form-speech')
    const voice = () => within(form()).getByTestId('speech-voice') as HTMLSelectElement
    await waitFor(() => expect(voice().options).toHaveLength(4))
    expect([...voice().options].map((o) => o.textContent)).toEqual(['Default voice for the language', 'SLT · en · rhvoice', 'French (France) · fr-fr · espeak-ng', 'English (America) · en-us · espeak-ng'])
    fireEvent.change(within(form()).getByTestId('speech-engine'), { target: { value: 'espeak-ng' } })
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ providers: { speech: { kind: 'offline', engine: 'espeak-ng', voice: null } } }]), SAVED)
    await waitFor(() => expect([...voice().options].map((o) => o.value)).toEqual(['', 'fr-fr', 'en-us']))
    fireEvent.change(voice(), { target: { value: 'fr-fr' } })
    await waitFor(() => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { speech: { kind: 'offline', engine: 'espeak-ng', voice: 'fr-fr' } } }), SAVED)
  })

  it('ElevenLabs: saved on choosing it, then the key, then a voice among the account voices', async () => {
    const fake = mount(base(), { 'providers/voices': ok(VOICES) })
    const form = () => screen.getByTestId('provider-form-speech')
    fireEvent.change(within(form()).getByTestId('speech-kind'), { target: { value: 'elevenlabs' } })
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ providers: { speech: { kind: 'elevenlabs', model: 'eleven_multilingual_v2', voice: null } } }]), SAVED)

    // Saved, with a key: the account's voices.
    const xiVoices: VoiceView[] = [{ id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', language: null, engine: 'elevenlabs' }]
    fake.answers['providers/voices'] = ok(xiVoices)
    act(() => getStudio().setSettings(base({ speech: { kind: 'elevenlabs', baseURL: 'https://api.elevenlabs.io', model: 'eleven_multilingual_v2', hasKey: true } })))
    const voice = () => within(form()).getByTestId('speech-voice') as HTMLSelectElement
    await waitFor(() => expect([...voice().options].map((o) => o.textContent)).toEqual(['Default voice for the language', 'Rachel · elevenlabs']))
    expect(voice().disabled).toBe(false)
    expect((within(form()).getByTestId('provider-key') as HTMLInputElement).disabled).toBe(false)
    // "Test connection" probes the saved speech provider.
    fake.answers['providers/test'] = ok({ ok: true, provider: 'elevenlabs:eleven_multilingual_v2', ms: 42 })
    fireEvent.click(within(form()).getByTestId('provider-test'))
    await waitFor(() => expect(within(form()).getByTestId('provider-test-result').textContent).toContain('elevenlabs:eleven_multilingual_v2'))
    expect(fake.of('providers/test')).toEqual([{ kind: 'speech' }])
    fireEvent.change(voice(), { target: { value: '21m00Tcm4TlvDq8ikWAM' } })
    await waitFor(
      () => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { speech: { kind: 'elevenlabs', baseURL: 'https://api.elevenlabs.io', model: 'eleven_multilingual_v2', voice: '21m00Tcm4TlvDq8ikWAM' } } }),
      SAVED
    )
  })

  it('a refusal stays under the form, in the engine’s words', async () => {
    mount(base(), {
      'settings/update': { ok: false, error: { code: 'bad_request', message: 'providers.speech.baseURL: baseURL must be an http(s) address', issues: [{ path: ['providers', 'speech', 'baseURL'], message: 'baseURL must be an http(s) address' }] } } as never
    })
    const form = () => screen.getByTestId('provider-form-speech')
    fireEvent.change(within(form()).getByTestId('speech-kind'), { target: { value: 'openai' } })
    fireEvent.change(within(form()).getByTestId('speech-url'), { target: { value: 'ftp://x' } })
    await waitFor(() => expect(within(form()).getByTestId('speech-error').textContent).toMatch(/http\(s\)/), SAVED)
  })
})

describe('settings: images, music, stock', () => {
  it('ComfyUI with a pasted workflow (not saved while it is not JSON), AUTOMATIC1111, a Suno-style server, and the Pexels key', async () => {
    const fake = mount(base(), { 'settings/get': ok(base({ stock: { kind: 'pexels', baseURL: 'https://api.pexels.com', hasKey: true } })) })
    const image = () => screen.getByTestId('provider-form-image')
    fireEvent.change(within(image()).getByTestId('image-kind'), { target: { value: 'comfyui' } })
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ providers: { image: { kind: 'comfyui', baseURL: 'http://127.0.0.1:8188' } } }]), SAVED)
    fireEvent.change(within(image()).getByTestId('image-workflow'), { target: { value: '{"3": {"class_type": "KSampler"' } })
    expect(within(image()).getByTestId('image-workflow-error').textContent).toMatch(/^The workflow is not valid JSON: /)
    fireEvent.change(within(image()).getByTestId('image-workflow'), { target: { value: '{"3": {"class_type": "KSampler", "inputs": {}}}' } })
    expect(within(image()).queryByTestId('image-workflow-error')).toBeNull()
    await waitFor(
      () => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { image: { kind: 'comfyui', baseURL: 'http://127.0.0.1:8188', workflow: { '3': { class_type: 'KSampler', inputs: {} } } } } }),
      SAVED
    )
    expect(fake.of('settings/update')).toHaveLength(2)
    fireEvent.change(within(image()).getByTestId('image-kind'), { target: { value: 'automatic1111' } })
    fireEvent.change(within(image()).getByTestId('image-url'), { target: { value: 'http://192.168.1.20:7860' } })
    await waitFor(() => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { image: { kind: 'automatic1111', baseURL: 'http://192.168.1.20:7860' } } }), SAVED)

    const music = () => screen.getByTestId('provider-form-music')
    fireEvent.change(within(music()).getByTestId('music-kind'), { target: { value: 'suno' } })
    fireEvent.change(within(music()).getByTestId('music-url'), { target: { value: 'http://127.0.0.1:3001' } })
    await waitFor(() => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { music: { kind: 'suno', baseURL: 'http://127.0.0.1:3001' } } }), SAVED)

    const stock = () => screen.getByTestId('provider-form-stock')
    const key = within(stock()).getByTestId('provider-key') as HTMLInputElement
    expect(key.type).toBe('password')
    fireEvent.change(key, { target: { value: 'pexels-key' } })
    fireEvent.click(within(stock()).getByTestId('provider-key-save'))
    await waitFor(() => expect(fake.of('settings/setApiKey')).toEqual([{ kind: 'stock', key: 'pexels-key' }]))
    await waitFor(() => expect(within(stock()).getByTestId('key-state').textContent).toMatch(/Key stored/))
    expect((within(stock()).getByTestId('provider-key') as HTMLInputElement).value).toBe('')
    fireEvent.click(within(stock()).getByTestId('stock-on'))
    await waitFor(() => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { stock: { kind: 'none' } } }), SAVED)
  })
})

describe('settings: spend caps', () => {
  it('shows spend against each cap (queue/stats), saves the caps as a whole as they are typed; French as written in France', async () => {
    const resetsAt = new Date(2026, 11, 5).getTime()
    getStudio().setStats(
      stats({
        spend: [
          { provider: null, period: 'day', capUsd: 5, spentUsd: 1.2, resetsAt },
          { provider: 'elevenlabs', period: 'month', capUsd: 20, spentUsd: 20, resetsAt }
        ]
      })
    )
    const fake = mount(base({}, { budget: { dailyUsd: 5, monthlyUsd: null, providers: { elevenlabs: { dailyUsd: null, monthlyUsd: 20 } } } }))
    const section = () => screen.getByTestId('settings-budget')
    const meters = within(section()).getAllByTestId('spend-meter')
    expect(meters.map((m) => m.textContent)).toEqual([expect.stringMatching(/^\$1\.20 of \$5\.00 today · resets /), expect.stringMatching(/^\$20\.00 of \$20\.00 this month · cap reached: paid steps wait until /)])
    fireEvent.change(within(section()).getByTestId('budget-daily'), { target: { value: '7,5' } })
    fireEvent.change(within(section()).getByTestId('budget-monthly'), { target: { value: '100' } })
    fireEvent.click(within(section()).getByTestId('budget-add'))
    const rows = within(section()).getAllByTestId('budget-row')
    fireEvent.change(within(rows[1]!).getByLabelText('Provider (e.g. openai, elevenlabs)'), { target: { value: 'openai' } })
    fireEvent.change(within(rows[1]!).getByLabelText('openai Per day (USD)'), { target: { value: '2' } })
    await waitFor(
      () =>
        expect(fake.of('settings/update').at(-1)).toEqual({
          budget: { dailyUsd: 7.5, monthlyUsd: 100, providers: { elevenlabs: { dailyUsd: null, monthlyUsd: 20 }, openai: { dailyUsd: 2, monthlyUsd: null } } }
        }),
      SAVED
    )

    act(() => getStudio().setLocale('fr'))
    expect(within(section()).getAllByTestId('spend-meter')[1]!.textContent).toMatch(/^20,00\u00a0\$US sur 20,00\u00a0\$US ce mois-ci · plafond atteint\u00a0: les étapes payantes attendent jusqu’au /)
  })
})
