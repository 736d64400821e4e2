/**
 * `studio serve --json --queue-url URL` on a farm's shared folder (the real built CLI, its engine in
 * a child process), and a window connected to it: a client of the bridge's WebSocket with the page's
 * protocol and token, keeping every push event and answering contract calls. `useServeOnFarm`
 * stops what it opened after each test.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import { PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/main/bridge/token'
import type { EngineEvent } from '../../src/shared/types'
import { until } from './engine'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export type CallResult = { ok: boolean; value?: unknown; error?: { code: string; message: string } }

export interface FarmWindow {
  events: EngineEvent[]
  call(command: string, request: unknown): Promise<CallResult>
  close(): void
}

export interface ServedOnFarm {
  window: FarmWindow
  /** The page's URL, `#token=…` included (its /files serves media). */
  url: URL
  /** What serve wrote to stderr. */
  output(): string
  /** Closed with the window after the test (a TCP relay in front of the farm, say). */
  alsoClose(close: () => Promise<void>): void
}

export function useServeOnFarm(dataDir: () => string): (queueUrl: string, env?: Record<string, string>, args?: string[]) => Promise<ServedOnFarm> {
  const opened: Array<{ cli: ChildProcess; window: FarmWindow | null; closers: Array<() => Promise<void>> }> = []
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      o.window?.close()
      if (o.cli.exitCode === null) {
        o.cli.kill('SIGTERM')
        await once(o.cli, 'exit')
      }
      for (const close of o.closers) await close()
    }
  })
  return async (queueUrl, extraEnv = {}, extraArgs = []) => {
    const { STUDIO_QUEUE_URL: _unset, ...env } = process.env
    const cli = spawn(process.execPath, [join(ROOT, 'bin/studio.mjs'), 'serve', '--json', '--port', '0', '--data-dir', dataDir(), '--queue-url', queueUrl, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, ...extraEnv }
    })
    const entry: (typeof opened)[number] = { cli, window: null, closers: [] }
    opened.push(entry)
    let out = ''
    let err = ''
    cli.stdout!.on('data', (d) => (out += d))
    cli.stderr!.on('data', (d) => (err += d))
    const line = await until(() => out.includes('\n') && out.split('\n')[0], 120_000, `serve to print its URL (stderr: ${err})`)
    const url = new URL((JSON.parse(line) as { url: string }).url)
    const token = url.hash.replace('#token=', '')
    const ws = new WebSocket(`ws://${url.host}/ws`, [PROTOCOL, TOKEN_PROTOCOL_PREFIX + token], { headers: { Origin: url.origin } })
    const events: EngineEvent[] = []
    const results = new Map<number, CallResult>()
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; result?: CallResult; event?: EngineEvent }
      if (m.event) events.push(m.event)
      if (typeof m.id === 'number' && m.result) results.set(m.id, m.result)
    })
    await once(ws, 'open')
    let next = 1
    const window: FarmWindow = {
      events,
      call: async (command, request) => {
        const id = next++
        ws.send(JSON.stringify({ id, command, request }))
        return until(() => results.get(id), 60_000, `${command} to answer`)
      },
      close: () => ws.close()
    }
    entry.window = window
    return { window, url, output: () => err, alsoClose: (close) => entry.closers.push(close) }
  }
}
