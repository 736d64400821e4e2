/**
 * `studio serve --queue-url`: the window (a client of the bridge's WebSocket, as the page is) on a
 * farm's queue, with the real CLI, its engine in a child process, a real PostgreSQL and a real
 * `studio farm worker` process. A job queued on the farm from another `studio` command is listed
 * and pushed to the window; pause and cancel from the window take effect on the farm; the worker's
 * completion reaches the window as a push event; Settings cannot move it off the farm the command
 * line chose (`queue_url_unsupported`); this computer's pool stays stopped. A cut link is announced and
 * recovered from.
 */
import { describe, expect, it } from 'vitest'
import { redactQueueUrl } from '../../src/main/engine/store/postgres/init'
import type { FarmQueueState } from '../../src/shared/farm'
import type { JobView, PoolStatus } from '../../src/shared/types'
import { builtStudio } from '../helpers/cli'
import { until } from '../helpers/engine'
import { startWorker, useFarm } from '../helpers/farm-worker'
import { useServeOnFarm, type FarmWindow } from '../helpers/serve-farm'
import { startTcpProxy } from '../helpers/tcp-proxy'

const farm = useFarm()
const serveOnFarm = useServeOnFarm(() => farm.dataDir)
const onFarm = (queueUrl: string) => serveOnFarm(queueUrl, { STUDIO_FARM_RETRY_MS: '300' })

async function farmState(window: FarmWindow): Promise<FarmQueueState> {
  const r = await window.call('farm/queue', {})
  expect(r.ok).toBe(true)
  return r.value as FarmQueueState
}

/** `studio add` on the farm from another process, as a second machine would. */
async function addOnFarm(prompt: string): Promise<string> {
  const run = await builtStudio(['add', 'text', '--input', JSON.stringify({ prompt }), '--json'], { STUDIO_QUEUE_URL: farm.url, STUDIO_DATA_DIR: farm.dataDir })
  expect(run.code, run.err).toBe(0)
  return (JSON.parse(run.out) as JobView).id
}

const changed = (window: FarmWindow, id: string, status: JobView['status']) =>
  window.events.find((e) => e.type === 'job.changed' && e.job.id === id && e.job.status === status)

describe('studio serve --queue-url: the window on a farm', () => {
  it('lists and hears the farm’s jobs, drives its queue, and sees a farm worker finish them', async () => {
    const { window } = await onFarm(farm.url)
    await until(async () => (await farmState(window)).connected, 60_000, 'the window to reach the farm')
    expect(await farmState(window)).toEqual({ queueUrl: redactQueueUrl(farm.url), connected: true, problem: null, chosenBy: 'flag', sharedDir: farm.dataDir })

    // Pause from the window: the farm's queue is paused (no worker would claim).
    expect((await window.call('queue/pause', {})).ok).toBe(true)
    expect(await farm.user.store.isPaused()).toBe(true)

    // Queued from another process on the farm: pushed to the window, and listed by it.
    const first = await addOnFarm('the lighthouse keeper')
    const second = await addOnFarm('the tide tables')
    await until(() => changed(window, first, 'pending') && changed(window, second, 'pending'), 30_000, 'the window to hear both jobs')
    const listed = await window.call('jobs/list', {})
    expect((listed.value as JobView[]).map((j) => j.id).sort()).toEqual([first, second].sort())

    // Cancel from the window: cancelled on the farm.
    expect((await window.call('jobs/cancel', { id: second })).ok).toBe(true)
    expect((await farm.user.store.get(second))!.status).toBe('cancelled')

    // A real worker; resume from the window: the worker runs the first job, the window hears it finish.
    farm.workers.push(startWorker(farm.url, farm.dataDir, { concurrency: 1 }))
    expect((await window.call('queue/resume', {})).ok).toBe(true)
    expect(await farm.user.store.isPaused()).toBe(false)
    await until(() => changed(window, first, 'completed'), 120_000, 'the window to hear the worker finish the job')
    const stats = await window.call('queue/stats', {})
    expect((stats.value as { byStatus: Record<string, number> }).byStatus).toMatchObject({ completed: 1, cancelled: 1 })

    // Settings cannot move a window the command line put on a farm, and says what to do.
    const refused = await window.call('farm/disconnect', {})
    expect(refused.error?.code).toBe('queue_url_unsupported')
    expect(refused.error!.message).toMatch(/without it/)
    // This computer's own pool was never started: it runs nothing behind the user's back.
    expect(((await window.call('pool/status', {})).value as PoolStatus).state).toBe('idle')
  }, 300_000)

  it('says when the farm’s link is lost, answers farm_unreachable meanwhile, and recovers when it is back', async () => {
    const pgUrl = new URL(farm.url)
    const proxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432))
    const viaProxy = new URL(farm.url)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port)
    const { window, alsoClose } = await onFarm(viaProxy.toString())
    alsoClose(() => proxy.close())
    await until(async () => (await farmState(window)).connected, 60_000, 'the window to reach the farm')

    proxy.cut()
    await until(() => window.events.find((e) => e.type === 'farm.queue' && !e.connected), 30_000, 'the window to hear the link was lost')
    const meanwhile = await window.call('jobs/list', {})
    expect(meanwhile.ok).toBe(false)
    expect(meanwhile.error!.code).toBe('farm_unreachable')

    // Queued while the window could not hear: listed once the link is back.
    const id = await addOnFarm('queued during the outage')
    proxy.restore()
    await until(() => window.events.find((e) => e.type === 'farm.queue' && e.connected), 60_000, 'the window to hear the link is back')
    const listed = await window.call('jobs/list', {})
    expect(listed.ok).toBe(true)
    expect((listed.value as JobView[]).map((j) => j.id)).toContain(id)
  }, 300_000)

  it('refuses a farm it cannot reach at start, saying which and why', async () => {
    const wrong = new URL(farm.url)
    wrong.pathname = '/no_such_database_here'
    const run = await builtStudio(['serve', '--json', '--port', '0', '--queue-url', wrong.toString()])
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/cannot connect to .*no_such_database_here/)
  }, 120_000)
})
