/**
 * The desktop glue with the engine in a real child process (as in the utility process): main
 * relays the window's commands to it, answers its key requests, and when the process is killed
 * starts it again; the window is told (engine.connection lost, then reconnected), the tray keeps
 * following the queue, and commands work again. Keys cross to the engine, never to the window.
 */
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EngineEvent, JobView } from '../../src/shared/types'
import { forkEngine } from '../../src/main/host/child-process'
import { EVENT_CHANNEL } from '../../src/main/desktop/push'
import { electron } from '../helpers/electron-double'
import { until } from '../helpers/engine'
import { bootDesktop, type Booted } from './boot'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

const CHILD = resolve(dirname(fileURLToPath(import.meta.url)), '../helpers/desktop-engine-child.ts')
const KEY = 'sk-desktop-restart-0123456789'

let booted: Booted | null = null
afterEach(async () => {
  await booted?.shutdown()
  booted = null
})

describe('desktop: the engine in its own process', () => {
  it('restarts the killed engine; the window hears it reconnect, commands and the tray work again', async () => {
    electron.reset()
    const pids: number[] = []
    booted = await bootDesktop({
      spawnEngine: (dataDir, startWork) => {
        const proc = forkEngine(CHILD, [dataDir, ...(startWork ? [] : ['--no-start'])], { execArgv: ['--import', 'tsx'] })
        pids.push(proc.pid!)
        return proc
      },
      restartBackoff: { initialMs: 50, maxMs: 500 }
    })
    const b = booted
    expect(b.studio).toBeNull() // nothing of the engine runs in main
    const windowEvents = () =>
      b.win.webContents.sent.filter((m) => m.channel === EVENT_CHANNEL).map((m) => m.args[0] as EngineEvent)

    const openai = await b.invoke('settings/update', { providers: { text: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'gpt-4o-mini' } } })
    expect(openai.ok && openai.value.providers.text.hasKey).toBe(false)
    // Stored by main (safeStorage), handed to the engine's process before the call answers.
    expect((await b.invoke('settings/setApiKey', { kind: 'text', key: KEY })).ok).toBe(true)
    const keyed = await b.invoke('settings/get', {})
    expect(keyed.ok && keyed.value.providers.text.hasKey).toBe(true)
    expect((await b.invoke('queue/pause', {})).ok).toBe(true)
    const added = await b.invoke('jobs/enqueue', { type: 'text', input: { prompt: 'Les phares de Bretagne' } })
    expect(added.ok).toBe(true)
    const id = (added as { value: JobView }).value.id
    const tray = () => electron.Tray.instances[0]!
    await until(() => tray().tooltip.includes('1 queued'), 15_000, 'the tray to count the job')

    process.kill(pids[0]!, 'SIGKILL')
    await until(() => windowEvents().find((e) => e.type === 'engine.connection' && e.state === 'lost'), 30_000, 'the window to hear the loss')
    await until(() => windowEvents().find((e) => e.type === 'engine.connection' && e.state === 'reconnected'), 90_000, 'the window to hear it reconnected')
    expect(pids).toHaveLength(2)
    expect(b.desktop.engine.restarts).toBe(1)

    const listed = await b.invoke('jobs/list', {})
    expect(listed.ok && (listed.value as JobView[]).map((j) => j.id)).toEqual([id])
    // The new engine asked main for the keys again: the provider still has one (the window only learns that).
    const settings = await b.invoke('settings/get', {})
    expect(settings.ok && settings.value.providers.text.hasKey).toBe(true)
    expect(JSON.stringify(settings)).not.toContain(KEY)
    // Still paused after the restart (state lives in the database), and the tray follows.
    await b.invoke('queue/resume', {})
    await until(() => tray().contextMenu?.find('pause') !== undefined, 15_000, 'the tray menu to show Pause again')
    // The key went to the engine's process, never to the window nor a log.
    expect(JSON.stringify(b.win.webContents.sent)).not.toContain(KEY)
    expect(b.logs.join('\n')).not.toContain(KEY)
  }, 240_000)
})
