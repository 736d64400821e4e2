// @vitest-environment jsdom
/**
 * Settings for the providers of issue 19: speech (offline engine and voice, ElevenLabs with its
 * voices), images (AUTOMATIC1111, ComfyUI with a workflow), music (Suno-style), stock (Pexels key),
 * and the spend caps with what was spent against them. Each form saves its own part.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import type { SettingsView } from '../../src/shared/types'
import type { VoiceView } from '../../src/shared/voices'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { SettingsPanel } from '../../src/renderer/src/components/settings/SettingsPanel'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, ok, settings, stats } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const VOICES: VoiceView[] = [
  { id: 'SLT', name: 'SLT', language: 'en', engine: 'rhvoice' },
  { id: 'fr-fr', name: 'French (France)', language: 'fr-fr', engine: 'espeak-ng' },
  { id: 'en-us', name: 'English (America)', language: 'en-us', engine: 'espeak-ng' }
]

function mount(view: SettingsView, answers: Parameters<typeof fakeApi>[0] = {}) {
  getStudio().setSettings(view)
  const fake = fakeApi({ 'settings/update': ok(view), 'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }), ...answers })
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
  it('offline: the engine narrows the voice list of this machine; Save sends the engine and the voice', async () => {
    const fake = mount(base(), { 'providers/voices': ok(VOICES) })
    const form = screen.getByTestId('provider-form-speech')
    const voice = within(form).getByTestId('speech-voice') as HTMLSelectElement
    await waitFor(() => expect(voice.options).toHaveLength(4))
    expect([...voice.options].map((o) => o.textContent)).toEqual(['Default voice for the language', 'SLT · en · rhvoice', 'French (France) · fr-fr · espeak-ng', 'English (America) · en-us · espeak-ng'])
    fireEvent.change(within(form).getByTestId('speech-engine'), { target: { value: 'espeak-ng' } })
    expect([...voice.options].map((o) => o.value)).toEqual(['', 'fr-fr', 'en-us'])
    fireEvent.change(voice, { target: { value: 'fr-fr' } })
    fireEvent.click(within(form).getByTestId('speech-save'))
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ providers: { speech: { kind: 'offline', engine: 'espeak-ng', voice: 'fr-fr' } } }]))
    expect(fake.of('providers/voices')).toEqual([{ kind: 'speech' }])
  })

  it('ElevenLabs: save the provider first, then the key, then pick among the account voices', async () => {
    const fake = mount(base(), { 'providers/voices': ok(VOICES) })
    const form = screen.getByTestId('provider-form-speech')
    fireEvent.change(within(form).getByTestId('speech-kind'), { target: { value: 'elevenlabs' } })
    expect((within(form).getByTestId('speech-voice') as HTMLSelectElement).disabled).toBe(true)
    expect(form.textContent).toContain('Save this provider first')
    expect((within(form).getByTestId('provider-key') as HTMLInputElement).disabled).toBe(true)
    fireEvent.click(within(form).getByTestId('speech-save'))
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ providers: { speech: { kind: 'elevenlabs', model: 'eleven_multilingual_v2', voice: null } } }]))

    // Saved, with a key: the account's voices.
    const xiVoices: VoiceView[] = [{ id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', language: null, engine: 'elevenlabs' }]
    fake.answers['providers/voices'] = ok(xiVoices)
    act(() => getStudio().setSettings(base({ speech: { kind: 'elevenlabs', baseURL: 'https://api.elevenlabs.io', model: 'eleven_multilingual_v2', hasKey: true } })))
    const voice = within(screen.getByTestId('provider-form-speech')).getByTestId('speech-voice') as HTMLSelectElement
    await waitFor(() => expect([...voice.options].map((o) => o.textContent)).toEqual(['Default voice for the language', 'Rachel · elevenlabs']))
    expect(voice.disabled).toBe(false)
    fireEvent.change(voice, { target: { value: '21m00Tcm4TlvDq8ikWAM' } })
    fireEvent.click(within(screen.getByTestId('provider-form-speech')).getByTestId('speech-save'))
    await waitFor(() =>
      expect(fake.of('settings/update').at(-1)).toEqual({ providers: { speech: { kind: 'elevenlabs', baseURL: 'https://api.elevenlabs.io', model: 'eleven_multilingual_v2', voice: '21m00Tcm4TlvDq8ikWAM' } } })
    )
  })
})

describe('settings: images, music, stock', () => {
  it('ComfyUI with a pasted workflow (refused while it is not JSON), AUTOMATIC1111, a Suno-style server, and the Pexels key', async () => {
    const fake = mount(base(), { 'settings/get': ok(base({ stock: { kind: 'pexels', baseURL: 'https://api.pexels.com', hasKey: true } })) })
    const image = screen.getByTestId('provider-form-image')
    fireEvent.change(within(image).getByTestId('image-kind'), { target: { value: 'comfyui' } })
    expect((within(image).getByTestId('image-url') as HTMLInputElement).value).toBe('http://127.0.0.1:8188')
    fireEvent.change(within(image).getByTestId('image-workflow'), { target: { value: '{"3": {"class_type": "KSampler"' } })
    fireEvent.click(within(image).getByTestId('image-save'))
    expect(within(image).getByTestId('image-workflow-error').textContent).toMatch(/^The workflow is not valid JSON: /)
    expect(fake.of('settings/update')).toEqual([])
    fireEvent.change(within(image).getByTestId('image-workflow'), { target: { value: '{"3": {"class_type": "KSampler", "inputs": {}}}' } })
    fireEvent.click(within(image).getByTestId('image-save'))
    await waitFor(() =>
      expect(fake.of('settings/update')).toEqual([{ providers: { image: { kind: 'comfyui', baseURL: 'http://127.0.0.1:8188', workflow: { '3': { class_type: 'KSampler', inputs: {} } } } } }])
    )
    fireEvent.change(within(image).getByTestId('image-kind'), { target: { value: 'automatic1111' } })
    fireEvent.change(within(image).getByTestId('image-url'), { target: { value: 'http://192.168.1.20:7860' } })
    fireEvent.click(within(image).getByTestId('image-save'))
    await waitFor(() => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { image: { kind: 'automatic1111', baseURL: 'http://192.168.1.20:7860' } } }))

    const music = screen.getByTestId('provider-form-music')
    fireEvent.change(within(music).getByTestId('music-kind'), { target: { value: 'suno' } })
    fireEvent.change(within(music).getByTestId('music-url'), { target: { value: 'http://127.0.0.1:3001' } })
    fireEvent.click(within(music).getByTestId('music-save'))
    await waitFor(() => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { music: { kind: 'suno', baseURL: 'http://127.0.0.1:3001' } } }))

    const stock = screen.getByTestId('provider-form-stock')
    const key = within(stock).getByTestId('provider-key') as HTMLInputElement
    expect(key.type).toBe('password')
    fireEvent.change(key, { target: { value: 'pexels-key' } })
    fireEvent.click(within(stock).getByTestId('provider-key-save'))
    await waitFor(() => expect(fake.of('settings/setApiKey')).toEqual([{ kind: 'stock', key: 'pexels-key' }]))
    expect(key.value).toBe('')
    await waitFor(() => expect(within(screen.getByTestId('provider-form-stock')).getByTestId('key-state').textContent).toMatch(/Key stored/))
    fireEvent.click(within(screen.getByTestId('provider-form-stock')).getByTestId('stock-on'))
    await waitFor(() => expect(fake.of('settings/update').at(-1)).toEqual({ providers: { stock: { kind: 'none' } } }))
  })
})

describe('settings: spend caps', () => {
  it('shows spend against each cap (queue/stats), and saves the caps as a whole; French as written in France', async () => {
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
    const section = screen.getByTestId('settings-budget')
    const meters = within(section).getAllByTestId('spend-meter')
    expect(meters.map((m) => m.textContent)).toEqual([expect.stringMatching(/^\$1\.20 of \$5\.00 today · resets /), expect.stringMatching(/^\$20\.00 of \$20\.00 this month · cap reached: paid steps wait until /)])
    fireEvent.change(within(section).getByTestId('budget-daily'), { target: { value: '7,5' } })
    fireEvent.change(within(section).getByTestId('budget-monthly'), { target: { value: '100' } })
    fireEvent.click(within(section).getByTestId('budget-add'))
    const rows = within(section).getAllByTestId('budget-row')
    fireEvent.change(within(rows[1]!).getByLabelText('Provider (e.g. openai, elevenlabs)'), { target: { value: 'openai' } })
    fireEvent.change(within(rows[1]!).getByLabelText('openai Per day (USD)'), { target: { value: '2' } })
    fireEvent.click(within(section).getByTestId('budget-save'))
    await waitFor(() =>
      expect(fake.of('settings/update')).toEqual([
        { budget: { dailyUsd: 7.5, monthlyUsd: 100, providers: { elevenlabs: { dailyUsd: null, monthlyUsd: 20 }, openai: { dailyUsd: 2, monthlyUsd: null } } } }
      ])
    )
    fireEvent.change(within(section).getByTestId('budget-daily'), { target: { value: '-1' } })
    fireEvent.click(within(section).getByTestId('budget-save'))
    expect(section.textContent).toContain('Caps are amounts in US dollars, 0 or more.')
    expect(fake.of('settings/update')).toHaveLength(1)

    act(() => getStudio().setLocale('fr'))
    expect(within(screen.getByTestId('settings-budget')).getAllByTestId('spend-meter')[1]!.textContent).toMatch(/^20,00\u00a0\$US sur 20,00\u00a0\$US ce mois-ci · plafond atteint\u00a0: les étapes payantes attendent jusqu’au /)
  })
})
