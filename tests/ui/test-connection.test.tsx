// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { SettingsPanel } from '../../src/renderer/src/components/settings/SettingsPanel'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, ok, settings } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

describe('settings → Test connection', () => {
  it('runs the provider’s probe for that kind and shows its answer and time, or its error', async () => {
    getStudio().setLocale('en')
    getStudio().setSettings(settings())
    const answers = [
      { ok: true, provider: 'openai:gpt-4o-mini', ms: 183, message: null },
      { ok: false, provider: 'openai:gpt-4o-mini', ms: 12, message: 'HTTP 401: bad key' }
    ]
    const fake = fakeApi({ 'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }), 'providers/test': () => ok(answers.shift()!) })
    render(
      <ApiProvider api={fake.api}>
        <SettingsPanel />
      </ApiProvider>
    )
    const form = screen.getByTestId('provider-form-text')
    fireEvent.click(within(form).getByTestId('provider-test'))
    await waitFor(() => expect(within(form).getByTestId('provider-test-result').textContent).toContain('openai:gpt-4o-mini answered in 183 ms'))
    expect(fake.of('providers/test')).toEqual([{ kind: 'text' }])
    fireEvent.click(within(form).getByTestId('provider-test'))
    await waitFor(() => expect(within(form).getByTestId('provider-test-result').textContent).toContain('did not answer (12 ms): HTTP 401: bad key'))
  })
})
