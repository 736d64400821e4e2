/**
 * The desktop app, assembled: the studio on Electron's userData folder (the CLI's default data
 * folder too) runs in a utility process of its own (engine-process.ts), so SQLite never blocks a
 * window; main relays the contract to it over a MessagePort (host/relay.ts), forwards its push
 * events, owns the one secure window and the OS surfaces a render queue needs (taskbar progress,
 * notifications, tray, menu), holds the keychain, restarts the engine if its process dies, and
 * quits without losing work. Each piece lives in its own file in this folder; this one wires them.
 */
import { join } from 'node:path'
import { app, session, type BrowserWindow, type WebContents } from 'electron'
import type { QueueEta, QueueStats } from '../../shared/types'
import { QueueError } from '../engine/errors'
import type { Studio } from '../engine/studio'
import { EngineClient, type EngineProcess } from '../host/engine-client'
import { SECRET_KINDS, type SecretKeys } from '../host/protocol'
import { windowMediaRoots } from '../host/media-roots'
import { relay, type Route } from '../host/relay'
import { queueActions } from './actions'
import { appPageFrom, type AppPage } from './app-page'
import { desktopHandlers } from './desktop-handlers'
import { utilityEngine } from './engine-process'
import { registerDroppedFilesHandler } from './dropped-files'
import { registerCommandHandlers, trustedSender } from './ipc'
import { installAppMenu } from './menu'
import { notifyFinishes } from './notifications'
import { PreferencesStore, preferencesFile } from './preferences'
import { suspensionGuard } from './power'
import { taskbarUpdater } from './progress'
import { serveAppPage } from './app-protocol'
import { registerSchemePrivileges, serveStudioFiles } from './protocol'
import { forwardEvents } from './push'
import { QueueMonitor } from './queue-monitor'
import { QuitController } from './quit'
import { SafeStorageSecrets, secretsFile } from './secrets'
import { guardWebContents, installContentSecurityPolicy, installPermissionPolicy } from './security'
import { claimSingleInstance } from './single-instance'
import { StudioTray } from './tray'
import { createMainWindow, showWindow } from './window'

export const APP_ID = 'app.creativestudio.desktop'
export const APP_NAME = 'Creative Studio'

export interface DesktopOptions {
  /** The bundled preload script. */
  preload: string
  /** The built renderer's index.html. */
  rendererIndexHtml: string
  /** electron-vite's dev server (ELECTRON_RENDERER_URL); ignored in a packaged app. */
  devServerUrl?: string | undefined
  /** Folder holding icons/ (resources/ in the repo, process.resourcesPath when packaged). */
  resourcesDir: string
  /** The built engine entry (out/main/utility-entry.js), run in a utility process. */
  engineEntry?: string
  /** Grace for running steps when quitting. */
  graceMs?: number
  /**
   * Tests start the engine themselves (the electron double has no utility process): in this
   * process behind the same port protocol (host/in-process.ts), or in a real child process.
   */
  spawnEngine?: (dataDir: string, startWork: boolean) => EngineProcess
  startWork?: boolean
  /** Restart delays of the engine's process. */
  restartBackoff?: { initialMs?: number; maxMs?: number }
  log?: (message: string) => void
}

export interface DesktopApp {
  /** The engine's client: every command and event goes through it. */
  engine: EngineClient
  page: AppPage
  /** What the window's commands go through. */
  route: Route
  quit: QuitController
  preferences: PreferencesStore
  window(): BrowserWindow | null
  /** Undo every global registration (tests). */
  dispose(): void
}

/**
 * Call synchronously at startup (scheme privileges must be registered before `ready`).
 * Resolves to null in a second instance, which quits.
 */
export function runDesktopApp(options: DesktopOptions): Promise<DesktopApp | null> {
  const log = options.log ?? ((message: string) => console.warn(`[desktop] ${message}`))
  if (process.env.STUDIO_DATA_DIR) app.setPath('userData', process.env.STUDIO_DATA_DIR)
  registerSchemePrivileges()

  let win: BrowserWindow | null = null
  // A second launch brings the window back, re-creating it if it was closed (macOS keeps the app
  // running without one). Before `ready` there is nothing to do: the window is about to open.
  let openWindow: (() => void) | null = null
  if (!claimSingleInstance(() => openWindow?.())) return Promise.resolve(null)
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID)

  const page = appPageFrom({ devServerUrl: options.devServerUrl, rendererIndexHtml: options.rendererIndexHtml, packaged: app.isPackaged })
  const onContents = (_event: unknown, contents: WebContents) => guardWebContents(contents, page, log)
  app.on('web-contents-created', onContents)

  return app.whenReady().then(async () => {
    const userData = app.getPath('userData')
    const secrets = new SafeStorageSecrets(secretsFile(userData), log)
    const startWork = options.startWork !== false
    const engine = new EngineClient({
      spawn: () => {
        if (options.spawnEngine) return options.spawnEngine(userData, startWork)
        if (!options.engineEntry) throw new Error('no engine entry to start (engineEntry)')
        return utilityEngine(options.engineEntry, { dataDir: userData, startWork })
      },
      // Decrypted here (safeStorage is main's), handed to the engine's memory, never to a page or a log.
      secrets: () => storedKeys(secrets),
      forgetSecret: (kind) => void secrets.set(kind, ''),
      ...(options.restartBackoff ? { backoff: options.restartBackoff } : {}),
      log: (message) => log(`engine: ${message}`)
    })
    const info = await engine.start()
    const preferences = new PreferencesStore(preferencesFile(userData))
    const undo: (() => void)[] = [() => app.removeListener('web-contents-created', onContents)]

    installContentSecurityPolicy(session.defaultSession, page)
    installPermissionPolicy(session.defaultSession, page)
    // A farm's results are read from its share, which may be mounted outside the data folder.
    const media = windowMediaRoots(info.dataDir, { ask: () => engine.call('farm/queue', {}), subscribe: (l) => engine.subscribe(l) })
    undo.push(media.stop, serveStudioFiles(info.dataDir, () => media.roots()))
    undo.push(serveAppPage(page))

    const route = relay(
      engine,
      desktopHandlers({
        // A farm result (on the share mounted elsewhere) can be shown in its folder and exported too.
        revealRoots: async () => [info.dataDir, ...(await media.roots())],
        secrets,
        invalidateProviders: async () => {
          const done = await engine.op('secrets.replace', { keys: storedKeys(secrets) })
          if (!done.ok) throw new QueueError('unavailable', `the key was stored but the engine did not take it: ${done.error.message}`)
        },
        forward: (command, request) => engine.call(command, request)
      })
    )
    const isTrusted = trustedSender(() => win, page)
    undo.push(registerCommandHandlers(route, isTrusted, log))
    // Dropped media by path, outside the contract (which never takes a path): see dropped-files.ts.
    const projects = {
      importAssetFile: async (projectId: string, name: string, path: string) => {
        const result = await engine.op('assets.importFile', { projectId, name, path })
        if (!result.ok) throw new QueueError(result.error.code, result.error.message)
        return result.value as Awaited<ReturnType<Studio['projects']['importAssetFile']>>
      }
    }
    undo.push(registerDroppedFilesHandler(projects, isTrusted, log))
    // Stats, ETA, pool and provider figures come as queue.summary events (the engine publishes them).
    undo.push(forwardEvents(engine, () => win?.webContents ?? null))

    const actions = queueActions(route, () => engine.info?.artifactsRoot ?? info.artifactsRoot, log)
    const monitor = new QueueMonitor(engine)
    const menu = installAppMenu({ appName: APP_NAME, actions, preferences, isPaused: () => monitor.current()?.stats.paused ?? false, dev: !app.isPackaged })
    undo.push(menu.stop)

    const stopNotifications = notifyFinishes(engine, { onClick: () => open() })
    const power = suspensionGuard()
    const quit = new QuitController({
      close: (graceMs) => engine.close(graceMs),
      graceMs: options.graceMs ?? 10_000,
      beforeClose: () => {
        monitor.stop()
        stopNotifications()
      },
      afterClose: () => power.release(),
      log
    })
    undo.push(quit.install())

    /** Show the window, creating it if needed (a new one shows itself once painted: no white flash). */
    const open = () => {
      if (!win || win.isDestroyed()) {
        // Draining for a quit: a new window would only be closed again.
        if (quit.quitting) return
        win = createMainWindow({
          preload: options.preload,
          page,
          title: APP_NAME,
          iconPath: join(options.resourcesDir, 'icons', '512x512.png'),
          keepInTray: () => preferences.get().keepRenderingInTray,
          isQuitting: () => quit.quitting
        })
        win.on('closed', () => {
          win = null
        })
        quit.watchWindow(win)
        return
      }
      showWindow(win)
    }
    openWindow = open
    const tray = new StudioTray({
      iconPath: join(options.resourcesDir, 'icons', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
      appName: APP_NAME,
      actions,
      preferences,
      showWindow: open,
      quit: () => quit.requestQuit()
    })
    const updateTaskbar = taskbarUpdater(() => win)
    monitor.onSnapshot((snapshot) => {
      updateTaskbar(snapshot)
      power.update(snapshot)
      tray.update(snapshot)
      menu.refresh()
    })

    const onAllClosed = () => {
      // macOS keeps the app (and the queue) alive in the dock; elsewhere the last window quits.
      if (process.platform !== 'darwin') quit.requestQuit()
    }
    // Windows leaves a dead tray icon behind until hovered unless it is destroyed before exit.
    const onWillQuit = () => tray.destroy()
    app.on('window-all-closed', onAllClosed)
    app.on('activate', open)
    app.on('will-quit', onWillQuit)
    undo.push(() => {
      openWindow = null
      app.removeListener('window-all-closed', onAllClosed)
      app.removeListener('activate', open)
      app.removeListener('will-quit', onWillQuit)
      monitor.stop()
      stopNotifications()
      power.release()
      tray.destroy()
    })

    open()
    monitor.start()
    // The tray and taskbar are right from the first frame, before the engine's first summary.
    const [stats, eta] = await Promise.all([engine.call('queue/stats', {}), engine.call('queue/eta', {})])
    if (stats.ok && eta.ok && !monitor.current()) monitor.seed(stats.value as QueueStats, eta.value as QueueEta)

    return {
      engine,
      page,
      route,
      quit,
      preferences,
      window: () => win,
      dispose: () => {
        for (const fn of undo.reverse()) fn()
      }
    }
  })
}

/** Every stored key, decrypted, for the engine's memory. */
function storedKeys(secrets: SafeStorageSecrets): SecretKeys {
  const keys: SecretKeys = {}
  for (const kind of SECRET_KINDS) {
    const key = secrets.get({ kind })
    if (key) keys[kind] = key
  }
  return keys
}
