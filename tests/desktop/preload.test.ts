/**
 * The preload, loaded as the sandboxed renderer would load it (against the electron double):
 * one function per contract command, subscribe, fileUrl and importDropped on window.api, nothing raw.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { COMMAND_NAMES, commands, type PreloadApi, type StudioApi } from '../../src/shared/contract'
import { fromPreload } from '../../src/shared/preload-client'
import type { EngineEvent } from '../../src/shared/types'
import { IMPORT_DROPPED_CHANNEL } from '../../src/main/desktop/dropped-files'
import { EVENT_CHANNEL } from '../../src/main/desktop/push'
import { pathFromFileUrl } from '../../src/main/desktop/file-url'
import { electron } from '../helpers/electron-double'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

let exposed: PreloadApi
let api: StudioApi

beforeAll(async () => {
  electron.reset()
  await import('../../src/preload/index')
  exposed = electron.contextBridge.exposed.get('api') as PreloadApi
  api = fromPreload(exposed)
})

beforeEach(() => {
  electron.ipcRenderer.invoked.length = 0
})

describe('preload', () => {
  it('exposes one function per contract command, subscribe, fileUrl and importDropped — nothing else, no ipcRenderer', () => {
    expect([...electron.contextBridge.exposed.keys()]).toEqual(['api'])
    expect(Object.keys(exposed).sort()).toEqual([...Object.keys(commands), 'fileUrl', 'importDropped', 'subscribe'].sort())
    expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(commands).sort())
    for (const value of Object.values(exposed)) expect(typeof value).toBe('function')
    expect(Object.values(exposed)).not.toContain(electron.ipcRenderer)
  })

  it('each command function sends on the channel of its own name and returns main’s Result', async () => {
    electron.ipcRenderer.reply = () => ({ ok: true, value: [] })
    expect(await exposed['jobs/list']({ status: 'pending' })).toEqual({ ok: true, value: [] })
    await exposed['queue/pause']({})
    expect(electron.ipcRenderer.invoked).toEqual([
      { channel: 'jobs/list', args: [{ status: 'pending' }] },
      { channel: 'queue/pause', args: [{}] }
    ])
  })

  it('the renderer reaches them through the same StudioApi as in the browser', async () => {
    electron.ipcRenderer.reply = () => ({ ok: true, value: [] })
    const result = await api.invoke('jobs/list', { status: 'pending' })
    expect(result).toEqual({ ok: true, value: [] })
    expect(electron.ipcRenderer.invoked).toEqual([{ channel: 'jobs/list', args: [{ status: 'pending' }] }])
  })

  it('subscribe registers one listener on studio:event and its unsubscribe removes it', () => {
    const seen: EngineEvent[] = []
    const unsubscribe = api.subscribe((e) => seen.push(e))
    expect(electron.ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(1)
    electron.ipcRenderer.push(EVENT_CHANNEL, { type: 'queue.changed', paused: true })
    electron.ipcRenderer.push('some-other-channel', { type: 'queue.changed', paused: false })
    // The listener gets the event only, never the IpcRendererEvent (which carries `sender`).
    expect(seen).toEqual([{ type: 'queue.changed', paused: true }])
    unsubscribe()
    expect(electron.ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(0)
  })

  it('fileUrl builds the studio-file URL main serves', () => {
    const url = api.fileUrl('/data/Creative Studio/jobs/01/video.mp4')
    expect(url).toBe('studio-file://local/%2Fdata%2FCreative%20Studio%2Fjobs%2F01%2Fvideo.mp4')
    expect(pathFromFileUrl(url)).toBe('/data/Creative Studio/jobs/01/video.mp4')
  })

  it('importDropped sends the path Electron knows for a dropped File, on studio:import-dropped', async () => {
    const clip = new File(['bytes'], 'clip.mp4', { type: 'video/mp4' })
    electron.webUtils.pathOf.set(clip, '/home/me/Videos/clip.mp4')
    const asset = { id: 'a1', projectId: 'promo', name: 'clip.mp4', kind: 'video', path: '/data/clip.mp4', bytes: 5, createdAt: 1 }
    electron.ipcRenderer.reply = () => ({ ok: true, value: { imported: [asset], refused: [] } })
    const result = await api.importDropped!('promo', [clip])
    expect(result).toEqual({ ok: true, value: { imported: [asset], refused: [] } })
    expect(electron.ipcRenderer.invoked).toEqual([{ channel: IMPORT_DROPPED_CHANNEL, args: [{ projectId: 'promo', files: [{ path: '/home/me/Videos/clip.mp4' }] }] }])
    expect(electron.callsTo('webUtils.getPathForFile').at(-1)?.args).toEqual([clip])
  })

  it('importDropped refuses a File the page built (no path) by name, without any IPC when it is the only one', async () => {
    const forged = new File(['ssh key'], 'id_rsa.mp4', { type: 'video/mp4' })
    const result = await exposed.importDropped('promo', [forged])
    expect(result).toEqual({ ok: true, value: { imported: [], refused: [{ name: 'id_rsa.mp4', reason: 'not a file on disk' }] } })
    expect(electron.ipcRenderer.invoked).toEqual([])
  })

  it('importDropped takes File objects only: a look-alike object carrying a path never reaches IPC', async () => {
    const lookAlike = { name: 'id_rsa.png', path: '/home/me/.ssh/id_rsa', size: 1, type: 'image/png' }
    await expect(exposed.importDropped('promo', [lookAlike as unknown as File])).rejects.toThrow()
    expect(electron.ipcRenderer.invoked).toEqual([])
  })

  it('importDropped sends only the Files with a path and adds the others to main’s refusals; main’s errors pass through', async () => {
    const real = new File(['x'], 'real.png', { type: 'image/png' })
    electron.webUtils.pathOf.set(real, '/home/me/real.png')
    const forged = new File(['x'], 'forged.png', { type: 'image/png' })
    electron.ipcRenderer.reply = () => ({ ok: true, value: { imported: [], refused: [{ name: 'real.png', reason: 'gone' }] } })
    expect(await exposed.importDropped('promo', [forged, real])).toEqual({
      ok: true,
      value: { imported: [], refused: [{ name: 'forged.png', reason: 'not a file on disk' }, { name: 'real.png', reason: 'gone' }] }
    })
    expect(electron.ipcRenderer.invoked).toEqual([{ channel: IMPORT_DROPPED_CHANNEL, args: [{ projectId: 'promo', files: [{ path: '/home/me/real.png' }] }] }])
    const refusal = { ok: false, error: { code: 'forbidden', message: 'refused' } }
    electron.ipcRenderer.reply = () => refusal
    expect(await exposed.importDropped('promo', [real])).toEqual(refusal)
  })

  it('stays small and imports nothing from Node or the engine', async () => {
    const { readFileSync } = await import('node:fs')
    const source = readFileSync('src/preload/index.ts', 'utf8')
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1])
    expect(imports).toEqual(['electron', '../shared/command-names', '../shared/contract', '../main/desktop/file-url'])
    // Names only: the contract is imported for its types, so no schema (zod) is bundled.
    expect(source).toMatch(/^import type \{[^}]*\} from '\.\.\/shared\/contract'$/m)
    expect(readFileSync('src/shared/command-names.ts', 'utf8')).not.toMatch(/^import /m)
    // file-url is pure string work.
    expect(readFileSync('src/main/desktop/file-url.ts', 'utf8')).not.toMatch(/^import /m)
    expect(source.split('\n').length).toBeLessThan(40)
  })
})
