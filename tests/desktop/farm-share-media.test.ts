/**
 * The desktop app's side of "Shared folder on this computer": the folder dialog main opens for it
 * (system/pickFolder: only the user's choice comes back; cancelled, nothing), and the media
 * protocol (`studio-file://`) serving a farm result from the share while the window is on the
 * farm — from its job and project media only, never the share's other files, and no more once the
 * window is back on this computer's queue. The engine's `farm.queue` events are what main hears.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { EngineEvent } from '../../src/shared/types'
import { desktopHandlers } from '../../src/main/desktop/desktop-handlers'
import { fileUrlFor } from '../../src/main/desktop/file-url'
import { createFileHandler } from '../../src/main/desktop/protocol'
import { windowMediaRoots } from '../../src/main/host/media-roots'
import { electron } from '../helpers/electron-double'
import { tempDir } from '../helpers/engine'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

describe('Shared folder on this computer, in the desktop app', () => {
  beforeEach(() => electron.reset())

  it('system/pickFolder answers the folder the user chose in main’s dialog, or null when cancelled', async () => {
    const handlers = desktopHandlers({ revealRoots: [], secrets: { set: () => true, unavailableReason: () => null }, invalidateProviders: () => {} })
    electron.dialog.openAnswers.push({ canceled: false, filePaths: ['/mnt/studio-farm'] })
    expect(await handlers['system/pickFolder']({ title: 'Shared folder on this computer' })).toEqual({ path: '/mnt/studio-farm' })
    expect(electron.callsTo('dialog.showOpenDialog')[0]?.args).toMatchObject([{ title: 'Shared folder on this computer', properties: expect.arrayContaining(['openDirectory']) }])
    expect(await handlers['system/pickFolder']({})).toEqual({ path: null })
  })

  it('studio-file:// serves a farm result from the share while the window is on the farm, and only its media', async () => {
    const dataDir = tempDir('desktop-data-')
    const share = tempDir('desktop-share-')
    mkdirSync(join(share, 'jobs', 'job-1'), { recursive: true })
    const result = join(share, 'jobs', 'job-1', 'video.mp4')
    writeFileSync(result, 'MP4 FROM THE FARM')
    writeFileSync(join(share, '.studio-farm'), '{"farm":"x"}\n')
    const listeners = new Set<(e: EngineEvent) => void>()
    let asked = 0
    const roots = windowMediaRoots(dataDir, {
      // What the engine answers before any event: the window is on this computer's queue.
      ask: async () => (asked++, { ok: true, value: { queueUrl: null, connected: true, problem: null } }),
      subscribe: (l) => (listeners.add(l), () => listeners.delete(l))
    })
    const send = (e: EngineEvent) => listeners.forEach((l) => l(e))
    const handler = createFileHandler(() => roots.roots())
    const get = (path: string) => handler(new Request(fileUrlFor(path)))

    expect((await get(result)).status).toBe(403)
    expect(asked).toBe(1)
    send({ type: 'farm.queue', queueUrl: 'postgres://farm.lan/studio', connected: true, problem: null, chosenBy: 'settings', sharedDir: share })
    const served = await get(result)
    expect(served.status).toBe(200)
    expect(await served.text()).toBe('MP4 FROM THE FARM')
    expect((await get(join(share, '.studio-farm'))).status).toBe(403)
    expect((await get(join(share, 'jobs', '..', '.studio-farm'))).status).toBe(403)
    // "Show in folder" on the farm's result, as main wires it (the data folder and the share's media).
    const handlers = desktopHandlers({ revealRoots: async () => [dataDir, ...(await roots.roots())], secrets: { set: () => true, unavailableReason: () => null }, invalidateProviders: () => {} })
    await handlers['system/reveal']({ path: result })
    expect(electron.shell.revealed).toEqual([result])
    await expect(handlers['system/reveal']({ path: join(share, '.studio-farm') })).rejects.toMatchObject({ code: 'forbidden' })
    // Back on this computer's queue: the share is not served any more.
    send({ type: 'farm.queue', queueUrl: null, connected: true, problem: null })
    expect((await get(result)).status).toBe(403)
    await expect(handlers['system/reveal']({ path: result })).rejects.toMatchObject({ code: 'forbidden' })
    roots.stop()
  })
})
