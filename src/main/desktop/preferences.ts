/**
 * The desktop app's own preferences (not the engine's settings): today only whether closing
 * the window keeps rendering in the tray. A small JSON file next to the studio's data.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface DesktopPreferences {
  /** Closing the window hides it and the queue keeps running; quit from the tray or menu. */
  keepRenderingInTray: boolean
}

const DEFAULTS: DesktopPreferences = { keepRenderingInTray: false }

export class PreferencesStore {
  private value: DesktopPreferences
  private readonly listeners = new Set<(prefs: DesktopPreferences) => void>()

  constructor(private readonly file: string) {
    this.value = this.load()
  }

  get(): DesktopPreferences {
    return { ...this.value }
  }

  update(patch: Partial<DesktopPreferences>): DesktopPreferences {
    this.value = { ...this.value, ...patch }
    mkdirSync(dirname(this.file), { recursive: true })
    writeFileSync(this.file + '.tmp', JSON.stringify(this.value, null, 2))
    renameSync(this.file + '.tmp', this.file)
    for (const listener of this.listeners) listener(this.get())
    return this.get()
  }

  onChange(listener: (prefs: DesktopPreferences) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private load(): DesktopPreferences {
    if (!existsSync(this.file)) return { ...DEFAULTS }
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<DesktopPreferences>
      return { keepRenderingInTray: typeof raw.keepRenderingInTray === 'boolean' ? raw.keepRenderingInTray : DEFAULTS.keepRenderingInTray }
    } catch {
      return { ...DEFAULTS }
    }
  }
}

export function preferencesFile(userData: string): string {
  return join(userData, 'desktop-preferences.json')
}
