import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createWsClient } from '../../src/renderer/src/api/ws-client'

/** A scriptable WebSocket double: the client's only dependency on the browser's transport. */
class FakeSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  static all: FakeSocket[] = []
  readonly OPEN = 1
  readyState = 0
  sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((m: { data: unknown }) => void) | null = null
  onclose: (() => void) | null = null
  onerror: (() => void) | null = null
  constructor(
    readonly url: string,
    readonly protocols: string[]
  ) {
    FakeSocket.all.push(this)
  }
  send(frame: string) {
    this.sent.push(frame)
  }
  close() {
    this.readyState = 3
    this.onclose?.()
  }
  open() {
    this.readyState = 1
    this.onopen?.()
  }
  receive(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) })
  }
  last() {
    return JSON.parse(this.sent.at(-1)!) as { id: number; command: string; request: unknown }
  }
}

beforeEach(() => {
  FakeSocket.all = []
  vi.useFakeTimers()
})
afterEach(() => vi.useRealTimers())

function client(checkToken?: () => Promise<boolean>) {
  return createWsClient({
    url: 'ws://127.0.0.1:5/ws',
    token: 'abc_DEF-123',
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    random: () => 0.5,
    ...(checkToken ? { checkToken } : {})
  })
}

describe('WebSocket client of the contract', () => {
  it('offers the token as a sub-protocol, never in the URL', () => {
    client()
    const s = FakeSocket.all[0]!
    expect(s.url).toBe('ws://127.0.0.1:5/ws')
    expect(s.protocols).toEqual(['studio.v1', 'studio.token.abc_DEF-123'])
  })

  it('queues calls until open, then correlates answers by id', async () => {
    const c = client()
    const p = c.api.invoke('queue/stats', {})
    const s = FakeSocket.all[0]!
    expect(s.sent).toHaveLength(0)
    s.open()
    expect(s.last()).toMatchObject({ command: 'queue/stats', request: {} })
    s.receive({ id: 999, result: { ok: true, value: 'not mine' } })
    s.receive({ id: s.last().id, result: { ok: true, value: { total: 3 } } })
    await expect(p).resolves.toEqual({ ok: true, value: { total: 3 } })
  })

  it('delivers pushed events to every subscriber and ignores garbage frames', () => {
    const c = client()
    const got: string[] = []
    c.api.subscribe((e) => got.push(e.type))
    const off = c.api.subscribe((e) => got.push('second:' + e.type))
    const s = FakeSocket.all[0]!
    s.open()
    s.onmessage?.({ data: 'not json' })
    s.receive({ event: { type: 'queue.changed', paused: true } })
    off()
    s.receive({ event: { type: 'job.removed', jobId: 'x' } })
    expect(got).toEqual(['queue.changed', 'second:queue.changed', 'job.removed'])
  })

  it('reconnects with backoff, answers in-flight calls with "disconnected", and reports each state', async () => {
    const c = client()
    const states: string[] = []
    c.connection.subscribe((i) => states.push(`${i.state}${i.retryInMs ? ':' + i.retryInMs : ''}`))
    const s1 = FakeSocket.all[0]!
    s1.open()
    const pending = c.api.invoke('jobs/list', {})
    s1.close()
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'disconnected' } })
    await vi.advanceTimersByTimeAsync(0)
    expect(states).toEqual(['open', 'reconnecting:250'])
    await vi.advanceTimersByTimeAsync(250)
    const s2 = FakeSocket.all[1]!
    s2.close() // refused again: the delay doubles
    await vi.advanceTimersByTimeAsync(0)
    expect(c.connection.get()).toMatchObject({ state: 'reconnecting', retryInMs: 500 })
    await vi.advanceTimersByTimeAsync(500)
    FakeSocket.all[2]!.open()
    expect(c.connection.get()).toMatchObject({ state: 'open', epoch: 2 })
    c.close()
  })

  it('while reconnecting, a call fails at once instead of running later unseen', async () => {
    const c = client()
    FakeSocket.all[0]!.open()
    FakeSocket.all[0]!.close()
    await expect(c.api.invoke('jobs/cancel', { id: 'x' })).resolves.toMatchObject({ ok: false, error: { code: 'disconnected' } })
    c.close()
  })

  it('stops retrying and says so when the server refuses the token', async () => {
    const c = client(async () => false)
    const call = c.api.invoke('queue/stats', {})
    FakeSocket.all[0]!.close()
    await vi.advanceTimersByTimeAsync(0)
    expect(c.connection.get().state).toBe('unauthorized')
    await expect(call).resolves.toMatchObject({ ok: false, error: { code: 'disconnected' } })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeSocket.all).toHaveLength(1)
  })

  it('builds file URLs that carry the token as a query parameter', () => {
    const c = client()
    expect(c.api.fileUrl('/data/jobs/1/a b.mp4')).toBe('/files?path=%2Fdata%2Fjobs%2F1%2Fa%20b.mp4&token=abc_DEF-123')
  })
})
