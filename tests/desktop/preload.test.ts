/**
 * The preload, loaded as the sandboxed renderer would load it (against the electron double):
 * one function per contract command, subscribe and fileUrl on window.api, nothing raw.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { COMMAND_NAMES, commands, type PreloadApi, type StudioApi } from '../../src/shared/contract'
import { fromPreload } from '../../src/shared/preload-client'
import type { EngineEvent } from '../../src/shared/types'
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
  it('exposes one function per contract command, subscribe and fileUrl — nothing else, no ipcRenderer', () => {
    expect([...electron.contextBridge.exposed.keys()]).toEqual(['api'])
    expect(Object.keys(exposed).sort()).toEqual([...Object.keys(commands), 'fileUrl', 'subscribe'].sort())
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
