import type { PreloadApi } from '../shared/contract'

declare global {
  interface Window {
    /**
     * One function per contract command, exposed by the preload through contextBridge (Electron
     * only). Absent when the renderer runs in a browser opened by `studio serve`; see
     * src/renderer/src/api/bridge.ts, which adapts either to the same StudioApi.
     */
    api?: PreloadApi
  }
}

export {}
