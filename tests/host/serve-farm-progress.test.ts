/**
 * `studio serve --queue-url`: the page's WebSocket (as the built UI uses it) on a farm's queue, a
 * real `studio farm worker` running a long music job: the window's push events carry the job's
 * progress moving through intermediate values and its current step while it runs, not only its
 * start and end.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/main/bridge/token'
import type { EngineEvent, JobView } from '../../src/shared/types'
import { until } from '../helpers/engine'
import { startWorker, useFarm } from '../helpers/farm-worker'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const farm = useFarm()

const opened: Array<{ cli: ChildProcess; ws: WebSocket | null }> = []
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.ws?.close()
    if (o.cli.exitCode === null) {
      o.cli.kill('SIGTERM')
      await once(o.cli, 'exit')
    }
  }
})

/** `studio serve` on the farm, and the push events its page would receive. */
async function windowOnFarm(): Promise<EngineEvent[]> {
  const { STUDIO_QUEUE_URL: _unset, ...env } = process.env
  const cli = spawn(process.execPath, [join(ROOT, 'bin/studio.mjs'), 'serve', '--json', '--port', '0', '--data-dir', farm.dataDir, '--queue-url', farm.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env
  })
  const entry: (typeof opened)[number] = { cli, ws: null }
  opened.push(entry)
  let out = ''
  let err = ''
  cli.stdout!.on('data', (d) => (out += d))
  cli.stderr!.on('data', (d) => (err += d))
  const line = await until(() => out.includes('\n') && out.split('\n')[0], 120_000, `serve to print its URL (stderr: ${err})`)
  const url = new URL((JSON.parse(line) as { url: string }).url)
  const token = url.hash.replace('#token=', '')
  const ws = new WebSocket(`ws://${url.host}/ws`, [PROTOCOL, TOKEN_PROTOCOL_PREFIX + token], { headers: { Origin: url.origin } })
  entry.ws = ws
  const events: EngineEvent[] = []
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { event?: EngineEvent }
    if (m.event) events.push(m.event)
  })
  await once(ws, 'open')
  // The window is on the farm once it has said so (its row in farm_windows written before it listens).
  await until(async () => (await farm.user.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM farm_windows')).rows[0]!.n > 0, 60_000, 'the window to reach the farm')
  return events
}

const views = (events: EngineEvent[], id: string): JobView[] => events.flatMap((e) => (e.type === 'job.changed' && e.job.id === id ? [e.job] : []))

describe('studio serve --queue-url: a farm job’s progress', () => {
  it('reaches the window while a farm worker runs it', async () => {
    const events = await windowOnFarm()
    farm.workers.push(startWorker(farm.url, farm.dataDir, { concurrency: 1 }))
    // Ten to twenty seconds of offline synthesis (the longest track allowed), reporting its progress as it goes.
    const job = await farm.user.store.enqueue({ type: 'music', input: { mood: 'slow harbour waltz', durationSec: 600 } })
    await until(() => views(events, job.id).some((j) => j.status === 'completed'), 240_000, 'the window to hear the job complete')
    const running = views(events, job.id).filter((j) => j.status === 'processing')
    const intermediate = new Set(running.filter((j) => j.progress > 0 && j.progress < 100).map((j) => j.progress))
    expect(intermediate.size, `progress the window saw: ${[...intermediate].join(', ')}`).toBeGreaterThanOrEqual(2)
    expect(running.some((j) => j.currentStep === 'generate')).toBe(true)
  }, 300_000)
})
