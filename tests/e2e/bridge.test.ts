/**
 * The browser bridge's doors, exploit-style: every way in without the token, from another origin
 * or another host name is refused; the contract over the WebSocket behaves like IPC (validated,
 * never crashing on garbage); /files serves only the data folder, with ranges.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startBridge, type BridgeServer } from '../../src/main/bridge/server'
import { hostAllowed, isLoopbackHost } from '../../src/main/bridge/hosts'
import { tokenMatches } from '../../src/main/bridge/token'
import type { Engine } from '../../src/main/engine/engine'
import { openTestEngine, tempDir } from '../helpers/engine'

let engine: Engine<any>
let bridge: BridgeServer
let outside: string

beforeAll(async () => {
  engine = openTestEngine()
  const staticDir = tempDir('studio-static-')
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>studio</title>')
  bridge = await startBridge(engine, { staticDir })
  mkdirSync(join(engine.dataDir, 'jobs', 'j1'), { recursive: true })
  writeFileSync(join(engine.dataDir, 'jobs', 'j1', 'clip.mp4'), Buffer.from('0123456789abcdefghij'))
  outside = join(tempDir('studio-outside-'), 'secret.txt')
  writeFileSync(outside, 'not yours')
  symlinkSync(outside, join(engine.dataDir, 'jobs', 'j1', 'link.txt'))
})
afterAll(async () => {
  await bridge.close()
  await engine.close(0)
})

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const inbox = new WeakMap<WebSocket, { queue: any[]; waiters: ((m: any) => void)[] }>()

/** Open a WebSocket; resolves with the socket or the HTTP status of a refused upgrade. Messages are queued from the start. */
function connect(options: { token?: string | null; origin?: string | null; host?: string } = {}): Promise<{ ws?: WebSocket; status?: number }> {
  const token = options.token === undefined ? bridge.token : options.token
  const protocols = ['studio.v1', ...(token !== null ? [`studio.token.${token}`] : [])]
  const headers: Record<string, string> = {}
  if (options.origin !== null) headers.Origin = options.origin ?? bridge.origin
  if (options.host) headers.Host = options.host
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws`, protocols, { headers })
    const box = { queue: [] as any[], waiters: [] as ((m: any) => void)[] }
    inbox.set(ws, box)
    ws.on('message', (data) => {
      box.queue.push(JSON.parse(data.toString()))
      for (const w of box.waiters.splice(0)) w(undefined)
    })
    ws.on('open', () => resolve({ ws }))
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode! }))
    ws.on('error', () => resolve({ status: -1 }))
  })
}

async function nextMessage(ws: WebSocket, match: (m: any) => boolean = () => true): Promise<any> {
  const box = inbox.get(ws)!
  for (;;) {
    const i = box.queue.findIndex(match)
    if (i >= 0) return box.queue.splice(i, 1)[0]
    await new Promise((r) => box.waiters.push(r))
  }
}

describe('browser bridge: who may connect', () => {
  it('prints a loopback URL whose token is in the hash', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/)
  })

  it('refuses a WebSocket without the token, or with a wrong one (401)', async () => {
    expect((await connect({ token: null })).status).toBe(401)
    expect((await connect({ token: 'x'.repeat(32) })).status).toBe(401)
  })

  it("refuses a WebSocket from another website's origin, or without one (403)", async () => {
    expect((await connect({ origin: 'https://evil.example' })).status).toBe(403)
    expect((await connect({ origin: `http://localhost:${bridge.port + 1}` })).status).toBe(403)
    expect((await connect({ origin: null })).status).toBe(403)
  })

  it('refuses a DNS-rebinding host name even with the token', async () => {
    expect((await connect({ host: `evil.example:${bridge.port}`, origin: `http://evil.example:${bridge.port}` })).status).toBe(403)
    expect((await get('/', { Host: `evil.example:${bridge.port}` })).status).toBe(403)
  })

  it('accepts the right token from its own origin (localhost too) and greets', async () => {
    const { ws } = await connect()
    expect(ws).toBeDefined()
    expect(ws!.protocol).toBe('studio.v1') // the token is never echoed back
    ws!.close()
    const local = await connect({ host: `localhost:${bridge.port}`, origin: `http://localhost:${bridge.port}` })
    expect(local.ws).toBeDefined()
    local.ws!.close()
  })

  it('compares tokens in constant time and refuses non-strings', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abc', 'abd')).toBe(false)
    expect(tokenMatches('abc', undefined)).toBe(false)
    expect(tokenMatches('abc', 'abc'.repeat(300))).toBe(false)
  })

  it('will not bind a non-loopback address unless asked explicitly', async () => {
    await expect(startBridge(engine, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/not a loopback/)
    expect(isLoopbackHost('127.0.0.1') && isLoopbackHost('localhost') && isLoopbackHost('::1')).toBe(true)
    expect(hostAllowed('192.168.1.10:80', '0.0.0.0', 80)).toBe(true)
    expect(hostAllowed('evil.example:80', '0.0.0.0', 80)).toBe(false)
  })
})

describe('browser bridge: the contract over the WebSocket', () => {
  it('answers commands, validates requests, survives garbage, and pushes events', async () => {
    const { ws } = await connect()
    const hello = await nextMessage(ws!)
    expect(hello).toEqual({ hello: { protocol: 1 } })

    ws!.send('{not json')
    expect(await nextMessage(ws!)).toEqual({ id: null, result: { ok: false, error: { code: 'bad_message', message: 'message is not valid JSON' } } })
    ws!.send(JSON.stringify({ id: 1, nope: true }))
    expect((await nextMessage(ws!)).result.error.code).toBe('bad_message')
    ws!.send(JSON.stringify({ id: 2, command: 'fs/readFile', request: { path: '/etc/passwd' } }))
    expect((await nextMessage(ws!, (m) => m.id === 2)).result.error.code).toBe('unknown_command')
    ws!.send(JSON.stringify({ id: 3, command: 'jobs/setPriority', request: { id: 'x', priority: 99 } }))
    expect((await nextMessage(ws!, (m) => m.id === 3)).result.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('priority') })

    const event = nextMessage(ws!, (m) => m.event?.type === 'job.changed')
    ws!.send(JSON.stringify({ id: 4, command: 'jobs/enqueue', request: { type: 'one', input: { label: 'ws' } } }))
    const reply = await nextMessage(ws!, (m) => m.id === 4)
    expect(reply.result).toMatchObject({ ok: true, value: { type: 'one', status: 'pending' } })
    expect((await event).event.job.id).toBe(reply.result.value.id)
    ws!.close()
  })
})

describe('browser bridge: files and pages', () => {
  const path = () => join(engine.dataDir, 'jobs', 'j1', 'clip.mp4')
  const fileUrl = (p: string, token: string | null = bridge.token) => `/files?path=${encodeURIComponent(p)}${token !== null ? `&token=${encodeURIComponent(token)}` : ''}`

  it('refuses /files without the token (401)', async () => {
    expect((await get(fileUrl(path(), null))).status).toBe(401)
    expect((await get(fileUrl(path(), 'wrong'))).status).toBe(401)
  })

  it('serves a data-folder file with ranges so <video> can seek, and sandboxes it', async () => {
    const whole = await get(fileUrl(path()))
    expect(whole.status).toBe(200)
    expect(whole.headers['content-type']).toBe('video/mp4')
    expect(whole.headers['accept-ranges']).toBe('bytes')
    expect(whole.headers['content-security-policy']).toMatch(/sandbox/)
    const part = await get(fileUrl(path()), { Range: 'bytes=10-13' })
    expect(part.status).toBe(206)
    expect(part.body).toBe('abcd')
    expect(part.headers['content-range']).toBe('bytes 10-13/20')
    const tail = await get(fileUrl(path()), { Range: 'bytes=-3' })
    expect(tail.body).toBe('hij')
    expect((await get(fileUrl(path()), { Range: 'bytes=50-' })).status).toBe(416)
    const head = await get(fileUrl(path()), {}, 'HEAD')
    expect(head.headers['content-length']).toBe('20')
  })

  it('never serves a file outside the data folder: not by path, not by .., not through a symlink', async () => {
    expect((await get(fileUrl(outside))).status).toBe(403)
    expect((await get(fileUrl(join(engine.dataDir, 'jobs', '..', '..', outside.split('/').slice(-2).join('/'))))).status).toBeGreaterThanOrEqual(403)
    expect((await get(fileUrl(join(engine.dataDir, 'jobs', 'j1', 'link.txt')))).status).toBe(403)
    expect((await get(fileUrl('relative/path'))).status).toBe(400)
    expect((await get(fileUrl(join(engine.dataDir, 'jobs', 'nope.txt')))).status).toBe(404)
    // The data folder holds more than media (the database, settings): only jobs/ and projects/ are served.
    expect((await get(fileUrl(join(engine.dataDir, 'studio.db')))).status).toBe(403)
  })

  it('serves the app with a strict CSP and no referrer; no path escapes the build folder', async () => {
    const page = await get('/')
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'none'/)
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect((await get('/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(403)
    // URL parsing folds %2e%2e segments before routing: what remains is inside the build folder.
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).body).not.toMatch(/root:/)
    expect((await get('/assets/missing.js')).status).toBe(404)
    expect((await get('/', {}, 'POST')).status).toBe(405)
  })
})
