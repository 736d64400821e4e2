/**
 * The renderer's only door to main: `window.api`, one function per contract command (each sends
 * on the channel of its own name), `subscribe` for push events, `fileUrl` for media and
 * `importDropped`. Nothing else is reachable: no raw `ipcRenderer`, no channel chosen by the page.
 * Bundled by electron-vite (sandboxed preloads cannot load modules at run time); it imports
 * command names, not schemas.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { COMMAND_NAMES } from '../shared/command-names'
import type { PreloadApi, PushEvent } from '../shared/contract'
import { fileUrlFor } from '../main/desktop/file-url'

const EVENT_CHANNEL = 'studio:event' // = EVENT_CHANNEL in src/main/desktop/push.ts (asserted by a test)
const IMPORT_DROPPED_CHANNEL = 'studio:import-dropped' // = src/main/desktop/dropped-files.ts (asserted by a test)

const commands = Object.fromEntries(COMMAND_NAMES.map((name) => [name, (request: unknown) => ipcRenderer.invoke(name, request)]))

const api = {
  ...commands,
  subscribe(listener: (event: PushEvent) => void) {
    const wrapper = (_event: IpcRendererEvent, event: PushEvent) => listener(event)
    ipcRenderer.on(EVENT_CHANNEL, wrapper)
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, wrapper)
  },
  fileUrl: (path: string) => fileUrlFor(String(path)),
  // The page hands File objects, never paths: Electron knows the path only of a file the user
  // dropped or picked ('' for one the page built), so the page cannot name ~/.ssh/id_rsa.
  async importDropped(projectId: string, files: File[]) {
    const onDisk = [...files].map((file) => ({ name: String(file.name), path: webUtils.getPathForFile(file) }))
    const refused = onDisk.filter((f) => !f.path).map(({ name }) => ({ name, reason: 'not a file on disk' }))
    const paths = onDisk.filter((f) => f.path).map(({ path }) => ({ path }))
    if (!paths.length) return { ok: true, value: { imported: [], refused } }
    const r = await ipcRenderer.invoke(IMPORT_DROPPED_CHANNEL, { projectId, files: paths })
    return r?.ok ? { ok: true, value: { imported: r.value.imported, refused: [...refused, ...r.value.refused] } } : r
  }
} as PreloadApi

contextBridge.exposeInMainWorld('api', api)
