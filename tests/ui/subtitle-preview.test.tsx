// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { SettingsPanel } from '../../src/renderer/src/components/settings/SettingsPanel'
import { getStudio } from '../../src/renderer/src/store'
import { fakeApi, ok, settings } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

describe('settings → subtitle preview', () => {
  it('previews the renderer and format picked in the form, as they are saved (settings save as you go)', async () => {
    // Saved: libass, short. The user picks ImageMagick and landscape.
    getStudio().setSettings(settings({ captionRenderer: 'libass', videoPreset: 'short' }))
    // settings/update answers with the settings it saved, as the engine does.
    const fake = fakeApi({
      'settings/previewSubtitles': ok({ dataUrl: 'data:image/png;base64,AAAA' }),
      'settings/update': (patch: object) => ok({ ...getStudio().settings!, ...patch })
    })
    render(
      <ApiProvider api={fake.api}>
        <SettingsPanel />
      </ApiProvider>
    )
    await waitFor(() => expect(fake.of('settings/previewSubtitles')).toHaveLength(1), { timeout: 2000 })
    expect(fake.of('settings/previewSubtitles')[0]).toMatchObject({ captionRenderer: 'libass', videoPreset: 'short' })

    fireEvent.change(screen.getByLabelText('Caption renderer'), { target: { value: 'imagemagick' } })
    fireEvent.change(screen.getByLabelText('Video format'), { target: { value: 'landscape' } })

    await waitFor(() => expect(fake.of('settings/previewSubtitles').at(-1)).toMatchObject({ captionRenderer: 'imagemagick', videoPreset: 'landscape' }), {
      timeout: 2000
    })
    await waitFor(() => expect(fake.of('settings/update')).toEqual([{ captionRenderer: 'imagemagick' }, { videoPreset: 'landscape' }]))
  })
})
