/**
 * Quitting never loses work. Whatever asks to quit (the menu, the tray, the last window closing,
 * Ctrl+C / SIGTERM), the app first stops the pool gracefully — running steps get `graceMs` to
 * finish, then are aborted and released back to pending with their finished steps kept — then
 * closes the database, and only then lets Electron quit. A second signal exits at once.
 */
import { app, type Event as ElectronEvent } from 'electron'

export interface QuitOptions {
  /** Stop the pool (with this grace) and close the database: `Studio.close`. */
  close(graceMs: number): Promise<void>
  graceMs: number
  /** Past grace + this, give up waiting and exit (a step that ignores its abort signal). */
  hardTimeoutMs?: number
  /** Stop what watches the engine (monitors, notifications) before it closes. */
  beforeClose?: () => void
  /** Release what only mattered while work could run (power blocker). */
  afterClose?: () => void
  log?: (message: string) => void
}

export class QuitController {
  private phase: 'running' | 'draining' | 'done' = 'running'
  private draining: Promise<void> | null = null

  constructor(private readonly options: QuitOptions) {}

  /** True from the moment a quit was asked for: windows then close for real. */
  get quitting(): boolean {
    return this.phase !== 'running'
  }

  get drained(): boolean {
    return this.phase === 'done'
  }

  install(): () => void {
    const onBeforeQuit = (event: ElectronEvent) => {
      if (this.phase === 'done') return
      event.preventDefault()
      this.requestQuit()
    }
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.phase !== 'running') {
        this.log(`${signal} again: exiting without waiting`)
        app.exit(130)
        return
      }
      this.log(`${signal}: finishing running steps, then quitting`)
      this.requestQuit()
    }
    app.on('before-quit', onBeforeQuit)
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    return () => {
      app.removeListener('before-quit', onBeforeQuit)
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
    }
  }

  /** Drain, then quit. Safe to call any number of times. */
  requestQuit(): void {
    void this.drain().then(() => app.quit())
  }

  drain(): Promise<void> {
    this.draining ??= this.run()
    return this.draining
  }

  private async run(): Promise<void> {
    this.phase = 'draining'
    try {
      this.options.beforeClose?.()
    } catch (err) {
      this.log(`before close: ${String(err)}`)
    }
    const hard = setTimeout(() => {
      this.log('the pool did not stop in time; exiting (unfinished steps resume at next start)')
      app.exit(1)
    }, this.options.graceMs + (this.options.hardTimeoutMs ?? 15_000))
    hard.unref?.()
    try {
      await this.options.close(this.options.graceMs)
    } catch (err) {
      this.log(`closing the studio failed: ${err instanceof Error ? err.message : String(err)}`)
    } finally {
      clearTimeout(hard)
      this.phase = 'done'
    }
    try {
      this.options.afterClose?.()
    } catch (err) {
      this.log(`after close: ${String(err)}`)
    }
  }

  private log(message: string): void {
    ;(this.options.log ?? console.warn)(message)
  }
}
