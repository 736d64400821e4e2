/**
 * Does the browser bridge stay responsive while the engine is busy? A `studio serve` bridge
 * answers `jobs/list` (50 jobs) over its WebSocket, one request after another, first on an idle
 * studio and then while a 100 000-row sheet is imported as a batch (uploaded through the same
 * WebSocket, as the page does). Two layouts side by side: the engine in a child process behind
 * the EngineClient (what `studio serve` runs) and the engine in the bridge's own process (before).
 * Prints p50/p99/max latencies; asserts nothing.
 *
 *   node --import tsx bench/bridge/run.ts [rows]     (default 100000)
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { startBridge, type BridgeServer } from '../../src/main/bridge/server'
import { PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/main/bridge/token'
import { forkEngine } from '../../src/main/host/child-process'
import { EngineClient } from '../../src/main/host/engine-client'
import { hostEntry } from '../../src/main/host/entries'
import { remoteBridgeEngine } from '../../src/main/host/remote-bridge'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { BatchView } from '../../src/shared/types'

const ROWS = Number(process.argv[2] ?? 100_000)

function sheet(rows: number): string {
  const lines = ['idea;language']
  for (let i = 0; i < rows; i++) lines.push(`Idea number ${i}: why the sea is salty;${i % 2 ? 'fr' : 'en'}`)
  return lines.join('\n') + '\n'
}

class Socket {
  private next = 1
  private readonly waiting = new Map<number, (result: { ok: boolean; value?: unknown; error?: { message: string } }) => void>()
  readonly batches = new Map<string, BatchView>()
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: never; event?: { type: string; batch?: BatchView } }
      if (message.id !== undefined && message.result) {
        this.waiting.get(message.id)?.(message.result)
        this.waiting.delete(message.id)
      }
      if (message.event?.type === 'batch.changed' && message.event.batch) this.batches.set(message.event.batch.id, message.event.batch)
    })
  }
  static async open(bridge: BridgeServer): Promise<Socket> {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws`, [PROTOCOL, TOKEN_PROTOCOL_PREFIX + bridge.token], {
      headers: { Origin: bridge.origin },
      maxPayload: 256 * 1024 * 1024
    })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return new Socket(ws)
  }
  call(command: string, request: unknown): Promise<{ ok: boolean; value?: unknown; error?: { message: string } }> {
    const id = this.next++
    return new Promise((resolve) => {
      this.waiting.set(id, resolve)
      this.ws.send(JSON.stringify({ id, command, request }))
    })
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

function line(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  const f = (ms: number) => ms.toFixed(1).padStart(7)
  return `  ${label.padEnd(28)} n=${String(samples.length).padStart(5)}  p50 ${f(percentile(sorted, 50))} ms  p99 ${f(percentile(sorted, 99))} ms  max ${f(sorted.at(-1)!)} ms`
}

async function measure(socket: Socket, until: () => boolean, minSamples: number): Promise<number[]> {
  const samples: number[] = []
  while (!until() || samples.length < minSamples) {
    const started = performance.now()
    const result = await socket.call('jobs/list', { limit: 50 })
    samples.push(performance.now() - started)
    if (!result.ok) throw new Error(`jobs/list: ${result.error?.message}`)
    if (samples.length > 200_000) break
  }
  return samples
}

async function run(layout: 'child' | 'in-process', csvBase64: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-bench-'))
  const staticDir = join(dir, 'ui')
  await mkdir(staticDir)
  const dataDir = join(dir, 'data')
  let client: EngineClient | null = null
  let studio: Studio | null = null
  let bridge: BridgeServer
  if (layout === 'child') {
    const entry = hostEntry('serve', new URL('../../src/main/host/entries.ts', import.meta.url))
    client = new EngineClient({ spawn: () => forkEngine(entry.path, ['--data-dir', dataDir], { execArgv: entry.execArgv }) })
    bridge = await startBridge(remoteBridgeEngine(client, await client.start()), { staticDir })
  } else {
    studio = openStudio({ dataDir })
    studio.startWork()
    bridge = await startBridge(studio, { staticDir })
  }
  const socket = await Socket.open(bridge)
  // Some jobs for the list to return (paused queue: nothing runs, the figures are the bridge's).
  await socket.call('queue/pause', {})
  const seeded = await socket.call('jobs/enqueueMany', { jobs: Array.from({ length: 50 }, (_, i) => ({ type: 'text', input: { prompt: `Job ${i}` } })) })
  if (!seeded.ok) throw new Error(`jobs/enqueueMany: ${seeded.error?.message}`)

  // Warm-up: the first calls load and compile code paths (under tsx, on first use).
  await measure(socket, () => true, 200)
  const idle = await measure(socket, () => true, 300)
  const importStarted = performance.now()
  let created: BatchView | null = null
  const creating = socket.call('batch/create', { source: { kind: 'upload', name: 'rows.csv', contentBase64: csvBase64 }, config: { pipeline: 'video' }, name: 'bench' }).then((r) => {
    if (!r.ok) throw new Error(`batch/create: ${r.error?.message}`)
    created = r.value as BatchView
  })
  const imported = () => {
    if (!created) return false
    const seen = socket.batches.get(created.id) ?? created
    return seen.importing === null && seen.totalRows > 0
  }
  const busy = await measure(socket, imported, 50)
  await creating
  const importMs = performance.now() - importStarted
  console.log(`${layout === 'child' ? 'engine in a child process (studio serve)' : 'engine in the bridge process (before)'}:`)
  console.log(line('jobs/list, idle', idle))
  console.log(line(`jobs/list, ${ROWS} rows importing`, busy))
  console.log(`  import took ${(importMs / 1000).toFixed(1)} s (${socket.batches.get(created!.id)?.totalRows ?? '?'} rows)`)
  socket.ws.close()
  await bridge.close()
  if (client) await client.close(0)
  if (studio) await studio.close(0)
  await rm(dir, { recursive: true, force: true })
}

const csvBase64 = Buffer.from(sheet(ROWS)).toString('base64')
console.log(`bridge latency while a ${ROWS}-row sheet imports (${(csvBase64.length / 1024 / 1024).toFixed(1)} MB of base64 over the WebSocket)`)
// Two processes hand each request over: on a loaded machine each hand-over waits for a CPU.
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
for (const layout of (process.env.BRIDGE_LAYOUTS ?? 'child,in-process').split(',') as ('child' | 'in-process')[]) await run(layout, csvBase64)
