/**
 * Quitting never loses work. Whatever asks to quit (the menu, the tray, the last window closing,
 * Ctrl+C / SIGTERM, the OS shutting down or the user logging off), the app first stops the pool
 * gracefully — running steps get `graceMs` to finish, then are aborted and released back to
 * pending with their finished steps kept — then closes the database, and only then lets
 * Electron quit. A second signal exits at once.
 */
import { app, powerMonitor, type BrowserWindow, type Event as ElectronEvent } from 'electron'

export interface QuitOptions {
  /** Stop the pool (with this grace) and close the database: `Studio.close`. */
  close(graceMs: number): Promise<void>
  graceMs: number
  /**
   * Grace when the OS is ending the session: it waits only seconds (systemd's default inhibit
   * delay is 5 s; Windows ends apps that still answer after a few), so running steps are released
   * sooner and the database is closed in time. Default 2 s.
   */
  shutdownGraceMs?: number
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
    // macOS and Linux: preventing the event asks the OS to wait while we drain (Electron's
    // documented contract: then quit as soon as possible). Windows tells windows instead: watchWindow.
    const onShutdown = (event?: { preventDefault?: () => void }) => {
      event?.preventDefault?.()
      this.onSessionEnd('the system is shutting down')
    }
    app.on('before-quit', onBeforeQuit)
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    powerMonitor.on('shutdown', onShutdown)
    return () => {
      app.removeListener('before-quit', onBeforeQuit)
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
      powerMonitor.removeListener('shutdown', onShutdown)
    }
  }

  /**
   * Windows announces a shutdown, restart or log-off to top-level windows only. `query-session-end`
   * can still delay it (we do, while draining); `session-end` cannot, so draining starts at once.
   */
  watchWindow(win: BrowserWindow): void {
    win.on('query-session-end', (event) => {
      event.preventDefault()
      this.onSessionEnd(`the session is ending (${event.reasons.join(', ')})`)
    })
    win.on('session-end', (event) => this.onSessionEnd(`the session is ending (${event.reasons.join(', ')})`))
  }

  /** Drain, then quit. Safe to call any number of times. */
  requestQuit(graceMs = this.options.graceMs): void {
    void this.drain(graceMs).then(() => app.quit())
  }

  /** Drain (once: a later call waits for the first one, whatever its grace). */
  drain(graceMs = this.options.graceMs): Promise<void> {
    this.draining ??= this.run(graceMs)
    return this.draining
  }

  private onSessionEnd(reason: string): void {
    if (this.phase !== 'running') return
    this.log(`${reason}: releasing running steps, then quitting`)
    this.requestQuit(Math.min(this.options.graceMs, this.options.shutdownGraceMs ?? 2_000))
  }

  private async run(graceMs: number): Promise<void> {
    this.phase = 'draining'
    try {
      this.options.beforeClose?.()
    } catch (err) {
      this.log(`before close: ${String(err)}`)
    }
    const hard = setTimeout(() => {
      this.log('the pool did not stop in time; exiting (unfinished steps resume at next start)')
      app.exit(1)
    }, graceMs + (this.options.hardTimeoutMs ?? 15_000))
    hard.unref?.()
    try {
      await this.options.close(graceMs)
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
