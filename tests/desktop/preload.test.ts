/**
 * The preload, loaded as the sandboxed renderer would load it (against the electron double):
 * exactly three functions on window.api, typed by the contract, nothing raw.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { StudioApi } from '../../src/shared/contract'
import type { EngineEvent } from '../../src/shared/types'
import { EVENT_CHANNEL } from '../../src/main/desktop/push'
import { pathFromFileUrl } from '../../src/main/desktop/file-url'
import { electron } from '../helpers/electron-double'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

let api: StudioApi

beforeAll(async () => {
  electron.reset()
  await import('../../src/preload/index')
  api = electron.contextBridge.exposed.get('api') as StudioApi
})

beforeEach(() => {
  electron.ipcRenderer.invoked.length = 0
})

describe('preload', () => {
  it('exposes exactly invoke, subscribe and fileUrl as window.api — nothing else, no ipcRenderer', () => {
    expect([...electron.contextBridge.exposed.keys()]).toEqual(['api'])
    expect(Object.keys(api).sort()).toEqual(['fileUrl', 'invoke', 'subscribe'])
    for (const value of Object.values(api)) expect(typeof value).toBe('function')
    expect(Object.values(api)).not.toContain(electron.ipcRenderer)
  })

  it('invoke forwards a contract command on the channel of the same name and returns main’s Result', async () => {
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
    expect(imports).toEqual(['electron', '../shared/contract', '../main/desktop/file-url'])
    // file-url is pure string work.
    expect(readFileSync('src/main/desktop/file-url.ts', 'utf8')).not.toMatch(/^import /m)
    expect(source.split('\n').length).toBeLessThan(40)
  })
})
