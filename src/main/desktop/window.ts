import { BrowserWindow } from 'electron'
import type { AppPage } from './app-page'
import { secureWebPreferences } from './security'

export interface MainWindowOptions {
  preload: string
  page: AppPage
  title: string
  iconPath?: string | undefined
  /** Closing hides the window (the queue keeps rendering) instead of closing it. */
  keepInTray(): boolean
  /** True once the app is quitting: then closing really closes. */
  isQuitting(): boolean
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    title: options.title,
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#0f1115',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: secureWebPreferences(options.preload)
  })
  win.on('close', (event) => {
    if (options.isQuitting() || !options.keepInTray()) return
    event.preventDefault()
    win.hide()
  })
  win.once('ready-to-show', () => win.show())
  // app://studio/index.html (or the dev server): never loadFile, whose file:// page would get file privileges.
  const loading = win.loadURL(options.page.url)
  loading.catch((err: unknown) => console.error('the window could not load the app page:', err))
  return win
}

/** Bring the window back from the tray, the dock, minimised or behind other windows. */
export function showWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}
