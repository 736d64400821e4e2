// @vitest-environment jsdom
/**
 * Media dropped on a project: in the desktop app they go by path in one `importDropped` call
 * (no base64, any size); in a browser (`studio serve`) by `assets/import` with their bytes, where
 * a file over the contract's 500 MB is refused up front. Every refused file is named to the user.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ImportDroppedResult, Result, StudioApi } from '../../src/shared/contract'
import type { AssetView } from '../../src/shared/types'
import { ApiProvider } from '../../src/renderer/src/api/context'
import { importMedia, MAX_UPLOAD_BYTES, ProjectEditor } from '../../src/renderer/src/components/projects/ProjectEditor'
import { getStudio } from '../../src/renderer/src/store'
import { fail, fakeApi, ok } from './fixtures'
import { installLayout } from './setup-dom'

beforeEach(() => installLayout())

const asset = (name: string, kind: AssetView['kind'] = 'video'): AssetView => ({
  id: `id-${name}`,
  projectId: 'promo',
  name,
  kind,
  path: `/data/projects/promo/assets/${name}`,
  bytes: 10,
  createdAt: 1
})

/** A File whose size says what the test needs (jsdom would otherwise need the bytes). */
function fileOfSize(name: string, type: string, size: number): File {
  const file = new File([], name, { type })
  Object.defineProperty(file, 'size', { value: size })
  return file
}

const notices = () => getStudio().notices.map((n) => `${n.kind}: ${n.text}`)

describe('desktop: dropped media go by path, in one call', () => {
  it('sends every media file at once (never assets/import), shows the imported assets and names each refused file', async () => {
    getStudio().setProjects([{ id: 'promo', name: 'Promo', jobCount: 0, assetCount: 0, createdAt: 1 }])
    const fake = fakeApi({ 'assets/list': ok([]) })
    const importDropped = vi.fn(
      async (_projectId: string, files: File[]): Promise<Result<ImportDroppedResult>> =>
        ok({ imported: [asset(files[0]!.name)], refused: [{ name: files[1]!.name, reason: `"${files[1]!.name}": the file does not exist` }] })
    )
    const api: StudioApi = { ...fake.api, importDropped }
    render(
      <ApiProvider api={api}>
        <ProjectEditor />
      </ApiProvider>
    )
    // The project's asset list has arrived (else it could land after the import and hide it).
    await waitFor(() => expect(fake.of('assets/list')).toHaveLength(1))
    await act(() => Promise.resolve())
    const clip = fileOfSize('holiday.mp4', 'video/mp4', 3 * 1024 * 1024 * 1024)
    const gone = new File(['x'], 'gone.mov', { type: 'video/quicktime' })
    const sheet = new File(['idea\n'], 'ideas.csv', { type: 'text/csv' })
    fireEvent.drop(screen.getByTestId('project-view'), { dataTransfer: { files: [clip, sheet, gone], types: ['Files'] } })
    await waitFor(() => expect(screen.getAllByTestId('asset')).toHaveLength(1))
    expect(importDropped).toHaveBeenCalledTimes(1)
    expect(importDropped).toHaveBeenCalledWith('promo', [clip, gone])
    expect(fake.of('assets/import')).toEqual([])
    expect(getStudio().assets.promo).toEqual([asset('holiday.mp4')])
    await waitFor(() => expect(notices()).toContain('success: 1 file imported'))
    expect(notices()).toContain('error: "gone.mov": the file does not exist')
  })

  it('a refusal without the name in its reason gets the name; a failed call names the files', async () => {
    const importDropped = vi.fn(async (): Promise<Result<ImportDroppedResult>> => ok({ imported: [], refused: [{ name: 'forged.png', reason: 'not a file on disk' }] }))
    const api: StudioApi = { ...fakeApi().api, importDropped }
    expect(await importMedia(api, 'promo', [new File(['x'], 'forged.png', { type: 'image/png' })])).toEqual({ media: 1, imported: 0 })
    expect(notices()).toEqual(['error: forged.png: not a file on disk'])

    importDropped.mockResolvedValueOnce(fail('forbidden', 'refused: this request did not come from the Creative Studio window'))
    await importMedia(api, 'promo', [new File(['x'], 'a.png', { type: 'image/png' }), new File(['x'], 'b.mp3', { type: 'audio/mpeg' })])
    expect(notices().at(-1)).toBe('error: a.png, b.mp3: refused: this request did not come from the Creative Studio window')
  })

  it('files that are not media are not sent at all', async () => {
    const importDropped = vi.fn()
    const api: StudioApi = { ...fakeApi().api, importDropped }
    expect(await importMedia(api, 'promo', [new File(['x'], 'notes.txt', { type: 'text/plain' })])).toEqual({ media: 0, imported: 0 })
    // An image type the pipelines cannot read is refused here as the engine would refuse it.
    expect(await importMedia(api, 'promo', [new File(['<svg/>'], 'logo.svg', { type: 'image/svg+xml' })])).toEqual({ media: 0, imported: 0 })
    expect(importDropped).not.toHaveBeenCalled()
  })
})

describe('browser: media go as base64 through assets/import', () => {
  it('a file larger than the contract allows is named to the user and never read or sent', async () => {
    const fake = fakeApi({ 'assets/import': (r: { name: string }) => ok(asset(r.name, 'image')) })
    const big = fileOfSize('concert.mkv', 'video/x-matroska', MAX_UPLOAD_BYTES + 1)
    const small = new File(['PNG'], 'poster.png', { type: 'image/png' })
    expect(await importMedia(fake.api, 'promo', [big, small])).toEqual({ media: 2, imported: 1 })
    expect(fake.of('assets/import')).toEqual([{ projectId: 'promo', name: 'poster.png', contentBase64: btoa('PNG') }])
    expect(notices()).toEqual(['error: concert.mkv is larger than 4 MB; import it in the desktop app'])
    expect(getStudio().assets.promo).toEqual([asset('poster.png', 'image')])
  })

  it('a file the engine refuses is reported with its name, once', async () => {
    const fake = fakeApi({ 'assets/import': fail('bad_request', 'assets/import: contentBase64: file is larger than 500 MB') })
    expect(await importMedia(fake.api, 'promo', [new File(['x'], 'sunset.png', { type: 'image/png' })])).toEqual({ media: 1, imported: 0 })
    expect(notices()).toEqual(['error: sunset.png: assets/import: contentBase64: file is larger than 500 MB'])
  })
})
