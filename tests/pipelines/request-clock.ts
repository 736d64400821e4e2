/**
 * A pass-through HTTP proxy in front of the OpenAI-compatible test server that notes when each
 * request arrives, server side. The test server counts requests but keeps no times, and timing
 * a retry from the test's own clock would include the engine's polling and the test's waits.
 */
import { createServer, request } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

export interface RequestClock {
  /** e.g. http://127.0.0.1:54321/v1 — same paths as the target. */
  readonly baseURL: string
  /** Arrival times (ms, performance.now()) of the requests whose path matches, in order. */
  arrivals(path: RegExp): number[]
  close(): Promise<void>
}

export async function startRequestClock(targetBaseURL: string): Promise<RequestClock> {
  const target = new URL(targetBaseURL)
  const seen: Array<{ path: string; at: number }> = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', at: performance.now() })
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}${target.pathname}`,
    arrivals: (path) => seen.filter((r) => path.test(r.path)).map((r) => r.at),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
