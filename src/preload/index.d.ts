import type { StudioApi } from '../shared/contract'

declare global {
  interface Window {
    /**
     * The contract exposed by the preload through contextBridge (Electron only). Absent when the
     * renderer runs in a browser opened by `studio serve`; see src/renderer/src/api/bridge.ts.
     */
    api?: StudioApi
  }
}

export {}
