/**
 * A small, real OpenAI-compatible HTTP server on 127.0.0.1 for tests: the real `openai` client
 * (and the engine) talk to it over TCP exactly as they would to api.openai.com or Ollama.
 *
 *   const server = await startOpenAICompatibleServer()
 *   server.script('chat', [behaviours.rateLimited('2'), behaviours.ok()])
 *   ... new OpenAI({ baseURL: server.baseURL, ... })
 *   expect(server.calls('chat')).toBe(2)
 *   await server.close()
 *
 * Each route has a queue of scripted behaviours; when it is empty the route answers normally.
 * Calls are counted per route on arrival (whatever the behaviour), so tests can assert that a
 * finished step is never called twice.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, beforeEach } from 'vitest'

export type Route = 'models' | 'chat' | 'images' | 'speech' | 'moderations'

export type Behaviour =
  /** A normal answer, optionally after `delayMs`; streams wait `chunkDelayMs` between chunks. */
  | { kind: 'ok'; delayMs?: number; chunkDelayMs?: number; text?: string }
  /** An HTTP error with an OpenAI-style error body. */
  | { kind: 'status'; status: number; retryAfter?: string; retryAfterMs?: string; message?: string; delayMs?: number }
  /** 200 with a body that is not valid JSON (or, for streams, an SSE event that is not JSON). */
  | { kind: 'malformed' }
  /** Headers and part of the body, then the socket is destroyed. */
  | { kind: 'destroy' }
  /** Valid JSON with nothing in it: no choices / no images / no results / an empty audio body. */
  | { kind: 'empty' }
  /** Streams only: a few chunks, then the response ends cleanly without finish_reason or [DONE]. */
  | { kind: 'truncated' }
  /** Never answers (until the client gives up or the server closes). */
  | { kind: 'hang' }

/** Shorthands for scripts. */
export const behaviours = {
  ok: (options: Omit<Extract<Behaviour, { kind: 'ok' }>, 'kind'> = {}): Behaviour => ({ kind: 'ok', ...options }),
  slow: (delayMs: number): Behaviour => ({ kind: 'ok', delayMs }),
  slowStream: (chunkDelayMs: number): Behaviour => ({ kind: 'ok', chunkDelayMs }),
  status: (status: number, options: Omit<Extract<Behaviour, { kind: 'status' }>, 'kind' | 'status'> = {}): Behaviour => ({ kind: 'status', status, ...options }),
  rateLimited: (retryAfter = '1'): Behaviour => ({ kind: 'status', status: 429, retryAfter, message: 'Rate limit reached, slow down' }),
  serverError: (): Behaviour => ({ kind: 'status', status: 500, message: 'The server had an error while processing your request' }),
  unavailable: (retryAfter?: string): Behaviour => ({ kind: 'status', status: 503, message: 'The engine is currently overloaded', ...(retryAfter ? { retryAfter } : {}) }),
  badGateway: (): Behaviour => ({ kind: 'status', status: 502, message: 'Bad gateway' }),
  malformed: (): Behaviour => ({ kind: 'malformed' }),
  destroy: (): Behaviour => ({ kind: 'destroy' }),
  empty: (): Behaviour => ({ kind: 'empty' }),
  truncated: (): Behaviour => ({ kind: 'truncated' }),
  hang: (): Behaviour => ({ kind: 'hang' })
} as const

export interface RecordedRequest {
  route: Route
  method: string
  path: string
  headers: IncomingMessage['headers']
  /** Parsed JSON body (undefined for GET or non-JSON bodies). */
  body: Record<string, unknown> | undefined
}

export interface ServerOptions {
  /** Text the chat route answers with. */
  reply?: string
  /** When set, requests must carry `Authorization: Bearer <requireKey>`; others get a 401 that echoes the key received (as some servers do) — to test redaction. */
  requireKey?: string
}

export interface OpenAICompatibleServer {
  /** e.g. http://127.0.0.1:54321/v1 */
  readonly baseURL: string
  readonly port: number
  /** Requests received on a route so far (every behaviour counts). */
  calls(route: Route): number
  requests(route: Route): RecordedRequest[]
  /** Queue behaviours for the next calls of a route (appended to what is already queued). */
  script(route: Route, queue: readonly Behaviour[]): void
  /** Clear counters, recorded requests and queued behaviours. */
  reset(): void
  close(): Promise<void>
}

const ROUTES: Record<string, Route> = {
  'GET /models': 'models',
  'POST /chat/completions': 'chat',
  'POST /images/generations': 'images',
  'POST /audio/speech': 'speech',
  'POST /moderations': 'moderations'
}

const DEFAULT_REPLY = 'Composting at home turns kitchen scraps into rich soil. Start with a bin, mix greens and browns, and keep it moist.'

/** Rough token count the way the tests expect it: words and punctuation. */
const countTokens = (text: string): number => (text.match(/\w+|[^\s\w]/g) ?? []).length

/** A real WAV: 0.5 s of a 440 Hz tone, 24 kHz mono 16-bit, with the 0xFFFFFFFF sizes OpenAI's streamed WAV uses. */
function makeWav(): Buffer {
  const sampleRate = 24_000
  const frames = sampleRate / 2
  const pcm = Buffer.alloc(frames * 2)
  for (let i = 0; i < frames; i++) pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 12_000), i * 2)
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'ascii')
  header.writeUInt32LE(0xffffffff, 4)
  header.write('WAVEfmt ', 8, 'ascii')
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20)
  header.writeUInt16LE(1, 22)
  header.writeUInt32LE(sampleRate, 24)
  header.writeUInt32LE(sampleRate * 2, 28)
  header.writeUInt16LE(2, 32)
  header.writeUInt16LE(16, 34)
  header.write('data', 36, 'ascii')
  header.writeUInt32LE(0xffffffff, 40)
  return Buffer.concat([header, pcm])
}

/** A real 32×32 PNG with a diagonal gradient. */
async function makePng(): Promise<Buffer> {
  const size = 32
  const raw = Buffer.alloc(size * size * 3)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3
      raw[i] = x * 8
      raw[i + 1] = y * 8
      raw[i + 2] = 128
    }
  }
  return sharp(raw, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer()
}

export async function startOpenAICompatibleServer(options: ServerOptions = {}): Promise<OpenAICompatibleServer> {
  const reply = options.reply ?? DEFAULT_REPLY
  const png = await makePng()
  const wav = makeWav()
  const counts = new Map<Route, number>()
  const recorded = new Map<Route, RecordedRequest[]>()
  const queues = new Map<Route, Behaviour[]>()
  const timers = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()

  const sleep = (ms: number, res: ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
      // A client that gives up should not leave us writing to a dead socket later.
      res.once('close', () => {
        clearTimeout(timer)
        timers.delete(timer)
        resolve()
      })
    })

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.destroyed) return
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
    res.end(text)
  }

  /** Send the first half of `body` with a content-length for all of it, then kill the connection. */
  const sendHalfThenDestroy = (res: ServerResponse, body: Buffer, contentType: string): void => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': body.length })
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy())
  }

  const okBody = (route: Route, body: Record<string, unknown> | undefined, text: string): unknown => {
    const model = typeof body?.model === 'string' ? body.model : 'test-model'
    switch (route) {
      case 'models':
        return { object: 'list', data: ['gpt-4o-mini', 'dall-e-3', 'tts-1', 'omni-moderation-latest'].map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'test' })) }
      case 'chat': {
        const promptTokens = countTokens(JSON.stringify(body?.messages ?? ''))
        const completionTokens = countTokens(text)
        return {
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }
        }
      }
      case 'images':
        return { created: Math.floor(Date.now() / 1000), data: [{ b64_json: png.toString('base64'), revised_prompt: String(body?.prompt ?? '') }] }
      case 'moderations': {
        const input = String(body?.input ?? '')
        const violent = /forbidden|kill/i.test(input)
        return {
          id: 'modr-test',
          model,
          results: [{ flagged: violent, categories: { violence: violent, harassment: false, 'self-harm': false }, category_scores: { violence: violent ? 0.98 : 0.01, harassment: 0.01, 'self-harm': 0 } }]
        }
      }
      case 'speech':
        return undefined
    }
  }

  async function streamChat(res: ServerResponse, body: Record<string, unknown> | undefined, behaviour: Behaviour, text: string): Promise<void> {
    const model = typeof body?.model === 'string' ? body.model : 'test-model'
    const includeUsage = (body?.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
    const chunkDelay = behaviour.kind === 'ok' ? (behaviour.chunkDelayMs ?? 0) : 0
    const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model }
    const send = (data: unknown): boolean => !res.destroyed && res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    if (behaviour.kind === 'empty') {
      send({ ...base, choices: [] })
      send('[DONE]')
      return void res.end()
    }
    if (behaviour.kind === 'malformed') {
      send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
      send('{"id": "chatcmpl-test", "choices": [ this is not json')
      return void res.end()
    }
    const pieces = text.match(/\S+\s*/g) ?? [text]
    send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
    for (const [i, piece] of pieces.entries()) {
      if (chunkDelay) await sleep(chunkDelay, res)
      if (res.destroyed) return
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })
      if ((behaviour.kind === 'destroy' || behaviour.kind === 'truncated') && i === 1) {
        if (behaviour.kind === 'destroy') return void res.socket?.destroy()
        return void res.end()
      }
    }
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })
    if (includeUsage) {
      const promptTokens = countTokens(JSON.stringify(body?.messages ?? ''))
      send({ ...base, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: pieces.length, total_tokens: promptTokens + pieces.length } })
    }
    send('[DONE]')
    res.end()
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.replace(/^\/v1(?=\/)/, '')
    const route = ROUTES[`${req.method} ${path}`]
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (!route) return sendJson(res, 404, { error: { message: `no route ${req.method} ${url.pathname}`, type: 'invalid_request_error' } })

    let body: Record<string, unknown> | undefined
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : undefined
    } catch {
      body = undefined
    }
    counts.set(route, (counts.get(route) ?? 0) + 1)
    recorded.set(route, [...(recorded.get(route) ?? []), { route, method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body }])

    if (options.requireKey && req.headers.authorization !== `Bearer ${options.requireKey}`) {
      // Deliberately careless, like some real servers: the error repeats the key it received.
      return sendJson(res, 401, { error: { message: `Incorrect API key provided: ${req.headers.authorization ?? '(none)'}`, type: 'invalid_request_error', code: 'invalid_api_key' } })
    }

    const behaviour = queues.get(route)?.shift() ?? { kind: 'ok' }
    if ('delayMs' in behaviour && behaviour.delayMs) await sleep(behaviour.delayMs, res)
    if (res.destroyed) return
    const text = behaviour.kind === 'ok' && behaviour.text !== undefined ? behaviour.text : reply

    switch (behaviour.kind) {
      case 'hang':
        return sleep(24 * 3600_000, res)
      case 'status': {
        const headers: Record<string, string> = {}
        if (behaviour.retryAfter !== undefined) headers['retry-after'] = behaviour.retryAfter
        if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = behaviour.retryAfterMs
        return sendJson(res, behaviour.status, { error: { message: behaviour.message ?? `scripted ${behaviour.status}`, type: 'server_error', code: null } }, headers)
      }
      default:
        break
    }

    if (route === 'chat' && body?.stream === true) return streamChat(res, body, behaviour, text)
    if (route === 'speech') {
      if (behaviour.kind === 'malformed') return void res.writeHead(200, { 'content-type': 'audio/wav' }).end('RIFF? not really a wav file')
      if (behaviour.kind === 'empty') return void res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': 0 }).end()
      if (behaviour.kind === 'destroy') return sendHalfThenDestroy(res, wav, 'audio/wav')
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length })
      return void res.end(wav)
    }
    if (behaviour.kind === 'malformed') {
      const broken = '{"id": "broken", "data": [ {"b64_json": "iVBOR'
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(broken) })
      return void res.end(broken)
    }
    if (behaviour.kind === 'empty') {
      const empties: Record<Route, unknown> = {
        models: { object: 'list', data: [] },
        chat: { id: 'chatcmpl-test', object: 'chat.completion', created: 0, model: 'test-model', choices: [] },
        images: { created: 0, data: [] },
        moderations: { id: 'modr-test', model: 'test-model', results: [] },
        speech: undefined
      }
      return sendJson(res, 200, empties[route])
    }
    if (behaviour.kind === 'destroy') return sendHalfThenDestroy(res, Buffer.from(JSON.stringify(okBody(route, body, text))), 'application/json')
    return sendJson(res, 200, okBody(route, body, text))
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: { message: `test server bug: ${String(err)}` } })
      else res.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    calls: (route) => counts.get(route) ?? 0,
    requests: (route) => [...(recorded.get(route) ?? [])],
    script: (route, queue) => queues.set(route, [...(queues.get(route) ?? []), ...queue]),
    reset: () => {
      counts.clear()
      recorded.clear()
      queues.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/**
 * One server for a whole test file, reset before each test and closed after the file, with a temp
 * folder for the files the providers write. Call at the top level of a test file.
 */
export function useOpenAIServer(dirPrefix: string): { readonly server: OpenAICompatibleServer; readonly dir: string } {
  let server: OpenAICompatibleServer | undefined
  let dir: string | undefined
  beforeAll(async () => {
    server = await startOpenAICompatibleServer()
    dir = await mkdtemp(join(tmpdir(), dirPrefix))
  })
  afterAll(async () => {
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })
  beforeEach(() => server!.reset())
  return {
    get server() {
      return server!
    },
    get dir() {
      return dir!
    }
  }
}
