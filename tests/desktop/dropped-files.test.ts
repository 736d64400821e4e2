/**
 * studio:import-dropped, the preload-only channel that imports dropped media by path: wired in
 * the real desktop app (electron double, real studio), refused to any frame but our page's main
 * frame, strict about its request, and one bad file never stops the others.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { IMPORT_DROPPED_CHANNEL, registerDroppedFilesHandler } from '../../src/main/desktop/dropped-files'
import type { ImportDroppedResult, Result } from '../../src/shared/contract'
import { electron } from '../helpers/electron-double'
import { tempDir } from '../helpers/engine'
import { useDesktop } from './boot'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

function dropFolder() {
  const dir = tempDir('dropped-')
  const clip = join(dir, 'clip.mp4')
  writeFileSync(clip, Buffer.from('not really a video, but bytes to copy'))
  const secret = join(dir, 'id_rsa')
  writeFileSync(secret, '-----BEGIN OPENSSH PRIVATE KEY-----')
  return { dir, clip, secret }
}

describe('studio:import-dropped in the desktop app', () => {
  const booted = useDesktop()
  const call = (frame: Parameters<typeof booted.invokeFrom>[0], request: unknown) =>
    booted.invokeFrom(frame, IMPORT_DROPPED_CHANNEL, request) as Promise<Result<ImportDroppedResult>>

  it('imports a good file and refuses a bad one by name, from our page', async () => {
    const { clip, secret } = dropFolder()
    const result = await call(booted.win.webContents.mainFrame, { projectId: 'promo', files: [{ path: secret }, { path: clip }] })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value.imported).toEqual([expect.objectContaining({ projectId: 'promo', name: 'clip.mp4', kind: 'video', bytes: readFileSync(clip).length })])
    expect(result.value.refused).toEqual([{ name: 'id_rsa', reason: expect.stringMatching(/"id_rsa" is not an image, audio or video file/) }])
    expect(booted.studio.projects.assets('promo')).toEqual(result.value.imported)
    expect(readFileSync(result.value.imported[0]!.path)).toEqual(readFileSync(clip))
    expect(result.value.imported[0]!.path.startsWith(booted.studio.dataDir)).toBe(true)
  })

  it('a missing file and a relative path are refused by name; the rest of the drop still comes in', async () => {
    const { dir, clip } = dropFolder()
    const result = await call(booted.win.webContents.mainFrame, {
      projectId: 'promo',
      files: [{ path: join(dir, 'gone.mov') }, { path: 'relative.png' }, { path: clip }]
    })
    expect(result).toMatchObject({
      ok: true,
      value: {
        imported: [{ name: 'clip.mp4' }],
        refused: [
          { name: 'gone.mov', reason: expect.stringMatching(/does not exist/) },
          { name: 'relative.png', reason: expect.stringMatching(/not absolute/) }
        ]
      }
    })
  })

  it('is refused from an iframe, a navigated window or a gone frame, before validation or the engine', async () => {
    const { clip } = dropFolder()
    const request = { projectId: 'promo', files: [{ path: clip }] }
    const main = booted.win.webContents.mainFrame
    const frames = [booted.win.webContents.addSubframe('https://ads.example.com/frame.html'), booted.win.webContents.addSubframe(booted.appUrl), null]
    for (const frame of frames) {
      expect(await call(frame, request)).toEqual({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/refused/) } })
      // Not even validation runs: a bad request gets the same answer.
      expect(await call(frame, { nonsense: true })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    main.url = 'https://evil.example/phish.html'
    expect(await call(main, request)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(booted.studio.projects.assets('promo')).toEqual([])
    expect(existsSync(join(booted.studio.dataDir, 'projects', 'promo', 'assets')) ? readdirSync(join(booted.studio.dataDir, 'projects', 'promo', 'assets')) : []).toEqual([])
    expect(booted.logs.filter((l) => l.includes(IMPORT_DROPPED_CHANNEL) && /refused/.test(l))).toHaveLength(frames.length * 2 + 1)
  })

  it('a bad request is refused with bad_request naming the field', async () => {
    const main = booted.win.webContents.mainFrame
    const cases: Array<[unknown, RegExp]> = [
      [{ projectId: 'promo', files: [{ path: '' }] }, /files\.0\.path/],
      [{ projectId: 'promo', files: [{ path: 'x'.repeat(4097) }] }, /files\.0\.path/],
      [{ projectId: 'promo', files: [{ path: '/a.png', mode: 'rw' }] }, /files\.0.*mode/],
      [{ projectId: 'promo', files: [] }, /files/],
      [{ projectId: 'promo', files: Array.from({ length: 101 }, () => ({ path: '/a.png' })) }, /files/],
      [{ files: [{ path: '/a.png' }] }, /projectId/],
      [{ projectId: 'x'.repeat(201), files: [{ path: '/a.png' }] }, /projectId/],
      [{ projectId: 'promo', files: [{ path: '/a.png' }], sql: 'DROP TABLE assets' }, /sql/],
      [{ projectId: 'promo', files: '/etc/passwd' }, /files/],
      [undefined, /projectId/]
    ]
    for (const [request, field] of cases) {
      const result = await call(main, request)
      expect(result, JSON.stringify(request)?.slice(0, 80)).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(field) } })
    }
    expect(booted.studio.projects.assets('promo')).toEqual([])
  })
})

describe('registerDroppedFilesHandler', () => {
  it('registers the one channel and its undo removes it', () => {
    electron.reset()
    const undo = registerDroppedFilesHandler({ importAssetFile: () => Promise.reject(new Error('unused')) }, () => true, () => {})
    expect(electron.callsTo('ipcMain.handle').map((c) => c.args[0])).toEqual([IMPORT_DROPPED_CHANNEL])
    undo()
    expect(electron.ipcMain.handlers.has(IMPORT_DROPPED_CHANNEL)).toBe(false)
  })
})
