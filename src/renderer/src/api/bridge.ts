/**
 * The one place the renderer picks its transport. Inside Electron it is the preload's
 * `window.api` (IPC, one function per command); in a browser opened by `studio serve` it is a WebSocket client of the same
 * contract. Everything else receives a `StudioApi` and a `Connection` and never asks which.
 */
import type { StudioApi } from '../../../shared/contract'
import { alwaysOpen, type Connection } from './connection'
import { fromPreload } from '../../../shared/preload-client'
import { createWsClient } from './ws-client'

export interface Transport {
  api: StudioApi
  connection: Connection
  kind: 'electron' | 'browser'
}

const TOKEN_KEY = 'studio.token'

/**
 * The access token comes in the URL's hash (`#token=…`), which browsers never send to a server
 * or in a Referer. It is moved to sessionStorage (this tab only, survives a reload) and removed
 * from the address bar so it is not bookmarked or shared by accident.
 */
export function takeToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(loc.hash)
  if (m) {
    storage.setItem(TOKEN_KEY, m[1]!)
    window.history.replaceState(null, '', loc.pathname + loc.search)
    return m[1]!
  }
  return storage.getItem(TOKEN_KEY)
}

let transport: Transport | null = null

export function getTransport(): Transport {
  if (transport) return transport
  if (window.api) {
    transport = { api: fromPreload(window.api), connection: alwaysOpen(), kind: 'electron' }
    return transport
  }
  const token = takeToken() ?? ''
  const wsUrl = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws`
  const client = createWsClient({
    url: wsUrl,
    token,
    checkToken: async () => {
      const res = await fetch('/auth', { headers: { 'X-Studio-Token': token }, cache: 'no-store' })
      return res.status !== 401
    }
  })
  transport = { api: client.api, connection: client.connection, kind: 'browser' }
  return transport
}
