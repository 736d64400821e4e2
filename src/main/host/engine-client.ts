/**
 * The driving side of the port (Electron main, the `studio serve` bridge): numbered requests
 * with a timeout, the engine's push events, and a restart when the engine's process dies.
 *
 * A restarted engine needs nothing from us to resume: it reopens the same database, and the
 * steps that were running when the process died come back through their expired leases (the
 * finished ones are never run again). What the client does is start it again with a growing
 * delay (a crash loop must not spin), tell its listeners the engine was lost and then
 * reconnected (the window shows it), and answer the calls that were in flight with
 * `unavailable` rather than replay them: a command such as jobs/enqueue is not idempotent.
 */
import type { Result } from '../../shared/contract'
import type { EngineEvent } from '../../shared/types'
import { HostMessage, parseMessage, type Channel, type HostOp, type HostOpArgs, type SecretKeys } from './protocol'

export interface EngineProcess {
  readonly channel: Channel
  /** Called once when the process has ended, whatever the cause. */
  onExit(listener: (code: number | null) => void): void
  kill(): void
}

export interface EngineClientOptions {
  /** Start a fresh engine process (first start and every restart). */
  spawn(): EngineProcess
  /** The stored keys, when the engine asks (the desktop app decrypts them here). */
  secrets?: () => SecretKeys
  /** The engine forgot a key (its provider moved to another server). */
  forgetSecret?: (kind: keyof SecretKeys) => void
  /** A call with no answer after this long answers `timeout`. Default 10 min (an import may be long). */
  callTimeoutMs?: number
  /** A process that is not ready after this long is killed and started again. Default 60 s. */
  startTimeoutMs?: number
  /**
   * Restart delays: doubled after each restart, from `initialMs` up to `maxMs`; back to
   * `initialMs` once an engine has stayed up `stableMs` (default 30 s).
   */
  backoff?: { initialMs?: number; maxMs?: number; stableMs?: number }
  log?: (message: string) => void
}

export interface HostInfo {
  pid: number
  dataDir: string
  artifactsRoot: string
}

export type ConnectionState = 'starting' | 'ready' | 'lost' | 'closed'

type Pending = { resolve: (result: Result<unknown>) => void; timer: NodeJS.Timeout; what: string }

export class EngineClient {
  private readonly listeners = new Set<(event: EngineEvent) => void>()
  private readonly pending = new Map<number, Pending>()
  private readonly waitingForReady = new Set<() => void>()
  private nextId = 1
  private process: EngineProcess | null = null
  private stopListening: (() => void) | null = null
  private generation = 0
  private current: HostInfo | null = null
  private state: ConnectionState = 'starting'
  private delayMs: number
  private restartTimer: NodeJS.Timeout | null = null
  private readyAt = 0
  private closeWaiters = new Map<number, () => void>()
  private firstReady: Promise<HostInfo>
  private resolveFirst!: (info: HostInfo) => void
  private rejectFirst!: (error: Error) => void
  /** How many times the engine process was started again after dying. */
  restarts = 0

  constructor(private readonly options: EngineClientOptions) {
    this.delayMs = options.backoff?.initialMs ?? 250
    this.firstReady = new Promise((resolve, reject) => {
      this.resolveFirst = resolve
      this.rejectFirst = reject
    })
  }

  /**
   * Start the engine; resolves once it answers (its data folder, its pid). An engine that cannot
   * start at all (a data folder it cannot open) is not retried: start() rejects and the caller
   * says so. Restarts are for an engine that was running.
   */
  start(): Promise<HostInfo> {
    if (!this.process && this.state === 'starting') this.launch()
    return this.firstReady
  }

  get info(): HostInfo | null {
    return this.current
  }

  get connection(): ConnectionState {
    return this.state
  }

  /** Engine events, plus `engine.connection` when the engine is lost and when it is back. */
  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A contract command, unparsed: the engine validates it (the shared `dispatch`). Never throws. */
  call(command: string, request: unknown): Promise<Result<unknown>> {
    return this.request(command, (id) => ({ t: 'call', id, command, request }))
  }

  /** A trusted operation outside the contract (HOST_OPS). */
  op<O extends HostOp>(op: O, args: HostOpArgs<O>): Promise<Result<unknown>> {
    return this.request(op, (id) => ({ t: 'op', id, op, args }))
  }

  /** Send the keys again (the user saved or removed one). */
  pushSecrets(): void {
    if (this.state === 'ready') this.send({ t: 'secrets', keys: this.options.secrets?.() ?? {} })
  }

  /** Send anything at all (tests: a malformed message must be refused, not crash the engine). */
  sendRaw(message: unknown): void {
    this.process?.channel.send(message)
  }

  /** Ask the engine to finish running steps (up to `graceMs`), close its database and exit. */
  async close(graceMs: number, hardTimeoutMs = 15_000): Promise<void> {
    if (this.state === 'closed') return
    const wasReady = this.state === 'ready'
    this.state = 'closed'
    if (this.restartTimer) clearTimeout(this.restartTimer)
    const proc = this.process
    if (!proc) return this.failPending('the engine is closed')
    const exited = new Promise<void>((resolve) => proc.onExit(() => resolve()))
    if (wasReady) {
      const id = this.nextId++
      const closed = new Promise<void>((resolve) => this.closeWaiters.set(id, resolve))
      this.send({ t: 'close', id, graceMs })
      const hard = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs + hardTimeoutMs).unref())
      if ((await Promise.race([closed, exited, hard])) === 'timeout') this.log('the engine did not close in time; stopping it')
    }
    this.failPending('the engine is closed')
    proc.kill()
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())])
    this.stopListening?.()
  }

  // ------------------------------------------------------------------ internals

  private request(what: string, build: (id: number) => unknown): Promise<Result<unknown>> {
    const timeoutMs = this.options.callTimeoutMs ?? 600_000
    return new Promise((resolve) => {
      const started = Date.now()
      const go = () => {
        if (this.state === 'closed') return resolve(failure('unavailable', 'the engine is closed'))
        const id = this.nextId++
        const left = Math.max(0, timeoutMs - (Date.now() - started))
        const timer = setTimeout(() => {
          this.pending.delete(id)
          resolve(failure('timeout', `${what}: the engine did not answer within ${duration(timeoutMs)}`))
        }, left)
        timer.unref?.()
        this.pending.set(id, { resolve, timer, what })
        this.send(build(id))
      }
      if (this.state === 'ready') return go()
      if (this.state === 'closed') return resolve(failure('unavailable', 'the engine is closed'))
      // Starting or restarting: the call waits for the engine (within its own timeout).
      const timer = setTimeout(() => {
        this.waitingForReady.delete(wake)
        resolve(failure('timeout', `${what}: the engine did not come back within ${duration(timeoutMs)}`))
      }, timeoutMs)
      timer.unref?.()
      const wake = () => {
        clearTimeout(timer)
        go()
      }
      this.waitingForReady.add(wake)
    })
  }

  private send(message: unknown): void {
    try {
      this.process?.channel.send(message)
    } catch (err) {
      this.log(`could not reach the engine: ${(err as Error).message}`)
    }
  }

  private launch(): void {
    const generation = ++this.generation
    let proc: EngineProcess
    try {
      proc = this.options.spawn()
    } catch (err) {
      this.log(`could not start the engine: ${(err as Error).message}`)
      return this.scheduleRestart()
    }
    this.process = proc
    const startTimer = setTimeout(() => {
      if (generation !== this.generation || this.state === 'ready') return
      this.log('the engine did not start in time; starting it again')
      proc.kill()
    }, this.options.startTimeoutMs ?? 60_000)
    startTimer.unref?.()
    this.stopListening = proc.channel.onMessage((raw) => {
      if (generation === this.generation) this.onMessage(raw, startTimer)
    })
    proc.onExit((code) => {
      clearTimeout(startTimer)
      if (generation !== this.generation || this.state === 'closed') return
      this.onLost(`the engine process stopped (${code === null ? 'killed' : `exit code ${code}`})`)
    })
  }

  private onMessage(raw: unknown, startTimer: NodeJS.Timeout): void {
    const parsed = parseMessage(HostMessage, raw)
    if (!parsed.ok) return this.log(`from the engine: ${parsed.error}`)
    const message = parsed.message
    switch (message.t) {
      case 'ready': {
        clearTimeout(startTimer)
        const wasLost = this.current !== null
        this.current = { pid: message.pid, dataDir: message.dataDir, artifactsRoot: message.artifactsRoot }
        if (this.state === 'closed') return
        this.state = 'ready'
        this.readyAt = Date.now()
        this.resolveFirst(this.current)
        const waiting = [...this.waitingForReady]
        this.waitingForReady.clear()
        for (const wake of waiting) wake()
        if (wasLost) this.emit({ type: 'engine.connection', state: 'reconnected', restarts: this.restarts })
        return
      }
      case 'result': {
        const pending = this.pending.get(message.id)
        if (!pending) return
        this.pending.delete(message.id)
        clearTimeout(pending.timer)
        pending.resolve(message.result)
        return
      }
      case 'event':
        return this.emit(message.event)
      case 'secrets.request':
        return this.send({ t: 'secrets', keys: this.options.secrets?.() ?? {} })
      case 'secrets.forget':
        return this.options.forgetSecret?.(message.kind)
      case 'refused': {
        this.log(`the engine refused a message: ${message.message}`)
        const pending = message.id === null ? undefined : this.pending.get(message.id)
        if (pending && message.id !== null) {
          this.pending.delete(message.id)
          clearTimeout(pending.timer)
          pending.resolve(failure('bad_message', message.message))
        }
        return
      }
      case 'closed':
        this.closeWaiters.get(message.id)?.()
        this.closeWaiters.delete(message.id)
        return
    }
  }

  private onLost(reason: string): void {
    this.stopListening?.()
    this.process = null
    if (this.current === null) {
      this.state = 'closed'
      this.failPending('the engine could not start')
      this.rejectFirst(new Error(`the engine could not start: ${reason}`))
      return
    }
    this.log(`${reason}; starting it again`)
    const wasReady = this.state === 'ready'
    this.state = 'lost'
    this.failPending('the engine process stopped while answering; it is restarting, try again')
    if (wasReady) this.emit({ type: 'engine.connection', state: 'lost', restarts: this.restarts })
    this.scheduleRestart()
  }

  private scheduleRestart(): void {
    if (this.state === 'closed') return
    // An engine that dies soon after each start (a crash loop) keeps growing the delay; one that
    // ran for a while starts again at once.
    if (this.readyAt && Date.now() - this.readyAt > (this.options.backoff?.stableMs ?? 30_000)) this.delayMs = this.options.backoff?.initialMs ?? 250
    const delay = this.delayMs
    this.delayMs = Math.min(this.delayMs * 2, this.options.backoff?.maxMs ?? 10_000)
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null
      if (this.state === 'closed') return
      this.restarts++
      this.launch()
    }, delay)
  }

  private failPending(message: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer)
      this.pending.delete(id)
      pending.resolve(failure('unavailable', `${pending.what}: ${message}`))
    }
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (err) {
        this.log(`an event listener failed: ${(err as Error).message}`)
      }
    }
  }

  private log(message: string): void {
    ;(this.options.log ?? ((m: string) => console.warn(`[engine client] ${m}`)))(message)
  }
}

function duration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 1_000)} s`
}

function failure(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } }
}
