/**
 * The tray icon: the queue count in its tooltip and menu, pause/resume, run now, open the output
 * folder, the "keep rendering in the tray" switch, show the window, quit.
 */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron'
import type { QueueActions } from './actions'
import { keepInTrayItem } from './menu'
import type { PreferencesStore } from './preferences'
import type { QueueSnapshot } from './queue-monitor'

export function queueSummary(snapshot: QueueSnapshot | null): string {
  if (!snapshot) return 'starting…'
  const { pending, processing } = snapshot.stats.byStatus
  if (pending + processing === 0) return snapshot.stats.paused ? 'queue paused, nothing waiting' : 'idle'
  const parts = [processing ? `${processing} rendering` : null, pending ? `${pending} queued` : null].filter(Boolean).join(', ')
  return snapshot.stats.paused ? `queue paused — ${parts}` : parts
}

export interface TrayOptions {
  iconPath: string
  appName: string
  actions: QueueActions
  preferences: PreferencesStore
  showWindow(): void
  quit(): void
  platform?: NodeJS.Platform
}

export class StudioTray {
  readonly tray: Tray
  private snapshot: QueueSnapshot | null = null
  private lastKey = ''
  private readonly stopPrefs: () => void

  constructor(private readonly options: TrayOptions) {
    const image = nativeImage.createFromPath(options.iconPath)
    if ((options.platform ?? process.platform) === 'darwin') image.setTemplateImage(true)
    this.tray = new Tray(image)
    this.tray.on('click', () => options.showWindow())
    this.stopPrefs = options.preferences.onChange(() => this.render(true))
    this.render(true)
  }

  update(snapshot: QueueSnapshot | null): void {
    this.snapshot = snapshot
    this.render(false)
  }

  destroy(): void {
    this.stopPrefs()
    if (!this.tray.isDestroyed()) this.tray.destroy()
  }

  /** The menu as a template (what tests and the tray both read). */
  template(): MenuItemConstructorOptions[] {
    const { actions, preferences } = this.options
    const paused = this.snapshot?.stats.paused ?? false
    return [
      { id: 'summary', label: `${this.options.appName} — ${queueSummary(this.snapshot)}`, enabled: false },
      { id: 'show', label: `Show ${this.options.appName}`, click: () => this.options.showWindow() },
      { type: 'separator' },
      paused
        ? { id: 'resume', label: 'Resume Queue', click: () => void actions.resumeQueue() }
        : { id: 'pause', label: 'Pause Queue', click: () => void actions.pauseQueue() },
      { id: 'run-now', label: 'Run Queue Now', enabled: !paused, click: () => void actions.runNow() },
      { id: 'open-output', label: 'Open Output Folder', click: () => void actions.openOutputFolder() },
      { type: 'separator' },
      keepInTrayItem(preferences),
      { type: 'separator' },
      { id: 'quit', label: `Quit ${this.options.appName}`, click: () => this.options.quit() }
    ]
  }

  private render(force: boolean): void {
    if (this.tray.isDestroyed()) return
    const tooltip = `${this.options.appName} — ${queueSummary(this.snapshot)}`
    const key = `${tooltip}|${this.snapshot?.stats.paused}|${this.options.preferences.get().keepRenderingInTray}`
    if (!force && key === this.lastKey) return
    this.lastKey = key
    this.tray.setToolTip(tooltip)
    this.tray.setContextMenu(Menu.buildFromTemplate(this.template()))
  }
}
