/**
 * The desktop app's engine host (a real child process, as the utility process runs it) on a farm
 * chosen in Settings, its data folder not the farm's share: once "Shared folder on this computer"
 * is saved, the window switches at once (no restart) to reading the farm's results under that
 * folder, and the `farm.queue` event names it (main's media protocol serves from it). A real
 * PostgreSQL; the share's result written as a worker stores it.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { workerPreflight } from '../../src/main/engine/farm/commands'
import { forkEngine } from '../../src/main/host/child-process'
import { EngineClient } from '../../src/main/host/engine-client'
import type { SecretKeys } from '../../src/main/host/protocol'
import { splitPassword, type FarmQueueState } from '../../src/shared/farm'
import type { EngineEvent, JobView } from '../../src/shared/types'
import { tempDir, until } from '../helpers/engine'
import { useFarm } from '../helpers/farm-worker'

const CHILD = resolve(dirname(fileURLToPath(import.meta.url)), '../helpers/desktop-engine-child.ts')
const farm = useFarm()

let client: EngineClient | null = null
afterEach(async () => {
  await client?.close(0)
  client = null
})

describe('Settings → Studio farm → "Shared folder on this computer", in the desktop engine host', () => {
  it('saved while on the farm: the window reads the farm’s results under it at once', async () => {
    expect((await workerPreflight(farm.url, farm.dataDir, { env: { PATH: process.env.PATH } })).ok).toBe(true)
    // A finished job on the farm whose result names a file of the share, as a worker stores it.
    const job = await farm.user.store.enqueue({ type: 'text', input: { prompt: 'a result on the share' } })
    mkdirSync(join(farm.dataDir, 'jobs', job.id), { recursive: true })
    writeFileSync(join(farm.dataDir, 'jobs', job.id, 'text.txt'), 'A result.')
    await farm.user.pool.query(`UPDATE jobs SET status = 'completed', result = $2 WHERE id = $1`, [job.id, JSON.stringify({ text: `studio-data:jobs/${job.id}/text.txt` })])
    const mount = join(tempDir('window-share-mnt-'), 'studio-farm')
    symlinkSync(farm.dataDir, mount)

    const dir = tempDir('window-share-')
    const keys: SecretKeys = {}
    const events: EngineEvent[] = []
    const c = new EngineClient({ spawn: () => forkEngine(CHILD, [dir], { execArgv: ['--import', 'tsx'] }), secrets: () => keys, backoff: { initialMs: 50, maxMs: 500 } })
    c.subscribe((event) => events.push(event))
    client = c
    await c.start()
    const { password } = splitPassword(farm.url)
    if (password) keys.farm = password
    c.pushSecrets()
    const connected = await c.call('farm/connect', { queueUrl: farm.url })
    expect(connected.ok, connected.ok ? '' : connected.error.message).toBe(true)
    const result = async () => ((await c.call('jobs/get', { id: job.id })) as { ok: true; value: JobView }).value.result as { text: string }
    // On the farm, its data folder taken as the share: the result names a file there (none).
    expect((await result()).text).toBe(join(dir, 'jobs', job.id, 'text.txt'))

    const saved = await c.call('farm/setSharedDir', { sharedDir: mount })
    expect(saved).toMatchObject({ ok: true, value: { sharedDir: mount } })
    await until(() => events.find((e) => e.type === 'farm.queue' && e.sharedDir === mount && e.connected), 30_000, 'the window to read from the share')
    expect((await result()).text).toBe(join(mount, 'jobs', job.id, 'text.txt'))
    expect(((await c.call('farm/queue', {})) as { ok: true; value: FarmQueueState }).value).toMatchObject({ chosenBy: 'settings', connected: true, sharedDir: mount })
  }, 120_000)
})
