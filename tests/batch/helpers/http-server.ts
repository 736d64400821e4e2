import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TestServer {
  /** e.g. http://127.0.0.1:40123 */
  origin: string
  /** Paths (with query) of every request received, in order. */
  requests: string[]
  close(): Promise<void>
}

/** A throwaway HTTP server on 127.0.0.1 standing in for Google Sheets / object storage. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse, requestIndex: number) => void
): Promise<TestServer> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(req.url ?? '')
    handler(req, res, requests.length - 1)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
