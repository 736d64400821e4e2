/**
 * An HTTP proxy on 127.0.0.1 in front of a test server, that can take the whole host down for a
 * while: every request then gets a 503 (as a provider's overloaded front end answers), whatever
 * its route. Used to play an outage of minutes, compressed in time, against the real clients.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface FaultProxy {
  /** Same path as the target's (e.g. http://127.0.0.1:PORT/v1). */
  readonly baseURL: string
  /** Refuse every request with a 503 for the next `ms` milliseconds. */
  down(ms: number): void
  isDown(): boolean
  /** Requests refused during outages so far. */
  readonly refused: number
  close(): Promise<void>
}

export async function startFaultProxy(targetBaseURL: string): Promise<FaultProxy> {
  const target = new URL(targetBaseURL)
  let downUntil = 0
  let refused = 0
  const sockets = new Set<Socket>()

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
        // The target dropped its socket mid-answer: so does the proxy.
        answer.on('aborted', () => res.destroy())
        answer.on('error', () => res.destroy())
      }
    )
    upstream.on('error', () => res.destroy())
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  }

  const server = createServer((req, res) => {
    if (Date.now() < downUntil) {
      refused++
      req.resume()
      const body = JSON.stringify({ error: { message: 'The service is temporarily unavailable', type: 'server_error', code: null } })
      res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      return void res.end(body)
    }
    forward(req, res)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}${target.pathname}`,
    down: (ms) => {
      downUntil = Date.now() + ms
    },
    isDown: () => Date.now() < downUntil,
    get refused() {
      return refused
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
