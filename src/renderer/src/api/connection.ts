/** Transport-neutral connection state: the app shows a banner from it, never which transport it is. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized'

export interface ConnectionInfo {
  state: ConnectionState
  /** Incremented on every successful (re)connection: a new epoch means events may have been missed. */
  epoch: number
  /** Milliseconds until the next attempt, when reconnecting. */
  retryInMs: number | null
}

export interface Connection {
  get(): ConnectionInfo
  subscribe(listener: (info: ConnectionInfo) => void): () => void
}

/** A connection that is always open (Electron IPC, test doubles). */
export function alwaysOpen(): Connection {
  const info: ConnectionInfo = { state: 'open', epoch: 1, retryInMs: null }
  return { get: () => info, subscribe: () => () => {} }
}

export class ConnectionSignal implements Connection {
  private info: ConnectionInfo = { state: 'connecting', epoch: 0, retryInMs: null }
  private readonly listeners = new Set<(info: ConnectionInfo) => void>()

  get(): ConnectionInfo {
    return this.info
  }

  set(next: Partial<ConnectionInfo>): void {
    this.info = { ...this.info, ...next }
    for (const l of [...this.listeners]) l(this.info)
  }

  subscribe(listener: (info: ConnectionInfo) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
