/**
 * The application menu: the macOS app menu, File, Edit, Queue (the shortcuts a render queue
 * needs), View, Window. Rebuilt when the queue is paused or resumed so the item reads right.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron'
import type { QueueActions } from './actions'
import type { PreferencesStore } from './preferences'

export interface AppMenuOptions {
  appName: string
  actions: QueueActions
  preferences: PreferencesStore
  isPaused(): boolean
  /** Developer tools and reload only in development. */
  dev: boolean
  platform?: NodeJS.Platform
}

export const QUEUE_SHORTCUTS = {
  togglePause: 'CmdOrCtrl+Shift+P',
  runNow: 'CmdOrCtrl+Shift+Enter',
  openOutput: 'CmdOrCtrl+Shift+O'
} as const

export function appMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  const mac = (options.platform ?? process.platform) === 'darwin'
  const { actions, preferences } = options
  const paused = options.isPaused()
  const template: MenuItemConstructorOptions[] = []
  if (mac) {
    template.push({
      label: options.appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' }
      ]
    })
  }
  template.push(
    {
      label: 'File',
      submenu: [
        { id: 'open-output', label: 'Open Output Folder', accelerator: QUEUE_SHORTCUTS.openOutput, click: () => void actions.openOutputFolder() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' }
      ]
    },
    { role: 'editMenu' },
    {
      id: 'queue',
      label: 'Queue',
      submenu: [
        paused
          ? { id: 'resume', label: 'Resume Queue', accelerator: QUEUE_SHORTCUTS.togglePause, click: () => void actions.resumeQueue() }
          : { id: 'pause', label: 'Pause Queue', accelerator: QUEUE_SHORTCUTS.togglePause, click: () => void actions.pauseQueue() },
        { id: 'run-now', label: 'Run Queue Now', accelerator: QUEUE_SHORTCUTS.runNow, enabled: !paused, click: () => void actions.runNow() },
        { type: 'separator' },
        keepInTrayItem(preferences)
      ]
    },
    {
      label: 'View',
      submenu: [
        ...(options.dev ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'windowMenu' }
  )
  return template
}

/** Set the application menu; `refresh()` rebuilds it when the queue's paused state or a preference changed. */
export function installAppMenu(options: AppMenuOptions): { refresh(): void; stop(): void } {
  let lastPaused: boolean | null = null
  let lastKeep: boolean | null = null
  const refresh = () => {
    const paused = options.isPaused()
    const keep = options.preferences.get().keepRenderingInTray
    if (paused === lastPaused && keep === lastKeep) return
    lastPaused = paused
    lastKeep = keep
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(options)))
  }
  refresh()
  const stop = options.preferences.onChange(refresh)
  return { refresh, stop }
}

/** The one "keep rendering in the tray" switch, the same in the app menu and the tray menu. */
export function keepInTrayItem(preferences: PreferencesStore): MenuItemConstructorOptions {
  return {
    id: 'keep-in-tray',
    label: 'Keep Rendering When the Window Is Closed',
    type: 'checkbox',
    checked: preferences.get().keepRenderingInTray,
    click: (item) => void preferences.update({ keepRenderingInTray: item.checked })
  }
}
