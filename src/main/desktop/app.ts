/**
 * The desktop app, assembled: one studio on Electron's userData folder (the CLI's default data
 * folder too), the contract over IPC, one secure window, the OS surfaces a render queue needs
 * (taskbar progress, notifications, tray, menu) and a quit that never loses work.
 * Each piece lives in its own file in this folder; this one only wires them.
 */
import { join } from 'node:path'
import { app, session, type BrowserWindow, type WebContents } from 'electron'
import type { Handlers } from '../api/handlers'
import { studioHandlers } from '../api/studio-handlers'
import { publishQueueSummary } from '../engine/queue-summary'
import { openStudio, type Studio } from '../engine/studio'
import { queueActions } from './actions'
import { appPageFrom, type AppPage } from './app-page'
import { desktopHandlers } from './desktop-handlers'
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
  /** Grace for running steps when quitting. */
  graceMs?: number
  /** Tests open the engine themselves (a bare studio, no pool start). */
  openEngine?: (dataDir: string, secrets: SafeStorageSecrets) => Studio
  startWork?: boolean
  log?: (message: string) => void
}

export interface DesktopApp {
  studio: Studio
  page: AppPage
  handlers: Handlers
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

  return app.whenReady().then(() => {
    const userData = app.getPath('userData')
    const secrets = new SafeStorageSecrets(secretsFile(userData), log)
    const studio = options.openEngine ? options.openEngine(userData, secrets) : openStudio({ dataDir: userData, secrets })
    const preferences = new PreferencesStore(preferencesFile(userData))
    const undo: (() => void)[] = [() => app.removeListener('web-contents-created', onContents)]

    installContentSecurityPolicy(session.defaultSession, page)
    installPermissionPolicy(session.defaultSession, page)
    undo.push(serveStudioFiles(studio.dataDir))
    undo.push(serveAppPage(page))

    const handlers: Handlers = {
      ...studioHandlers(studio),
      ...desktopHandlers({ revealRoots: [studio.dataDir], secrets, invalidateProviders: () => studio.services.invalidateProviders() })
    }
    const isTrusted = trustedSender(() => win, page)
    undo.push(registerCommandHandlers(handlers, isTrusted, log))
    // Dropped media by path, outside the contract (which never takes a path): see dropped-files.ts.
    undo.push(registerDroppedFilesHandler(studio.projects, isTrusted, log))
    undo.push(forwardEvents(studio.events, () => win?.webContents ?? null))
    // Stats, ETA, pool and provider figures reach the window as queue.summary events, not by polling.
    undo.push(publishQueueSummary(studio))

    const actions = queueActions(handlers, studio.artifactsRoot, log)
    const monitor = new QueueMonitor(studio, { log })
    const menu = installAppMenu({ appName: APP_NAME, actions, preferences, isPaused: () => studio.queue.isPaused(), dev: !app.isPackaged })
    undo.push(menu.stop)

    const stopNotifications = notifyFinishes(studio.events, { onClick: () => open() })
    const power = suspensionGuard()
    const quit = new QuitController({
      close: (graceMs) => studio.close(graceMs),
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
    if (options.startWork !== false) studio.startWork()

    return {
      studio,
      page,
      handlers,
      quit,
      preferences,
      window: () => win,
      dispose: () => {
        for (const fn of undo.reverse()) fn()
      }
    }
  })
}
