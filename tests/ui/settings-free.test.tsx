// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resetAutosave } from '../../src/renderer/src/components/settings/autosave'
import type { ProviderChoiceView } from '../../src/shared/types'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { SettingsPanel } from '../../src/renderer/src/components/settings/SettingsPanel'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, ok, settings } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())
afterEach(() => resetAutosave())

const LOCAL = 'http://127.0.0.1:11434/v1'

/** The settings panel with `text` as given, a fake api that answers every save with the same settings. */
function mountWithText(text: ProviderChoiceView) {
  const view = settings({ providers: { ...settings().providers, text } })
  getStudio().setSettings(view)
  const fake = fakeApi({ 'settings/update': ok(view), 'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }) })
  render(
    <ApiProvider api={fake.api}>
      <SettingsPanel />
    </ApiProvider>
  )
  const form = screen.getByTestId('provider-form-text')
  return { fake, form, box: () => within(form).getByTestId('provider-free') as HTMLInputElement }
}

describe('settings → "this server does not charge"', () => {
  it('shows the saved switch and sends it back with the next change (settings save as you go)', async () => {
    const { fake, form, box } = mountWithText({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true, hasKey: false })
    expect(box().checked).toBe(true)
    expect(form.textContent).toContain('Free — this server does not charge (a model on this computer)')
    fireEvent.change(within(form).getByTestId('provider-model'), { target: { value: 'llama3.3' } })
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ providers: { text: { kind: 'openai', baseURL: LOCAL, model: 'llama3.3', free: true } } }]), { timeout: 3000 })
  })

  it('ticking the box sends free: true', async () => {
    const unticked = mountWithText({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', hasKey: false })
    expect(unticked.box().checked).toBe(false)
    fireEvent.click(unticked.box())
    expect(unticked.box().checked).toBe(true)
    await waitFor(() => expect(unticked.fake.of('settings/update')).toEqual([{ providers: { text: { kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true } } }]), { timeout: 3000 })
  })

  it('unticking a saved switch sends free: false', async () => {
    const { fake, form, box } = mountWithText({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true, hasKey: false })
    fireEvent.click(box())
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ providers: { text: { kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: false } } }]), { timeout: 3000 })
  })

  it('does not carry the switch to another server unless ticked again', async () => {
    const { fake, form, box } = mountWithText({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true, hasKey: false })
    fireEvent.change(within(form).getByTestId('provider-url'), { target: { value: 'https://api.openai.com/v1' } })
    expect(box().checked).toBe(false)
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ providers: { text: { kind: 'openai', baseURL: 'https://api.openai.com/v1', model: 'llama3.2', free: false } } }]), { timeout: 3000 })
  })

  it('suggests the switch for a server on this computer only', () => {
    const { form, box } = mountWithText({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', hasKey: false })
    expect(within(form).getByTestId('provider-free-hint').textContent).toMatch(/runs on this computer/)
    fireEvent.click(box())
    expect(within(form).queryByTestId('provider-free-hint')).toBeNull()
    fireEvent.click(box())
    for (const [address, shown] of [['http://localhost:1234/v1', true], ['http://[::1]:8080/v1', true], ['https://api.openai.com/v1', false], ['http://192.168.1.20:11434/v1', false]] as const) {
      fireEvent.change(within(form).getByTestId('provider-url'), { target: { value: address } })
      expect(within(form).queryByTestId('provider-free-hint') !== null, address).toBe(shown)
    }
  })

  it('is labelled in French', () => {
    getStudio().setLocale('fr')
    const { form } = mountWithText({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', hasKey: false })
    expect(form.textContent).toContain('Gratuit — ce serveur ne facture rien (un modèle sur cet ordinateur)')
  })
})
