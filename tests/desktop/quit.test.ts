/**
 * Quitting drains the pool: a job in the middle of a long step is released back to pending
 * with its finished steps kept, the database is closed, and only then does the app quit.
 * Real studio, real SQLite, a real pipeline whose step holds like a long render.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { StudioServices } from '../../src/main/engine/services'
import { sleep } from '../../src/main/engine/pool/resource-limiter'
import { BrowserWindowDouble, electron, makeEvent } from '../helpers/electron-double'
import { FAST_TIMINGS, until } from '../helpers/engine'
import { bootDesktop, type Booted } from './boot'

vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())

/** A two-step pipeline: `script` finishes at once, `render` holds while <dataDir>/hold exists. */
function studioWithHoldingPipeline(dataDir: string): Studio {
  const studio = openStudio({ dataDir, timings: FAST_TIMINGS, concurrency: 1 })
  const runs = (name: string) => join(dataDir, `${name}.runs`)
  studio.pipelines.register({
    name: 'hold-test',
    title: 'Holds like a long render',
    input: z.record(z.string(), z.unknown()),
    steps: [
      {
        name: 'script',
        title: 'Script',
        resource: 'cpu',
        estimateMs: 50,
        async run(ctx) {
          writeFileSync(runs('script'), 'x', { flag: 'a' })
          return { data: { text: 'a script' }, files: { script: await ctx.writeArtifact('script.txt', 'a script') } }
        }
      },
      {
        name: 'render',
        title: 'Render',
        resource: 'cpu',
        estimateMs: 60_000,
        async run(ctx) {
          writeFileSync(runs('render'), 'x', { flag: 'a' })
          ctx.progress(5, 'rendering')
          const services = ctx.services as StudioServices
          while (existsSync(join(services.dataDir, 'hold'))) await sleep(20, ctx.signal)
          return { data: { done: true } }
        }
      }
    ]
  })
  return studio
}

/** Enqueue a job on the holding pipeline and wait until its long step runs. */
async function startHolding(booted: Booted): Promise<string> {
  writeFileSync(join(booted.userData, 'hold'), '')
  const enqueued = await booted.invoke('jobs/enqueue', { type: 'hold-test', input: {}, title: 'Long render' })
  if (!enqueued.ok) throw new Error(enqueued.error.message)
  const id = enqueued.value.id
  await until(() => booted.studio.queue.get(id)?.steps.find((s) => s.name === 'render')?.status === 'running', 10_000, 'render step running')
  return id
}

function expectReleased(id: string, dataDir: string) {
  // Read the state back from disk with a fresh studio: what survives the quit is what counts.
  const reopened = openStudio({ dataDir })
  try {
    const job = reopened.queue.get(id)!
    expect(job.status).toBe('pending')
    expect(job.steps.map((s) => [s.name, s.status])).toEqual([
      ['script', 'completed'],
      ['render', 'pending']
    ])
    expect(job.steps[0]!.files.script).toBeTruthy()
    expect(existsSync(job.steps[0]!.files.script!)).toBe(true)
  } finally {
    void reopened.close(0)
  }
}

describe('graceful quit', () => {
  let booted: Booted

  beforeEach(async () => {
    electron.reset()
    booted = await bootDesktop({ studio: studioWithHoldingPipeline, startWork: true, graceMs: 150 })
  })
  afterEach(async () => {
    await booted.shutdown()
  })

  const startHoldingJob = () => startHolding(booted)

  it('app.quit(): before-quit is held until the pool has drained and the database is closed', async () => {
    const id = await startHoldingJob()
    // While it renders, the system may not suspend the app.
    await until(() => [...electron.powerSaveBlocker.active.values()].includes('prevent-app-suspension'), 5_000, 'power blocker')
    electron.app.quit()
    // The first before-quit was prevented: the app has not quit yet, the window is still open.
    expect(electron.app.quitted).toBe(false)
    expect(booted.desktop.quit.quitting).toBe(true)
    await until(() => electron.app.quitted, 10_000, 'app to quit')
    expect(booted.studio.db.open).toBe(false)
    expect(booted.win.isDestroyed()).toBe(true)
    expect(electron.powerSaveBlocker.active.size).toBe(0)
    expectReleased(id, booted.userData)
    // The finished step never ran twice, the held one ran once.
    expect(readFileSync(join(booted.userData, 'script.runs'), 'utf8')).toBe('x')
    expect(readFileSync(join(booted.userData, 'render.runs'), 'utf8')).toBe('x')
  })

  it('SIGTERM (and Ctrl+C) drain the same way; a second signal exits at once', async () => {
    const id = await startHoldingJob()
    process.emit('SIGTERM', 'SIGTERM')
    expect(booted.desktop.quit.quitting).toBe(true)
    process.emit('SIGINT', 'SIGINT')
    expect(electron.app.exitCode).toBe(130)
    await until(() => electron.app.quitted, 10_000, 'app to quit')
    expect(booted.studio.db.open).toBe(false)
    expectReleased(id, booted.userData)
  })

  it('a step that finishes within the grace period completes instead of being released', async () => {
    const id = await startHoldingJob()
    electron.app.quit()
    // Released once the quit has begun (not after a fixed delay): the step ends inside the grace period.
    rmSync(join(booted.userData, 'hold'))
    await until(() => electron.app.quitted, 10_000, 'app to quit')
    const reopened = openStudio({ dataDir: booted.userData })
    try {
      expect(reopened.queue.get(id)!.status).toBe('completed')
    } finally {
      void reopened.close(0)
    }
  })
})

describe('the OS ending the session (shutdown, restart, log-off)', () => {
  let booted: Booted

  beforeEach(async () => {
    electron.reset()
    // A long grace, as for a user's quit: the OS will not wait that long, so a shutdown must not either.
    booted = await bootDesktop({ studio: studioWithHoldingPipeline, startWork: true, graceMs: 60_000 })
  })
  afterEach(async () => {
    await booted.shutdown()
  })

  async function expectDrainedQuickly(id: string, started: number) {
    expect(booted.desktop.quit.quitting).toBe(true)
    await until(() => electron.app.quitted, 10_000, 'app to quit')
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(booted.studio.db.open).toBe(false)
    expectReleased(id, booted.userData)
  }

  it('macOS / Linux powerMonitor "shutdown": asks the OS to wait, releases running steps, closes the database, quits', async () => {
    const id = await startHolding(booted)
    const started = Date.now()
    const event = electron.powerMonitor.systemShutdown()
    expect(event.defaultPrevented).toBe(true)
    await expectDrainedQuickly(id, started)
  })

  it('Windows "query-session-end" on the window: delays the log-off and drains', async () => {
    const id = await startHolding(booted)
    const started = Date.now()
    const event = makeEvent({ reasons: ['logoff'] })
    booted.win.emit('query-session-end', event)
    expect(event.defaultPrevented).toBe(true)
    await expectDrainedQuickly(id, started)
  })

  it('Windows "session-end" (cannot be delayed): drains at once', async () => {
    const id = await startHolding(booted)
    const started = Date.now()
    booted.win.emit('session-end', makeEvent({ reasons: ['shutdown', 'critical'] }))
    await expectDrainedQuickly(id, started)
  })
})

describe('closing the window', () => {
  let booted: Booted

  beforeEach(async () => {
    electron.reset()
    booted = await bootDesktop()
  })
  afterEach(async () => {
    await booted.shutdown()
  })

  it('with "keep rendering in the tray" on, closing hides the window and the studio keeps running', async () => {
    booted.desktop.preferences.update({ keepRenderingInTray: true })
    booted.win.becomeReady()
    expect(booted.win.isVisible()).toBe(true)
    expect(booted.win.close()).toBe(false)
    expect(booted.win.isDestroyed()).toBe(false)
    expect(booted.win.isVisible()).toBe(false)
    expect(booted.studio.db.open).toBe(true)
    expect(booted.desktop.quit.quitting).toBe(false)
    // The tray brings it back.
    const tray = electron.Tray.instances[0]!
    tray.emit('click')
    expect(booted.win.isVisible()).toBe(true)
    // Quitting still closes it for real.
    electron.app.quit()
    await until(() => electron.app.quitted, 10_000, 'app to quit')
    expect(booted.win.isDestroyed()).toBe(true)
  })

  it('with the setting off (the default), closing the last window quits gracefully (Windows, Linux)', async () => {
    expect(booted.desktop.preferences.get().keepRenderingInTray).toBe(false)
    expect(booted.win.close()).toBe(true)
    await until(() => electron.app.quitted, 10_000, 'app to quit')
    expect(booted.studio.db.open).toBe(false)
  })

  it('the setting is saved and offered in the tray and the Queue menu', async () => {
    const tray = electron.Tray.instances[0]!
    tray.contextMenu!.click('keep-in-tray')
    expect(booted.desktop.preferences.get().keepRenderingInTray).toBe(true)
    expect(electron.Menu.getApplicationMenu()!.find('keep-in-tray')!.checked).toBe(true)
    const { PreferencesStore, preferencesFile } = await import('../../src/main/desktop/preferences')
    expect(new PreferencesStore(preferencesFile(booted.userData)).get().keepRenderingInTray).toBe(true)
  })
})

describe('single instance', () => {
  beforeEach(() => electron.reset())

  it('a second launch quits at once and opens nothing', async () => {
    electron.app.singleInstanceLock = false
    const { runDesktopApp } = await import('../../src/main/desktop/app')
    const result = await runDesktopApp({ preload: '/x/preload.cjs', rendererIndexHtml: '/x/index.html', resourcesDir: '/x' })
    expect(result).toBeNull()
    expect(electron.callsTo('app.quit')).toHaveLength(1)
    expect(electron.BrowserWindow.getAllWindows()).toHaveLength(0)
  })

  it('the first instance shows and focuses its window when a second one starts', async () => {
    const booted = await bootDesktop()
    try {
      booted.win.hide()
      booted.win.minimize()
      electron.app.emit('second-instance', {}, ['creative-studio'], process.cwd())
      expect(booted.win.isVisible()).toBe(true)
      expect(booted.win.isMinimized()).toBe(false)
      expect(booted.win.isFocused()).toBe(true)
    } finally {
      await booted.shutdown()
    }
  })

  it('re-opens the window when it was closed while the app kept running (macOS)', async () => {
    const booted = await bootDesktop()
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!
    Object.defineProperty(process, 'platform', { ...platform, value: 'darwin' })
    try {
      expect(booted.win.close()).toBe(true)
      expect(booted.desktop.quit.quitting).toBe(false)
      expect(booted.desktop.window()).toBeNull()
      electron.app.emit('second-instance', {}, ['creative-studio'], process.cwd())
      const reopened = booted.desktop.window() as unknown as BrowserWindowDouble | null
      expect(reopened).not.toBeNull()
      expect(reopened).not.toBe(booted.win)
      expect(reopened!.webContents.getURL()).toBe(booted.appUrl)
      reopened!.becomeReady()
      expect(reopened!.isVisible()).toBe(true)
      // And it is the app's window: IPC from it is trusted.
      expect((await electron.ipcMain.invokeFrom(reopened!.webContents.mainFrame, 'queue/stats', {})) as { ok: boolean }).toMatchObject({ ok: true })
    } finally {
      Object.defineProperty(process, 'platform', platform)
      await booted.shutdown()
    }
  })
})
