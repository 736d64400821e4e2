/**
 * Transport 2: the studio in a browser. One HTTP server on loopback serves the built renderer,
 * the engine's artifact files (`/files`) and the contract over a WebSocket (`/ws`).
 *
 * Who may use it: whoever holds the random token printed in the URL's hash (the hash never
 * reaches a server log or a Referer). The WebSocket carries it as a sub-protocol, `/files` as a
 * query parameter. Every request must also name a Host we are bound to (DNS rebinding), and the
 * upgrade must come from our own Origin (another website cannot drive the engine even if it
 * guessed the port). Pure Node: never imports electron.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { existsSync } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, type WebSocket } from 'ws'
import { dispatch, type Handlers } from '../api/handlers'
import { studioHandlers } from '../api/studio-handlers'
import type { Engine } from '../engine/engine'
import { Studio } from '../engine/studio'
import { publishQueueSummary } from '../engine/queue-summary'
import type { Result } from '../../shared/contract'
import type { AssetView, EngineEvent } from '../../shared/types'
import { mediaRoots, resolveInsideRoots } from '../api/media-paths'
import { sendFile } from './files'
import { handleUpload, UPLOAD_PATH } from './upload'
import { hostAllowed, isLoopbackHost, ownOrigin, urlHost } from './hosts'
import { ClientMessage, PROTOCOL_VERSION, type ServerMessage } from './protocol'
import { newToken, PROTOCOL, tokenFromProtocols, tokenMatches } from './token'

export interface BridgeOptions {
  /** 0 (the default) picks a free port. */
  port?: number
  /** Defaults to 127.0.0.1. Anything that is not loopback needs `allowRemote`. */
  host?: string
  allowRemote?: boolean
  /** The built renderer (index.html + assets). Defaults to `<repo>/out/renderer`. */
  staticDir?: string
  /** Tests may fix the token; otherwise a fresh random one. */
  token?: string
  /** Defaults to every contract command wired to `engine`. */
  handlers?: Handlers
  /**
   * Largest WebSocket message a client may send. Small: a larger frame is refused as its header
   * arrives, before it is buffered. Media go by the streamed upload (POST /upload) instead.
   */
  maxMessageBytes?: number
  heartbeatMs?: number
}

export interface BridgeServer {
  /** `http://127.0.0.1:PORT/#token=…` — what the user opens. */
  readonly url: string
  readonly origin: string
  readonly token: string
  readonly host: string
  readonly port: number
  readonly staticDir: string
  readonly rendererBuilt: boolean
  clientCount(): number
  close(): Promise<void>
}

/**
 * What the bridge serves, wherever the engine runs: in this process (tests, a bare engine) or in
 * a child process behind an EngineClient (`studio serve`), so that no answer waits on SQLite.
 */
export interface BridgeEngine {
  dataDir: string
  /** Validate and run a raw command (the shared `dispatch`, here or in the engine's process). */
  route(name: unknown, request: unknown): Promise<Result<unknown>>
  events: { subscribe(listener: (event: EngineEvent) => void): () => void }
  /** Move an uploaded file into a project; null when this engine has no projects. */
  adoptUpload: ((projectId: string, name: string, path: string) => Promise<AssetView>) | null
  /** Publish queue.summary events while someone listens (an engine in another process publishes its own). */
  publishSummaries?: (listening: () => boolean) => () => void
  /** The folders `/files` serves when they are not only the data folder's (a farm's share: host/media-roots.ts). */
  mediaRoots?: () => Promise<readonly string[]>
}

/** An engine running in this process, as the bridge sees it. */
export function localBridgeEngine(engine: Engine<any>, handlers: Handlers = studioHandlers(engine)): BridgeEngine {
  return {
    dataDir: engine.dataDir,
    route: (name, request) => dispatch(handlers, name, request),
    events: engine.events,
    adoptUpload: engine instanceof Studio ? (projectId, name, path) => engine.projects.adoptUploadedAsset(projectId, name, path) : null,
    publishSummaries: (listening) => publishQueueSummary(engine, { listening })
  }
}

export const DEFAULT_STATIC_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../out/renderer')

/**
 * Same policy as the renderer's CSP meta, plus what only a header can say. The page's WebSocket
 * goes back to this same host and port, which 'self' covers.
 */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
  "connect-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; object-src 'none'; frame-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const PAGE_HEADERS = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin'
}

/** Room for a dropped spreadsheet or a small file as base64, not for media (streamed: see upload.ts). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024

const DROP_PROGRESS_ABOVE = 1 << 20
const TERMINATE_ABOVE = 64 << 20

export async function startBridge(target: Engine<any> | BridgeEngine, options: BridgeOptions = {}): Promise<BridgeServer> {
  const engine: BridgeEngine = 'route' in target ? target : localBridgeEngine(target, options.handlers)
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackHost(host) && !options.allowRemote) {
    throw new Error(`refusing to listen on ${host}: not a loopback address (pass --host explicitly to allow it)`)
  }
  const token = options.token ?? newToken()
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR
  const rendererBuilt = existsSync(join(staticDir, 'index.html'))
  let port = options.port ?? 0

  const server: Server = createServer((req, res) => {
    handleHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('internal error')
    })
  })

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false)
  })
  const alive = new WeakSet<WebSocket>()

  // ------------------------------------------------------------------ HTTP

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, host, port)) return text(res, 403, 'unknown host')
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === UPLOAD_PATH) {
      const adopt = engine.adoptUpload
      return handleUpload(req, res, url, { token, dataDir: engine.dataDir, projects: adopt ? { adoptUploadedAsset: adopt } : null })
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return text(res, 405, 'method not allowed')
    }
    if (url.pathname === '/files') {
      if (!tokenMatches(token, url.searchParams.get('token'))) return text(res, 401, 'missing or wrong token')
      // Only job artifacts and project assets (the data folder's, a farm share's): never the database, secrets or settings beside them.
      const roots = engine.mediaRoots ? await engine.mediaRoots() : mediaRoots(engine.dataDir)
      const found = await resolveInsideRoots(roots, url.searchParams.get('path') ?? '')
      if ('status' in found) return text(res, found.status, found.message)
      return sendFile(req, res, found)
    }
    if (url.pathname === '/auth') {
      // Lets the page tell "wrong token" from "server gone" after a refused WebSocket.
      return text(res, tokenMatches(token, req.headers['x-studio-token']) ? 204 : 401, '')
    }
    if (url.pathname === '/ws') return text(res, 426, 'WebSocket upgrade required')
    return serveStatic(req, res, url.pathname)
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!rendererBuilt) {
      res.writeHead(503, { ...PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8' })
      res.end(
        '<!doctype html><meta charset="utf-8"><title>Creative Studio</title>' +
          '<p style="font:14px system-ui;margin:2em">The studio UI has not been built yet. Run <code>node scripts/build-renderer.mjs</code> ' +
          '(or <code>npm run build</code>) and reload this page.</p>'
      )
      return
    }
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return text(res, 400, 'bad path')
    }
    if (decoded.includes('\0')) return text(res, 400, 'bad path')
    const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
    const root = await realpath(staticDir)
    // Real paths: a symlink under the UI folder must not serve a file from elsewhere.
    const found = await resolveInsideRoots([root], resolve(root, relative))
    if ('status' in found && found.status !== 404) return text(res, 403, 'forbidden')
    let file = 'status' in found ? null : { path: found.path, size: found.size, mtimeMs: found.mtimeMs }
    if (!file) {
      // A client-side route: hand back the app; a missing asset stays a 404.
      if (/\.[a-z0-9]+$/i.test(relative)) return text(res, 404, 'not found')
      const index = await resolveInsideRoots([root], join(root, 'index.html'))
      if ('status' in index) return text(res, 404, 'not found')
      file = { path: index.path, size: index.size, mtimeMs: index.mtimeMs }
    }
    const immutable = relative.startsWith('assets/')
    sendFile(req, res, file, {
      ...PAGE_HEADERS,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
    })
  }

  // ------------------------------------------------------------------ WebSocket

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== '/ws') return refuse(socket, 404, 'Not Found')
    const hostHeader = req.headers.host
    if (!hostAllowed(hostHeader, host, port)) return refuse(socket, 403, 'Forbidden')
    // Browsers always send Origin on a WebSocket; it must be the page this server served.
    if (req.headers.origin !== ownOrigin(hostHeader!)) return refuse(socket, 403, 'Forbidden')
    if (!tokenMatches(token, tokenFromProtocols(req.headers['sec-websocket-protocol']))) return refuse(socket, 401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    alive.add(ws)
    ws.on('pong', () => alive.add(ws))
    ws.on('error', () => ws.terminate())
    ws.on('message', (data, isBinary) => {
      void onMessage(ws, isBinary ? null : data.toString())
    })
    send(ws, { hello: { protocol: PROTOCOL_VERSION } })
  })

  async function onMessage(ws: WebSocket, raw: string | null): Promise<void> {
    if (raw === null) return reply(ws, null, 'bad_message', 'messages are JSON text, not binary')
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      return reply(ws, null, 'bad_message', 'message is not valid JSON')
    }
    const msg = ClientMessage.safeParse(parsed)
    if (!msg.success) {
      const id = typeof (parsed as { id?: unknown })?.id === 'number' || typeof (parsed as { id?: unknown })?.id === 'string' ? (parsed as { id: string | number }).id : null
      return reply(ws, typeof id === 'string' && id.length > 64 ? null : id, 'bad_message', 'a message is {"id", "command", "request"}')
    }
    const result = await engine.route(msg.data.command, msg.data.request)
    send(ws, { id: msg.data.id, result })
  }

  function reply(ws: WebSocket, id: string | number | null, code: string, message: string): void {
    send(ws, { id, result: { ok: false, error: { code, message } } })
  }

  function send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState !== ws.OPEN) return
    ws.send(JSON.stringify(message))
  }

  // Push events: serialized once, sent to every client. Progress is the only thing a slow client
  // may lose (the next one supersedes it); a client that stops reading entirely is dropped and
  // resynchronises when it reconnects.
  // Stats, ETA, pool and provider figures are pushed too (queue.summary), never polled.
  const stopSummaries = engine.publishSummaries?.(() => wss.clients.size > 0) ?? (() => {})
  const unsubscribe = engine.events.subscribe((event: EngineEvent) => {
    if (wss.clients.size === 0) return
    const frame = JSON.stringify({ event } satisfies ServerMessage)
    for (const ws of wss.clients) {
      if (ws.readyState !== ws.OPEN) continue
      if (ws.bufferedAmount > TERMINATE_ABOVE) {
        ws.terminate()
        continue
      }
      if (event.type === 'job.progress' && ws.bufferedAmount > DROP_PROGRESS_ABOVE) continue
      ws.send(frame)
    }
  })

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate()
        continue
      }
      alive.delete(ws)
      ws.ping()
    }
  }, options.heartbeatMs ?? 30_000)
  heartbeat.unref()

  // ------------------------------------------------------------------ listen

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  port = (server.address() as AddressInfo).port
  const origin = `http://${urlHost(host)}:${port}`

  let closing: Promise<void> | null = null
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    host,
    port,
    staticDir,
    rendererBuilt,
    clientCount: () => wss.clients.size,
    close() {
      closing ??= new Promise<void>((done) => {
        unsubscribe()
        stopSummaries()
        clearInterval(heartbeat)
        for (const ws of wss.clients) ws.close(1001, 'server stopping')
        wss.close()
        server.close(() => done())
        // Keep-alive page loads and half-closed sockets must not hold the process open.
        setTimeout(() => {
          for (const ws of wss.clients) ws.terminate()
          server.closeAllConnections()
        }, 500).unref()
      })
      return closing
    }
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' })
  res.end(body)
}

function refuse(socket: Socket, status: number, reason: string): void {
  const body = `${status} ${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
  socket.destroySoon?.()
}

export { isLoopbackHost }
