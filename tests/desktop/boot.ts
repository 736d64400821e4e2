/**
 * Boots the real desktop main process (src/main/desktop/app.ts) against the electron double,
 * with a real studio (SQLite, built-in pipelines) on a fresh temp userData folder.
 * The calling test file must mock electron:
 *   vi.mock('electron', async () => (await import('../helpers/electron-double')).electronModule())
 */
import { mkdirSync } from 'node:fs'
import { afterEach, beforeEach } from 'vitest'
import { join, resolve } from 'node:path'
import type { CommandName, RequestOf, Result, ResponseOf } from '../../src/shared/contract'
import { runDesktopApp, type DesktopApp, type DesktopOptions } from '../../src/main/desktop/app'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { inProcessEngine } from '../../src/main/host/in-process'
import { BrowserWindowDouble, electron, type WebFrameDouble } from '../helpers/electron-double'
import { FAST_TIMINGS, tempDir } from '../helpers/engine'

export const REPO_RESOURCES = resolve('resources')

export interface Booted {
  desktop: DesktopApp
  studio: Studio
  win: BrowserWindowDouble
  userData: string
  rendererIndexHtml: string
  appUrl: string
  logs: string[]
  /** Call a command as the app's own page would (main frame of our window). */
  invoke<C extends CommandName>(command: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>
  /** Call a channel from any frame (or none): what a malicious renderer could attempt. */
  invokeFrom(frame: WebFrameDouble | null, channel: string, request: unknown): Promise<Result<unknown>>
  shutdown(): Promise<void>
}

export async function bootDesktop(
  options: Partial<DesktopOptions> & { studio?: (dataDir: string) => Studio; prepareRenderer?: (rendererDir: string) => void } = {}
): Promise<Booted> {
  const userData = tempDir('desktop-userdata-')
  const rendererDir = join(tempDir('desktop-app-'), 'out', 'renderer')
  mkdirSync(rendererDir, { recursive: true })
  const rendererIndexHtml = join(rendererDir, 'index.html')
  const { prepareRenderer, ...desktopOptions } = options
  prepareRenderer?.(rendererDir)
  const logs: string[] = []
  const savedDataDir = process.env.STUDIO_DATA_DIR
  delete process.env.STUDIO_DATA_DIR
  electron.app.setPath('userData', userData)
  // The engine in this process, behind the same port protocol as the utility process (which the
  // electron double cannot start): every command, event and key still crosses the port.
  let studio: Studio | null = null
  const running = runDesktopApp({
    preload: join(rendererDir, '..', 'preload', 'index.cjs'),
    rendererIndexHtml,
    resourcesDir: REPO_RESOURCES,
    startWork: false,
    log: (message) => logs.push(message),
    spawnEngine: (dataDir, startWork) =>
      inProcessEngine((secrets) => (studio = options.studio ? options.studio(dataDir) : openStudio({ dataDir, secrets, timings: FAST_TIMINGS })), { startWork }),
    ...desktopOptions
  })
  electron.app.becomeReady()
  const desktop = await running
  if (savedDataDir !== undefined) process.env.STUDIO_DATA_DIR = savedDataDir
  if (!desktop) throw new Error('the desktop app did not start (second instance?)')
  const win = BrowserWindowDouble.getAllWindows()[0]
  if (!win) throw new Error('no window was created')
  const invokeFrom = (frame: WebFrameDouble | null, channel: string, request: unknown) =>
    electron.ipcMain.invokeFrom(frame, channel, request) as Promise<Result<unknown>>
  return {
    desktop,
    // The in-process engine: tests may look at it directly (a test that passes its own spawnEngine has none).
    studio: studio as unknown as Studio,
    win,
    userData,
    rendererIndexHtml,
    appUrl: desktop.page.url,
    logs,
    invoke: (command, request) => invokeFrom(win.webContents.mainFrame, command, request) as never,
    invokeFrom,
    shutdown: async () => {
      desktop.dispose()
      await desktop.engine.close(0)
    }
  }
}


/**
 * Boot a fresh desktop app before each test of the calling file (or describe block) and shut it
 * down after. The returned object always stands for the current test's app.
 */
export function useDesktop(options?: Parameters<typeof bootDesktop>[0]): Booted {
  let current: Booted | undefined
  beforeEach(async () => {
    electron.reset()
    current = await bootDesktop(options)
  })
  afterEach(async () => {
    await current?.shutdown()
    current = undefined
  })
  return new Proxy({} as Booted, {
    get(_target, key) {
      if (!current) throw new Error('the desktop app is booted only inside a test')
      return current[key as keyof Booted]
    }
  })
}
