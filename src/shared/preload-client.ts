/**
 * Electron's side of the one contract: the preload exposes one function per command; the app
 * talks to a StudioApi. A name that is not a command of the preload's never reaches IPC. Dropped
 * media go by `importDropped`, which only the desktop app has.
 */
import type { CommandName, PreloadApi, StudioApi } from './contract'

export function fromPreload(api: PreloadApi): StudioApi {
  return {
    invoke(command, request) {
      const send = typeof command === 'string' && command.includes('/') && Object.hasOwn(api, command) ? api[command as CommandName] : undefined
      if (typeof send !== 'function') {
        const name = JSON.stringify(String(command)).slice(0, 80)
        return Promise.resolve({ ok: false, error: { code: 'unknown_command', message: `unknown command ${name}` } })
      }
      return (send as (r: typeof request) => ReturnType<StudioApi['invoke']>)(request)
    },
    subscribe: (listener) => api.subscribe(listener),
    fileUrl: (path) => api.fileUrl(path),
    importDropped: (projectId, files) => api.importDropped(projectId, files)
  }
}
