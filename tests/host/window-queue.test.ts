/**
 * The desktop app's engine host (a real child process, the studio with its keys asked of the
 * client, as the utility process runs it) connected to a farm in Settings → "Studio farm": the
 * window's jobs and queue become the farm's without a restart, this computer's pool stops (its
 * local jobs stay where they are), a storyboard render goes to the farm's routes, an engine
 * restarted after a crash comes back on the farm, and disconnecting brings the local queue back.
 * A real PostgreSQL; the main process's part (the password in the keychain) is the client's
 * `secrets`, as desktop-handlers.ts hands it over before forwarding farm/connect.
 */
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { forkEngine } from '../../src/main/host/child-process'
import { EngineClient } from '../../src/main/host/engine-client'
import type { SecretKeys } from '../../src/main/host/protocol'
import { redactQueueUrl } from '../../src/main/engine/store/postgres/init'
import { splitPassword, type FarmQueueState } from '../../src/shared/farm'
import type { EngineEvent, JobView, PoolStatus } from '../../src/shared/types'
import { tempDir, until } from '../helpers/engine'
import { useFarm } from '../helpers/farm-worker'

const CHILD = resolve(dirname(fileURLToPath(import.meta.url)), '../helpers/desktop-engine-child.ts')
const farm = useFarm()

let client: EngineClient | null = null
afterEach(async () => {
  await client?.close(0)
  client = null
})

function desktopEngine(dataDir: string) {
  const keys: SecretKeys = {}
  const events: EngineEvent[] = []
  const pids: number[] = []
  const c = new EngineClient({
    spawn: () => {
      const proc = forkEngine(CHILD, [dataDir], { execArgv: ['--import', 'tsx'] })
      pids.push(proc.pid!)
      return proc
    },
    secrets: () => keys,
    backoff: { initialMs: 50, maxMs: 500 }
  })
  c.subscribe((event) => events.push(event))
  client = c
  const call = async <T = unknown>(command: string, request: unknown = {}): Promise<{ ok: boolean; value: T; error?: { code: string; message: string } }> =>
    (await c.call(command as never, request as never)) as never
  return { client: c, keys, events, pids, call }
}

describe('the desktop engine host on a farm chosen in Settings', () => {
  it('connect moves the window to the farm at once, a crash keeps it there, disconnect brings the local queue back', async () => {
    const dir = tempDir('window-queue-')
    const { client: c, keys, events, pids, call } = desktopEngine(dir)
    await c.start()
    expect((await call<FarmQueueState>('farm/queue')).value).toEqual({ queueUrl: null, connected: true, problem: null })

    // A job of this computer's own queue, held by the paused queue.
    await call('queue/pause')
    const local = (await call<JobView>('jobs/enqueue', { type: 'text', input: { prompt: 'a local job' } })).value

    // Main keeps the password and hands it over with the keys before forwarding the command.
    const { password } = splitPassword(farm.url)
    if (password) keys.farm = password
    c.pushSecrets()
    const connected = await call('farm/connect', { queueUrl: farm.url })
    expect(connected.ok, connected.error?.message).toBe(true)
    const onFarm = { queueUrl: redactQueueUrl(splitPassword(farm.url).queueUrl), connected: true, problem: null, chosenBy: 'settings', sharedDir: expect.any(String) }
    expect((await call<FarmQueueState>('farm/queue')).value).toEqual(onFarm)
    expect(events.some((e) => e.type === 'farm.queue' && e.queueUrl !== null && e.connected)).toBe(true)

    // The window's jobs are the farm's: not the local one; a job queued by another machine is pushed.
    expect((await call<JobView[]>('jobs/list', {})).value).toEqual([])
    const remote = await farm.user.store.enqueue({ type: 'text', input: { prompt: 'queued by another machine' } })
    await until(() => events.find((e) => e.type === 'job.changed' && e.job.id === remote.id), 30_000, 'the window to hear the farm’s job')
    expect((await call<JobView[]>('jobs/list', {})).value.map((j) => j.id)).toEqual([remote.id])
    // This computer's pool is stopped while on the farm; a storyboard render goes to the farm
    // (tests/farm/storyboard-window.test.ts), the storyboard being this computer's: none here by that id.
    expect((await call<PoolStatus>('pool/status')).value.state).toBe('idle')
    const render = await call('storyboards/render', { id: 'any-storyboard' })
    expect(render.error?.code).toBe('not_found')

    // The engine's process dies: the restarted one opens on the farm the settings name.
    process.kill(pids[0]!, 'SIGKILL')
    await until(() => events.find((e) => e.type === 'engine.connection' && e.state === 'reconnected'), 90_000, 'the engine to come back')
    await until(async () => (await call<FarmQueueState>('farm/queue')).value.connected, 60_000, 'the restarted engine to reach the farm')
    expect((await call<FarmQueueState>('farm/queue')).value).toEqual(onFarm)
    expect((await call<JobView[]>('jobs/list', {})).value.map((j) => j.id)).toEqual([remote.id])

    // Disconnect: the local queue again, its job where it was, its pool running.
    const disconnected = await call('farm/disconnect')
    expect(disconnected.ok).toBe(true)
    expect((await call<FarmQueueState>('farm/queue')).value).toEqual({ queueUrl: null, connected: true, problem: null })
    expect((await call<JobView[]>('jobs/list', {})).value.map((j) => j.id)).toEqual([local.id])
    expect((await call<PoolStatus>('pool/status')).value.state).toBe('running')
    // The farm's job was never touched by this computer.
    expect((await farm.user.store.get(remote.id))!.status).toBe('pending')
  }, 300_000)
})
