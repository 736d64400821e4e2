import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { renderSubtitlePreview } from '../../src/main/engine/subtitle-preview'
import { tempDir } from '../helpers/engine'

/** Settings → captions preview: real ffmpeg (and ImageMagick) frames, through the contract handler. */
let studio: Studio
const TEXT = 'Octopuses have three hearts'

beforeAll(() => {
  studio = openStudio({ dataDir: tempDir('studio-preview-') })
  // What is saved: libass captions on a vertical short.
  studio.settings.applyPatch({ captionRenderer: 'libass', videoPreset: 'short' })
})
afterAll(() => studio.close())

async function preview(request: Record<string, unknown>): Promise<Buffer> {
  const r = await dispatch(studioHandlers(studio), 'settings/previewSubtitles', { text: TEXT, ...request })
  if (!r.ok) throw new Error(r.error.message)
  const dataUrl = (r.value as { dataUrl: string }).dataUrl
  expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true)
  return Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64')
}

/** Width and height from the PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

describe('subtitle preview', () => {
  it('uses the saved format when the form sends none, and the form’s unsaved format when it does', async () => {
    expect(pngSize(await preview({}))).toEqual({ width: 540, height: 960 })
    expect(pngSize(await preview({ videoPreset: 'landscape' }))).toEqual({ width: 960, height: 540 })
  })

  it('draws with the form’s unsaved caption renderer, not the saved one', async () => {
    const style = studio.settings.get().subtitleStyle
    const engine = async (renderer: 'libass' | 'imagemagick') =>
      renderSubtitlePreview({ text: TEXT, style, preset: 'short', renderer, ffmpeg: studio.services.binaries() })
    const magick = await engine('imagemagick')
    const libass = await engine('libass')
    expect(magick.renderer).toBe('imagemagick')
    expect(libass.renderer).toBe('libass')
    // The two renderers draw different pixels; the handler's frame is ImageMagick's.
    expect(magick.png.equals(libass.png)).toBe(false)
    const viaHandler = await preview({ captionRenderer: 'imagemagick' })
    expect(viaHandler.equals(magick.png)).toBe(true)
    expect((await preview({})).equals(libass.png)).toBe(true)
  })

  it('refuses a renderer or format the app does not have', async () => {
    const r = await dispatch(studioHandlers(studio), 'settings/previewSubtitles', { text: TEXT, captionRenderer: 'canvas', videoPreset: 'square' })
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })
})
