// @vitest-environment jsdom
/**
 * A step's output files in the desktop app: "Show in folder" reveals them in the OS file
 * manager, and the file name is not a dead link (the window refuses new windows). A browser
 * showing `studio serve` may be on another computer, so it keeps plain links and no reveal.
 */
import { fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { PreloadApi } from '../../src/shared/contract'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { MediaFile } from '../../src/renderer/src/components/tracker/Media'
import { translate } from '../../src/renderer/src/i18n'
import { fakeApi } from './fixtures'
import './setup-dom'

const VIDEO = '/data/jobs/x/c/final.mp4'

function mount() {
  const fake = fakeApi()
  render(
    <ApiProvider api={fake.api}>
      <MediaFile path={VIDEO} label="video" />
    </ApiProvider>
  )
  return { fake, figure: screen.getByTestId('media-video') }
}

afterEach(() => {
  delete window.api
})

describe('output files', () => {
  it('in the desktop app: "Show in folder" and the file name both reveal the file; no link that opens a window', () => {
    window.api = {} as PreloadApi // the preload is there: the transport is Electron's
    const { fake, figure } = mount()
    fireEvent.click(within(figure).getByRole('button', { name: 'Show in folder' }))
    expect(fake.of('system/reveal')).toEqual([{ path: VIDEO }])
    fireEvent.click(within(figure).getByRole('button', { name: 'video' }))
    expect(fake.of('system/reveal')).toEqual([{ path: VIDEO }, { path: VIDEO }])
    expect(figure.querySelector('a[target="_blank"]')).toBeNull()
  })

  it('in the browser (studio serve): a link to the file, and no reveal', () => {
    const { fake, figure } = mount()
    expect(within(figure).queryByRole('button', { name: 'Show in folder' })).toBeNull()
    const link = within(figure).getByRole('link', { name: 'video' })
    expect(link.getAttribute('href')).toBe(fake.api.fileUrl(VIDEO))
    expect(link.getAttribute('target')).toBe('_blank')
    expect(fake.of('system/reveal')).toEqual([])
  })

  it('says it in French too', () => {
    expect(translate('fr', 'detail.showInFolder')).toBe('Afficher dans le dossier')
  })
})
