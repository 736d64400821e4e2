/**
 * The contract over the `studio serve` WebSocket, for the renderer running in a plain browser.
 * Same `StudioApi` as Electron's `window.api`: components never know which one they talk to.
 *
 * Wire format (see src/main/bridge/protocol.ts): `{id, command, request}` → `{id, result}`, and
 * pushed `{event}`. The token travels as a WebSocket sub-protocol, never in a URL.
 */
import type { CommandName, ImportDroppedResult, PushEvent, RequestOf, ResponseOf, Result, StudioApi } from '../../../shared/contract'
import type { AssetView } from '../../../shared/types'
import { ConnectionSignal, type Connection } from './connection'

const PROTOCOL = 'studio.v1'
const TOKEN_PREFIX = 'studio.token.'
/** How long a call made while disconnected waits for the connection before failing. */
const OFFLINE_WAIT_MS = 15_000
const BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000, 8_000]
/**
 * The server's cap on one message (MAX_MESSAGE_BYTES in src/main/bridge/server.ts): a larger one
 * would get the socket closed, so it is refused here with a readable error. Media never come
 * near it: they are streamed by `importDropped` (POST /upload).
 */
const MAX_FRAME_BYTES = 8 * 1024 * 1024

type Pending = { resolve: (r: Result<unknown>) => void }
type Outgoing = { id: number; frame: string; resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> }

export interface WsClientOptions {
  /** ws://host:port/ws */
  url: string
  token: string
  /** Where `fileUrl` and uploads point (the page's own origin by default: relative URLs). */
  filesBase?: string
  /** The page's fetch (tests pass one bound to a real server). */
  fetchImpl?: typeof fetch
  WebSocketImpl?: typeof WebSocket
  /** Asks the server whether the token is right, after a refused connection. */
  checkToken?: () => Promise<boolean>
  random?: () => number
}

export interface WsClient {
  api: StudioApi
  connection: Connection
  close(): void
}

export function createWsClient(options: WsClientOptions): WsClient {
  const WS = options.WebSocketImpl ?? WebSocket
  const random = options.random ?? Math.random
  const connection = new ConnectionSignal()
  const listeners = new Set<(event: PushEvent) => void>()
  const inFlight = new Map<number, Pending>()
  const outbox: Outgoing[] = []
  let socket: WebSocket | null = null
  let nextId = 1
  let attempt = 0
  let everOpened = false
  let closed = false
  let retryTimer: ReturnType<typeof setTimeout> | null = null

  const disconnected = (): Result<never> => ({
    ok: false,
    error: { code: 'disconnected', message: 'Not connected to the studio; the request was not completed. Try again once reconnected.' }
  })

  function connect(): void {
    if (closed) return
    const ws = new WS(options.url, [PROTOCOL, TOKEN_PREFIX + options.token])
    socket = ws
    let opened = false
    ws.onopen = () => {
      opened = true
      everOpened = true
      attempt = 0
      connection.set({ state: 'open', epoch: connection.get().epoch + 1, retryInMs: null })
      for (const out of outbox.splice(0)) {
        clearTimeout(out.timer)
        inFlight.set(out.id, { resolve: out.resolve })
        ws.send(out.frame)
      }
    }
    ws.onmessage = (msg: MessageEvent) => {
      if (typeof msg.data !== 'string') return
      let data: { id?: unknown; result?: Result<unknown>; event?: PushEvent }
      try {
        data = JSON.parse(msg.data)
      } catch {
        return
      }
      if (data.event) {
        for (const l of [...listeners]) {
          try {
            l(data.event)
          } catch (err) {
            console.error('event listener failed', err)
          }
        }
      } else if (data.result && typeof data.id === 'number') {
        const p = inFlight.get(data.id)
        if (p) {
          inFlight.delete(data.id)
          p.resolve(data.result)
        }
      }
    }
    ws.onclose = () => {
      if (socket === ws) socket = null
      for (const [id, p] of inFlight) {
        inFlight.delete(id)
        p.resolve(disconnected())
      }
      if (closed) return
      void scheduleReconnect(opened)
    }
    ws.onerror = () => {
      /* onclose follows */
    }
  }

  async function scheduleReconnect(wasOpen: boolean): Promise<void> {
    // A refused upgrade looks like any network error to a page; ask whether the token is wrong.
    if (!wasOpen && options.checkToken) {
      const ok = await options.checkToken().catch(() => true)
      if (!ok) {
        connection.set({ state: 'unauthorized', retryInMs: null })
        failOutbox()
        return
      }
    }
    const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!
    attempt++
    const delay = Math.round(base * (0.8 + random() * 0.4))
    connection.set({ state: everOpened ? 'reconnecting' : 'connecting', retryInMs: delay })
    retryTimer = setTimeout(() => {
      retryTimer = null
      connect()
    }, delay)
  }

  function failOutbox(): void {
    for (const out of outbox.splice(0)) {
      clearTimeout(out.timer)
      out.resolve(disconnected())
    }
  }

  const api: StudioApi = {
    invoke<C extends CommandName>(command: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      return new Promise<Result<unknown>>((resolve) => {
        if (closed || connection.get().state === 'unauthorized') return resolve(disconnected())
        const id = nextId++
        const frame = JSON.stringify({ id, command, request })
        if (frame.length > MAX_FRAME_BYTES / 3 && new TextEncoder().encode(frame).length > MAX_FRAME_BYTES) {
          return resolve({ ok: false, error: { code: 'too_large', message: `${command}: the request is larger than ${MAX_FRAME_BYTES / 1024 / 1024} MB` } })
        }
        if (socket && socket.readyState === WS.OPEN) {
          inFlight.set(id, { resolve })
          socket.send(frame)
          return
        }
        // After a loss, fail at once: a click must not take effect minutes later, unseen.
        // Only the very first connection is waited for (the page's first loads).
        if (everOpened) return resolve(disconnected())
        const out: Outgoing = {
          id,
          frame,
          resolve,
          timer: setTimeout(() => {
            const i = outbox.indexOf(out)
            if (i >= 0) outbox.splice(i, 1)
            resolve(disconnected())
          }, OFFLINE_WAIT_MS)
        }
        outbox.push(out)
      }) as Promise<Result<ResponseOf<C>>>
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    fileUrl(path: string): string {
      return `${options.filesBase ?? ''}/files?path=${encodeURIComponent(path)}&token=${encodeURIComponent(options.token)}`
    },
    importDropped: (projectId, files) => uploadFiles(projectId, files)
  }

  /**
   * Dropped media, streamed one by one as the request body (the browser reads the file from disk
   * as it sends: nothing is loaded here, so a clip of several GB imports like a small one).
   */
  async function uploadFiles(projectId: string, files: File[]): Promise<Result<ImportDroppedResult>> {
    const doFetch = options.fetchImpl ?? fetch
    const imported: AssetView[] = []
    const refused: ImportDroppedResult['refused'] = []
    for (const file of files) {
      const query = new URLSearchParams({ projectId, name: file.name })
      let answer: Result<AssetView>
      try {
        const res = await doFetch(`${options.filesBase ?? ''}/upload?${query}`, {
          method: 'POST',
          headers: { 'X-Studio-Token': options.token, 'Content-Type': 'application/octet-stream' },
          body: file
        })
        answer = (await res.json()) as Result<AssetView>
      } catch (err) {
        answer = { ok: false, error: { code: 'disconnected', message: `upload failed: ${err instanceof Error ? err.message : String(err)}` } }
      }
      if (answer.ok) imported.push(answer.value)
      else if (answer.error.code === 'forbidden' || answer.error.code === 'disconnected') return answer
      else refused.push({ name: file.name, reason: answer.error.message })
    }
    return { ok: true, value: { imported, refused } }
  }

  connect()
  return {
    api,
    connection,
    close() {
      closed = true
      if (retryTimer) clearTimeout(retryTimer)
      failOutbox()
      socket?.close()
    }
  }
}
