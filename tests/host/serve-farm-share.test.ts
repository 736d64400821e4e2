/**
 * A window on a farm whose data folder is not the farm's share: `studio serve --queue-url` (the real
 * built CLI, its engine in a child process) on a local data folder, a real `studio farm worker` on
 * the share, a real PostgreSQL. Once "Shared folder on this computer" names where this computer
 * mounts the share (another path to it, as a mount elsewhere would be), the window reads the
 * worker's result under that folder and the bridge's /files serves it; it serves nothing of the
 * share outside its media folders, and nothing before the setting is saved.
 */
import { readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { FarmQueueState } from '../../src/shared/farm'
import type { JobView } from '../../src/shared/types'
import { workerPreflight } from '../../src/main/engine/farm/commands'
import { builtStudio } from '../helpers/cli'
import { tempDir, until } from '../helpers/engine'
import { startWorker, useFarm, waitFor } from '../helpers/farm-worker'
import { useServeOnFarm } from '../helpers/serve-farm'

const farm = useFarm()
let localDir = ''
let mount = ''
beforeAll(() => {
  localDir = tempDir('studio-serve-local-')
  // This computer mounts the share at another path than the worker does.
  mount = join(tempDir('studio-serve-mnt-'), 'studio-farm')
  symlinkSync(farm.dataDir, mount)
})
const serveOnFarm = useServeOnFarm(() => localDir)

/** Every string in a JSON value. */
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []

describe('a window on a farm reads results from "Shared folder on this computer"', () => {
  it('sees a worker’s result under the configured share and plays it through /files', async () => {
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
    farm.workers.push(w)
    await waitFor(() => w.events.find((e) => e.type === 'worker.started'), 60_000, 'the worker to start', w.output)

    const { window, url } = await serveOnFarm(farm.url, { STUDIO_FARM_RETRY_MS: '300' })
    const state = async () => (await window.call('farm/queue', {})).value as FarmQueueState
    await until(async () => (await state()).connected, 60_000, 'the window to reach the farm')
    expect((await state()).sharedDir).toBe(localDir)

    const job = await farm.user.store.enqueue({ type: 'text', input: { prompt: 'the keeper of the share' } })
    await waitFor(async () => (await farm.user.store.get(job.id))?.status === 'completed', 120_000, 'the worker to finish the job', w.output)
    const token = url.hash.replace('#token=', '')
    const fileUrl = (path: string) => `${url.origin}/files?token=${encodeURIComponent(token)}&path=${encodeURIComponent(path)}`

    // Before: the window reads the share's paths under its own data folder, where nothing is.
    const before = (await window.call('jobs/get', { id: job.id })).value as JobView
    const beforePath = strings(before.result).find((s) => s.endsWith('.txt') || s.includes(`${job.id}`))
    expect(beforePath, JSON.stringify(before.result)).toBeDefined()
    expect(beforePath!.startsWith(localDir)).toBe(true)
    expect((await fetch(fileUrl(beforePath!))).status).toBe(404)

    // A folder that is not the farm's share is refused, naming the field.
    const refused = await window.call('farm/setSharedDir', { sharedDir: tempDir('studio-serve-empty-') })
    expect(refused).toMatchObject({ ok: false, error: { code: 'farm_share_refused', message: expect.stringMatching(/^sharedDir: .*not the folder this farm's machines write into/) } })

    expect((await window.call('farm/setSharedDir', { sharedDir: mount })).ok).toBe(true)
    await until(() => window.events.find((e) => e.type === 'farm.queue' && e.sharedDir === mount && e.connected), 60_000, 'the window to read from the share')

    const after = (await window.call('jobs/get', { id: job.id })).value as JobView
    const files = strings(after.result).filter((s) => s.startsWith(mount + '/'))
    expect(files.length, JSON.stringify(after.result)).toBeGreaterThan(0)
    const file = files[0]!
    expect(file).toContain(`${mount}/jobs/${job.id}/`)
    const served = await fetch(fileUrl(file))
    expect(served.status).toBe(200)
    expect(await served.text()).toBe(readFileSync(file, 'utf8'))

    // Nothing of the share outside its media folders, nothing outside it by `..`.
    expect((await fetch(fileUrl(join(mount, '.studio-farm')))).status).toBe(403)
    expect((await fetch(fileUrl(`${mount}/jobs/../.studio-farm`))).status).toBe(403)
    expect((await fetch(fileUrl('/etc/passwd'))).status).toBe(403)
  }, 300_000)

  it('serve --farm-data-dir names the share at start: checked before serving (exit 1 saying why), then the window reads from it', async () => {
    // The share carries the farm's mark (a worker checked it).
    expect((await workerPreflight(farm.url, farm.dataDir, { env: { PATH: process.env.PATH } })).ok).toBe(true)
    const empty = tempDir('studio-serve-not-mounted-')
    const refused = await builtStudio(['serve', '--json', '--port', '0', '--data-dir', localDir, '--queue-url', farm.url, '--farm-data-dir', empty])
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/--farm-data-dir: the shared data folder .* is not the folder this farm's machines write into/)
    const relative = await builtStudio(['serve', '--json', '--port', '0', '--data-dir', localDir, '--queue-url', farm.url, '--farm-data-dir', 'mnt/share'])
    expect(relative.code).toBe(2)
    expect(relative.err).toMatch(/--farm-data-dir must be an absolute path/)

    // Another mount of the share than any saved in Settings: the flag wins.
    const flagMount = join(tempDir('studio-serve-mnt2-'), 'share')
    symlinkSync(farm.dataDir, flagMount)
    const { window } = await serveOnFarm(farm.url, { STUDIO_FARM_RETRY_MS: '300' }, ['--farm-data-dir', flagMount])
    await until(async () => ((await window.call('farm/queue', {})).value as FarmQueueState).connected, 60_000, 'the window to reach the farm')
    expect(((await window.call('farm/queue', {})).value as FarmQueueState).sharedDir).toBe(flagMount)
  }, 300_000)
})
