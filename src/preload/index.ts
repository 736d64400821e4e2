/**
 * The renderer's only door to main: `window.api`, typed by the contract. Commands outside the
 * contract are refused here, without a message sent; raw `ipcRenderer` is never exposed.
 * Bundled by electron-vite (sandboxed preloads cannot load modules at run time).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { isCommandName, type PushEvent, type StudioApi } from '../shared/contract'
import { fileUrlFor } from '../main/desktop/file-url'

const EVENT_CHANNEL = 'studio:event' // = EVENT_CHANNEL in src/main/desktop/push.ts (asserted by a test)

const api: StudioApi = {
  invoke(command, request) {
    if (!isCommandName(command)) {
      const name = JSON.stringify(String(command)).slice(0, 80)
      return Promise.resolve({ ok: false, error: { code: 'unknown_command', message: `unknown command ${name}` } })
    }
    return ipcRenderer.invoke(command, request)
  },
  subscribe(listener) {
    const wrapper = (_event: IpcRendererEvent, event: PushEvent) => listener(event)
    ipcRenderer.on(EVENT_CHANNEL, wrapper)
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, wrapper)
  },
  fileUrl: (path) => fileUrlFor(String(path))
}

contextBridge.exposeInMainWorld('api', api)
