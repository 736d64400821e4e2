/**
 * The renderer's only door to main: `window.api`, one function per contract command (each sends
 * on the channel of its own name), `subscribe` for push events and `fileUrl` for media. Nothing
 * else is reachable: no raw `ipcRenderer`, no channel chosen by the page. Bundled by electron-vite
 * (sandboxed preloads cannot load modules at run time); it imports command names, not schemas.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { COMMAND_NAMES } from '../shared/command-names'
import type { PreloadApi, PushEvent } from '../shared/contract'
import { fileUrlFor } from '../main/desktop/file-url'

const EVENT_CHANNEL = 'studio:event' // = EVENT_CHANNEL in src/main/desktop/push.ts (asserted by a test)

const commands = Object.fromEntries(COMMAND_NAMES.map((name) => [name, (request: unknown) => ipcRenderer.invoke(name, request)]))

const api = {
  ...commands,
  subscribe(listener: (event: PushEvent) => void) {
    const wrapper = (_event: IpcRendererEvent, event: PushEvent) => listener(event)
    ipcRenderer.on(EVENT_CHANNEL, wrapper)
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, wrapper)
  },
  fileUrl: (path: string) => fileUrlFor(String(path))
} as PreloadApi

contextBridge.exposeInMainWorld('api', api)
