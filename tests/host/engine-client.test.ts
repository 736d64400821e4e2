/**
 * The client's side of the protocol against a peer that misbehaves on purpose (answers nothing,
 * sends garbage): calls end with a clear `timeout`, garbage is logged and ignored, and an engine
 * that cannot start at all makes start() fail instead of restarting forever.
 */
import { MessageChannel } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { nodePortChannel } from '../../src/main/host/channels'
import { EngineClient, type EngineProcess } from '../../src/main/host/engine-client'
import { HOST_PROTOCOL } from '../../src/main/host/protocol'
import { until } from '../helpers/engine'

/** A peer that says it is ready and then answers only what `answer` decides. */
function peer(answer: (message: { t: string; id?: number }, reply: (m: unknown) => void) => void, ready = true): EngineProcess & { close(): void } {
  const { port1, port2 } = new MessageChannel()
  const exits: ((code: number | null) => void)[] = []
  port2.on('message', (m: { t: string; id?: number }) => answer(m, (r) => port2.postMessage(r)))
  if (ready) port2.postMessage({ t: 'ready', protocol: HOST_PROTOCOL, pid: 1, dataDir: '/data', artifactsRoot: '/data/jobs' })
  const close = () => {
    port1.close()
    port2.close()
    for (const e of exits.splice(0)) e(1)
  }
  return { channel: nodePortChannel(port1), onExit: (l) => exits.push(l), kill: close, close }
}

describe('engine client', () => {
  it('a call with no answer ends with a timeout naming the command; the client keeps working', async () => {
    const logs: string[] = []
    let silent = true
    const client = new EngineClient({
      spawn: () =>
        peer((m, reply) => {
          if (m.t !== 'call' || silent) return
          reply({ t: 'result', id: m.id, result: { ok: true, value: 42 } })
        }),
      callTimeoutMs: 200,
      log: (message) => logs.push(message)
    })
    await client.start()
    expect(await client.call('jobs/list', {})).toEqual({ ok: false, error: { code: 'timeout', message: 'jobs/list: the engine did not answer within 200 ms' } })
    silent = false
    expect(await client.call('jobs/list', {})).toEqual({ ok: true, value: 42 })
    await client.close(0, 100)
  })

  it('garbage from the engine is logged with the field at fault and ignored', async () => {
    const logs: string[] = []
    const client = new EngineClient({
      spawn: () =>
        peer((m, reply) => {
          if (m.t !== 'call') return
          reply({ t: 'result', id: m.id, result: { ok: 'yes' } })
          reply({ t: 'event' })
          reply('nonsense')
          reply({ t: 'result', id: m.id, result: { ok: true, value: 'fine' } })
        }),
      log: (message) => logs.push(message)
    })
    await client.start()
    expect(await client.call('queue/stats', {})).toEqual({ ok: true, value: 'fine' })
    await until(() => logs.length >= 3, 5_000, 'the refusals to be logged')
    expect(logs.join('\n')).toMatch(/from the engine: bad message: result/)
    expect(logs.join('\n')).toMatch(/from the engine: bad message: event/)
    await client.close(0, 100)
  })

  it('an engine that dies before it is ready is not restarted: start() says it could not start', async () => {
    let spawned = 0
    const client = new EngineClient({
      spawn: () => {
        spawned++
        const p = peer(() => {}, false)
        setTimeout(() => p.close(), 20)
        return p
      },
      backoff: { initialMs: 10 },
      log: () => {}
    })
    await expect(client.start()).rejects.toThrow(/could not start/)
    await new Promise((r) => setTimeout(r, 100))
    expect(spawned).toBe(1)
    expect(await client.call('jobs/list', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } })
  })

  it('an engine that keeps dying right after it starts is restarted less and less often (no spin)', async () => {
    const spawnedAt: number[] = []
    const events: string[] = []
    const client = new EngineClient({
      spawn: () => {
        spawnedAt.push(Date.now())
        const p = peer(() => {})
        setTimeout(() => p.close(), 10)
        return p
      },
      backoff: { initialMs: 20, maxMs: 1_000 },
      log: () => {}
    })
    client.subscribe((e) => e.type === 'engine.connection' && events.push(e.state))
    await client.start()
    await until(() => spawnedAt.length >= 5, 20_000, 'five starts')
    await client.close(0, 100)
    const gaps = spawnedAt.slice(1).map((t, i) => t - spawnedAt[i]!)
    // 20, 40, 80, 160 ms of delay (plus the 10 ms each one lived): each wait longer than the last.
    expect(gaps[3]!).toBeGreaterThanOrEqual(160)
    expect(gaps[3]!).toBeGreaterThan(gaps[0]!)
    expect(events.slice(0, 2)).toEqual(['lost', 'reconnected'])
  })
})
