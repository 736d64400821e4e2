// @vitest-environment jsdom
/**
 * The settings page saves as you go: no Save button, a change is sent after a pause in typing,
 * switching view sends what is waiting instead of dropping it, a refused value stays (after
 * leaving and coming back) with the reason under the field in the user's words, and one discreet
 * indicator says whether everything is saved. The fake transport validates with the contract's
 * own schema and issues, as main's dispatch does.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { resetAutosave } from '../../src/renderer/src/components/settings/autosave'
import { SettingsPanel } from '../../src/renderer/src/components/settings/SettingsPanel'
import { getStudio, useStudio } from '../../src/renderer/src/store'
import { zodIssues } from '../../src/shared/api-issues'
import { SettingsPatch } from '../../src/shared/contract'
import type { SettingsView } from '../../src/shared/types'
import { fakeApi, ok, settings } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())
afterEach(() => resetAutosave())

/** What switching view does: the App shows the settings page only while it is the view. */
function Page() {
  const view = useStudio((s) => s.view)
  return view === 'settings' ? <SettingsPanel /> : <p>queue</p>
}

function mount() {
  let saved: SettingsView = settings()
  getStudio().setSettings(saved)
  getStudio().setView('settings')
  const fake = fakeApi({
    'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }),
    'settings/update': (request: unknown) => {
      const parsed = SettingsPatch.safeParse(request)
      if (!parsed.success) return { ok: false, error: { code: 'bad_request', message: 'settings/update: refused', issues: zodIssues(parsed.error, request) } }
      const p = parsed.data
      saved = { ...saved, ...(p.concurrency ? { concurrency: p.concurrency } : {}), subtitleStyle: { ...saved.subtitleStyle, ...(p.subtitleStyle ?? {}) } }
      return ok(saved)
    }
  })
  render(
    <ApiProvider api={fake.api}>
      <Page />
    </ApiProvider>
  )
  return fake
}

const input = (id: string) => document.getElementById(id) as HTMLInputElement

describe('settings save as you go', () => {
  it('has no Save button; a size typed then a view switched at once is saved, not lost', async () => {
    const fake = mount()
    expect(screen.queryAllByRole('button', { name: /^Save$/ })).toEqual([])
    fireEvent.change(input('st-fontSize'), { target: { value: '70' } })
    // Straight away, before the pause in typing is over.
    act(() => getStudio().setView('queue'))
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ subtitleStyle: { fontSize: 70 } }]))
    await waitFor(() => expect(getStudio().settings?.subtitleStyle.fontSize).toBe(70))
    act(() => getStudio().setView('settings'))
    expect(input('st-fontSize').value).toBe('70')
  })

  it('saves after a pause in typing and says so, once, for the whole page', async () => {
    const fake = mount()
    fireEvent.change(input('st-fontSize'), { target: { value: '7' } })
    fireEvent.change(input('st-fontSize'), { target: { value: '72' } })
    expect(screen.getByTestId('settings-save-state').textContent).toMatch(/Saving…/)
    await waitFor(() => expect(screen.getByTestId('settings-save-state').textContent).toMatch(/All changes saved/), { timeout: 3000 })
    expect(fake.of('settings/update')).toEqual([{ subtitleStyle: { fontSize: 72 } }])
    expect(screen.getAllByTestId('settings-save-state')).toHaveLength(1)
  })

  it('a refused value stays with its reason under the field, in French, after leaving the page and coming back', async () => {
    getStudio().setLocale('fr')
    const fake = mount()
    fireEvent.change(input('set-conc'), { target: { value: '0' } })
    await waitFor(() => expect(screen.getByTestId('concurrency-error').textContent).toBe('Le champ «\u00a0Tâches simultanées\u00a0» est trop petit\u00a0: saisissez 1 ou plus.'), { timeout: 3000 })
    expect(screen.getByTestId('settings-save-state').textContent).toMatch(/Non enregistré/)
    act(() => getStudio().setView('queue'))
    act(() => getStudio().setView('settings'))
    expect(input('set-conc').value).toBe('0')
    expect(screen.getByTestId('concurrency-error').textContent).toMatch(/trop petit/)
    fireEvent.change(input('set-conc'), { target: { value: '4' } })
    await waitFor(() => expect(getStudio().settings?.concurrency).toBe(4), { timeout: 3000 })
    expect(screen.queryByTestId('concurrency-error')).toBeNull()
    expect(fake.of('settings/update')).toEqual([{ concurrency: 0 }, { concurrency: 4 }])
    await waitFor(() => expect(screen.getByTestId('settings-save-state').textContent).toMatch(/Modifications enregistrées/))
  })
})
