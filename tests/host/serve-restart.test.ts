/**
 * `studio serve` as shipped: the real CLI, its studio in a child process. The browser's contract
 * goes through the bridge to that process; when the engine's process is killed, the CLI starts
 * it again, the page hears `engine.connection` (lost, then reconnected) and its calls work again.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/main/bridge/token'
import type { EngineEvent, JobView } from '../../src/shared/types'
import { tempDir, until } from '../helpers/engine'
import { pidsMentioning } from '../helpers/processes'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

describe('studio serve with its engine in a child process', () => {
  it('serves the contract through the child; a killed engine comes back and the page sees it reconnect', async () => {
    const dataDir = tempDir('serve-restart-')
    const cli = spawn(process.execPath, [join(ROOT, 'bin/studio.mjs'), 'serve', '--json', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    cli.stdout.on('data', (d) => (out += d))
    cli.stderr.on('data', (d) => (err += d))
    let ws: WebSocket | null = null
    try {
      const line = await until(() => out.includes('\n') && out.split('\n')[0], 120_000, 'serve to print its URL')
      const url = new URL((JSON.parse(line) as { url: string }).url)
      const token = url.hash.replace('#token=', '')
      // The studio is not in the CLI's process: it is the child that names the data folder.
      const engines = pidsMentioning(dataDir).filter((pid) => pid !== cli.pid)
      expect(engines).toHaveLength(1)

      ws = new WebSocket(`ws://${url.host}/ws`, [PROTOCOL, TOKEN_PROTOCOL_PREFIX + token], { headers: { Origin: url.origin } })
      const events: EngineEvent[] = []
      const results = new Map<number, { ok: boolean; value?: unknown }>()
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { id?: number; result?: { ok: boolean }; event?: EngineEvent }
        if (m.event) events.push(m.event)
        if (typeof m.id === 'number' && m.result) results.set(m.id, m.result)
      })
      await once(ws, 'open')
      let next = 1
      const call = async (command: string, request: unknown) => {
        const id = next++
        ws!.send(JSON.stringify({ id, command, request }))
        return until(() => results.get(id), 60_000, `${command} to answer`)
      }

      await call('queue/pause', {})
      const added = await call('jobs/enqueue', { type: 'text', input: { prompt: 'Les phares de Bretagne' } })
      expect(added.ok).toBe(true)
      const id = (added.value as JobView).id
      await until(() => events.find((e) => e.type === 'job.changed' && e.job.id === id), 30_000, 'the job event from the child')

      process.kill(engines[0]!, 'SIGKILL')
      await until(() => events.find((e) => e.type === 'engine.connection' && e.state === 'lost'), 30_000, 'the page to hear the engine was lost')
      await until(() => events.find((e) => e.type === 'engine.connection' && e.state === 'reconnected'), 90_000, 'the page to hear it reconnected')
      const listed = await call('jobs/list', {})
      expect(listed.ok).toBe(true)
      expect((listed.value as JobView[]).map((j) => j.id)).toEqual([id])
      const again = pidsMentioning(dataDir).filter((pid) => pid !== cli.pid)
      expect(again).toHaveLength(1)
      expect(again[0]).not.toBe(engines[0])
    } finally {
      ws?.close()
      cli.kill('SIGTERM')
      await once(cli, 'exit')
    }
    // Stopped cleanly: the engine closed with it.
    expect(pidsMentioning(dataDir).filter((pid) => pid !== cli.pid), err).toEqual([])
  }, 240_000)
})
