/**
 * The engine's side of the port: opens the studio in this process (the utility process, the
 * `studio serve` child), serves the contract through the shared `dispatch`, pushes every engine
 * event, and answers the few trusted operations outside the contract (HOST_OPS). Pure Node.
 *
 * Keys: in the desktop app only the main process can decrypt them (safeStorage), so this side
 * asks the client once at start and keeps them in memory; the client sends new ones when the
 * user saves a key. They are never logged and never part of an event.
 */
import { dispatch, toApiError } from '../api/handlers'
import { studioHandlers } from '../api/studio-handlers'
import type { Engine } from '../engine/engine'
import { QueueError } from '../engine/errors'
import { MemorySecrets, type SecretSource } from '../engine/services'
import { Studio } from '../engine/studio'
import type { Result } from '../../shared/contract'
import { WindowQueue } from './window-queue'
import { ClientMessage, HOST_OPS, HOST_PROTOCOL, parseMessage, type Channel, type HostMessage, type HostOp, type HostOpArgs, type SecretKeys } from './protocol'

export interface EngineHostOptions {
  channel: Channel
  /** Open the engine with this key source (a Studio in the app; tests may open a bare engine). */
  open(secrets: SecretSource): Engine<any> | Promise<Engine<any>>
  /**
   * 'client': ask the client for the keys (the desktop app, whose main process holds them).
   * 'memory': keys typed into this session stay in this process's memory (`studio serve`).
   */
  secrets: 'client' | 'memory'
  /** Start the pool (and resume batches) once open, while the window is on the local queue. Default true. */
  startWork?: boolean
  /**
   * `studio serve --queue-url` / STUDIO_QUEUE_URL: the window's jobs and queue are this farm's for
   * the session (window-queue.ts). Absent, the studio's Settings → "Studio farm" decides.
   */
  queueUrl?: string
  /** `studio serve --farm-data-dir`: the farm's shared folder on this computer (window-queue.ts). */
  farmDataDir?: string
  /** How often a lost farm link is tried again (tests shorten it). */
  farmRetryMs?: number
  /** How long to wait for the client's keys before opening without them. */
  secretsTimeoutMs?: number
  /** The host closed (the client asked): the entry exits. */
  onClosed?: () => void
  log?: (message: string) => void
}

export interface EngineHost {
  readonly engine: Engine<any>
  close(graceMs: number): Promise<void>
}

/** Keys held in memory on the client's behalf; forgetting one tells the client to forget it too. */
export class ClientSecrets implements SecretSource {
  private keys: SecretKeys = {}
  constructor(private readonly send: (message: HostMessage) => void) {}
  replace(keys: SecretKeys): void {
    this.keys = { ...keys }
  }
  get(request: { kind: string }): string | undefined {
    return (this.keys as Record<string, string | undefined>)[request.kind] || undefined
  }
  set(kind: keyof SecretKeys, key: string): boolean {
    // Storing needs safeStorage, which lives with the client (settings/setApiKey is answered there).
    // A key the client stored and sent already is kept (farm/connect: main stores the password first).
    if (key) return this.keys[kind] === key
    delete this.keys[kind]
    this.send({ t: 'secrets.forget', kind })
    return true
  }
}

export async function serveEngine(options: EngineHostOptions): Promise<EngineHost> {
  const log = options.log ?? ((message: string) => console.warn(`[engine] ${message}`))
  const send = (message: HostMessage) => {
    try {
      options.channel.send(message)
    } catch (err) {
      // The client is gone (its process closed the port): nothing to answer to.
      log(`could not send ${message.t}: ${(err as Error).message}`)
    }
  }
  let engine: Engine<any> | null = null
  let closing: Promise<void> | null = null
  let windowQueue: WindowQueue | null = null
  const clientSecrets = options.secrets === 'client' ? new ClientSecrets(send) : null
  let keysArrived: (() => void) | null = null

  const close = (graceMs: number): Promise<void> => {
    closing ??= (async () => {
      await windowQueue?.close()
      await engine?.close(graceMs)
    })()
    return closing
  }

  const onMessage = async (raw: unknown): Promise<void> => {
    const parsed = parseMessage(ClientMessage, raw)
    if (!parsed.ok) {
      log(parsed.error)
      return send({ t: 'refused', id: parsed.id, message: parsed.error })
    }
    const message = parsed.message
    switch (message.t) {
      case 'secrets': {
        clientSecrets?.replace(message.keys)
        keysArrived?.()
        // New keys apply to the next step, as when the key was saved in this process.
        if (engine instanceof Studio) engine.services.invalidateProviders()
        return
      }
      case 'call': {
        if (!windowQueue || closing) return send({ t: 'result', id: message.id, result: unavailable() })
        const result = await dispatch(windowQueue.handlers, message.command, message.request)
        return send({ t: 'result', id: message.id, result })
      }
      case 'op': {
        if (!engine || closing) return send({ t: 'result', id: message.id, result: unavailable() })
        return send({ t: 'result', id: message.id, result: await runOp(engine, clientSecrets, message.op, message.args) })
      }
      case 'close': {
        await close(message.graceMs)
        send({ t: 'closed', id: message.id })
        options.onClosed?.()
        return
      }
    }
  }
  const stopListening = options.channel.onMessage((raw) => {
    onMessage(raw).catch((err: unknown) => log(`message failed: ${(err as Error).message}`))
  })

  if (clientSecrets) {
    // The first steps must find their keys: wait for them (briefly: a client that never answers
    // leaves the engine running on keys from the environment).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.secretsTimeoutMs ?? 5_000)
      keysArrived = () => {
        clearTimeout(timer)
        keysArrived = null
        resolve()
      }
      send({ t: 'secrets.request' })
    })
  }

  try {
    engine = await options.open(clientSecrets ?? new MemorySecrets())
  } catch (err) {
    stopListening()
    throw err
  }
  // The window's queue: this computer's (its pool started here) or a farm's (window-queue.ts).
  windowQueue = new WindowQueue({
    engine,
    local: studioHandlers(engine),
    ...(options.queueUrl ? { queueUrl: options.queueUrl } : {}),
    ...(options.farmDataDir ? { farmDataDir: options.farmDataDir } : {}),
    ...(options.farmRetryMs !== undefined ? { retryMs: options.farmRetryMs } : {}),
    startWork: options.startWork !== false,
    send: (event) => send({ t: 'event', event }),
    log
  })
  await windowQueue.start()
  send({ t: 'ready', protocol: HOST_PROTOCOL, pid: process.pid, dataDir: engine.dataDir, artifactsRoot: engine.artifactsRoot })
  return { engine, close }
}

type HostResult = Result<unknown>

function unavailable(): HostResult {
  return { ok: false, error: { code: 'unavailable', message: 'the engine is starting or stopping; try again' } }
}

async function runOp(engine: Engine<any>, clientSecrets: ClientSecrets | null, op: HostOp, rawArgs: unknown): Promise<HostResult> {
  const parsed = HOST_OPS[op].safeParse(rawArgs ?? {})
  if (!parsed.success) return { ok: false, error: { code: 'bad_request', message: `${op}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ')}` } }
  try {
    switch (op) {
      case 'assets.importFile':
      case 'assets.adoptUpload': {
        if (!(engine instanceof Studio)) throw new QueueError('unavailable', 'projects are not available in this session')
        const { projectId, name, path } = parsed.data as { projectId: string; name: string; path: string }
        const asset =
          op === 'assets.importFile' ? await engine.projects.importAssetFile(projectId, name, path) : await engine.projects.adoptUploadedAsset(projectId, name, path)
        return { ok: true, value: asset }
      }
      case 'secrets.replace':
        if (!clientSecrets) throw new QueueError('unavailable', 'this engine keeps its own keys')
        clientSecrets.replace((parsed.data as HostOpArgs<'secrets.replace'>).keys)
        // New keys apply to the next step, as when the key was saved in this process.
        if (engine instanceof Studio) engine.services.invalidateProviders()
        return { ok: true, value: null }
    }
  } catch (err) {
    return { ok: false, error: toApiError(err) }
  }
}
