/**
 * The common part of the local fakes of documented HTTP APIs (ElevenLabs, suno-api, AUTOMATIC1111,
 * ComfyUI, Pexels): a real server on 127.0.0.1, routes by method and path, and per-route scripts of
 * misbehaviours (an HTTP error, a slow answer, a dropped connection, no answer at all) played before
 * the route answers normally again. Calls are counted per route on arrival, so a test can assert
 * that a finished step was never called twice.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Misbehaviour =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'destroy' }
  | { kind: 'hang' }

export const misbehave = {
  status: (status: number, body?: unknown, headers?: Record<string, string>): Misbehaviour => ({ kind: 'status', status, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) }),
  slow: (delayMs: number): Misbehaviour => ({ kind: 'slow', delayMs }),
  destroy: (): Misbehaviour => ({ kind: 'destroy' }),
  hang: (): Misbehaviour => ({ kind: 'hang' })
} as const

export interface FakeRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  /** Parsed JSON body, when there was one. */
  body: unknown
  /** Date.now() on arrival. */
  at: number
}

export type Handler = (req: FakeRequest, res: ServerResponse) => void | Promise<void>

export interface FakeHttpServer {
  readonly baseURL: string
  readonly port: number
  readonly server: Server
  calls(route: string): number
  requests(route: string): FakeRequest[]
  /** Misbehaviours for the next calls of `route` (a key of the route table). */
  script(route: string, queue: readonly Misbehaviour[]): void
  close(): Promise<void>
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/**
 * `routes` maps "METHOD /path" to a handler; a path segment written `:name` matches anything
 * (its value is not parsed: handlers read `req.path`).
 */
export async function startFakeHttp(routes: Record<string, Handler>): Promise<FakeHttpServer> {
  const counts = new Map<string, number>()
  const recorded = new Map<string, FakeRequest[]>()
  const queues = new Map<string, Misbehaviour[]>()
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const patterns = Object.keys(routes).map((key) => {
    const [method, path] = key.split(' ') as [string, string]
    const regex = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}$`)
    return { key, method, regex }
  })

  const wait = (ms: number, res: ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
      res.once('close', () => {
        clearTimeout(timer)
        timers.delete(timer)
        resolve()
      })
    })

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1')
        const match = patterns.find((p) => p.method === req.method && p.regex.test(url.pathname))
        if (!match) return sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` })
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        try {
          body = text ? JSON.parse(text) : undefined
        } catch {
          body = text
        }
        const request: FakeRequest = { at: Date.now(), method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body }
        counts.set(match.key, (counts.get(match.key) ?? 0) + 1)
        recorded.set(match.key, [...(recorded.get(match.key) ?? []), request])
        const next = queues.get(match.key)?.shift()
        if (next?.kind === 'status') return sendJson(res, next.status, next.body ?? { detail: { status: 'error', message: `HTTP ${next.status}` } }, next.headers)
        if (next?.kind === 'destroy') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' })
          res.write('{"partial":', () => res.socket?.destroy())
          return
        }
        if (next?.kind === 'hang') return
        if (next?.kind === 'slow') {
          await wait(next.delayMs, res)
          if (res.destroyed) return
        }
        await routes[match.key]!(request, res)
      })().catch((err: unknown) => sendJson(res, 500, { error: String(err) }))
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    baseURL: `http://127.0.0.1:${port}`,
    port,
    server,
    calls: (route) => counts.get(route) ?? 0,
    requests: (route) => recorded.get(route) ?? [],
    script: (route, queue) => queues.set(route, [...(queues.get(route) ?? []), ...queue]),
    close: async () => {
      for (const t of timers) clearTimeout(t)
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
