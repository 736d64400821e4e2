/**
 * The contract over Electron IPC: one `ipcMain.handle` per command (channel = command name).
 * Each call is checked first — it must come from the main frame of our window showing our own
 * page — then relayed (host/relay.ts): to the engine's process, whose shared `dispatch` validates
 * and runs it exactly as for the WebSocket bridge, or to the few desktop commands main answers.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebFrameMain } from 'electron'
import { commands, type CommandName, type Result } from '../../shared/contract'
import type { Route } from '../host/relay'
import { isAppPageUrl, type AppPage } from './app-page'

export type SenderCheck = (event: Pick<IpcMainInvokeEvent, 'senderFrame'>) => boolean

/**
 * Trusted means: the frame that sent the message is the top frame of the window we created
 * (not an iframe, not another window or webview) and it is showing the app page (not a page
 * it was somehow navigated to).
 */
export function trustedSender(getWindow: () => BrowserWindow | null, page: AppPage): SenderCheck {
  return (event) => {
    const frame: WebFrameMain | null = event.senderFrame
    const win = getWindow()
    if (!frame || !win || win.isDestroyed()) return false
    if (frame !== win.webContents.mainFrame || frame.parent !== null) return false
    return isAppPageUrl(page, frame.url)
  }
}

const REFUSED: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'refused: this request did not come from the Creative Studio window' }
}

/** Register every contract command; returns a function that removes them again. */
export function registerCommandHandlers(route: Route, isTrusted: SenderCheck, log: (message: string) => void = console.warn): () => void {
  const names = Object.keys(commands) as CommandName[]
  for (const name of names) {
    ipcMain.handle(name, (event, request: unknown) => {
      if (!isTrusted(event)) {
        log(`ipc ${name} refused from ${describeFrame(event.senderFrame)}`)
        return REFUSED
      }
      return route(name, request)
    })
  }
  return () => {
    for (const name of names) ipcMain.removeHandler(name)
  }
}

function describeFrame(frame: WebFrameMain | null): string {
  if (!frame) return 'a destroyed frame'
  try {
    const url = new URL(frame.url)
    return `${frame.parent ? 'a subframe' : 'a frame'} at ${url.protocol}//${url.host}${url.pathname}`.slice(0, 200)
  } catch {
    return 'a frame with no valid URL'
  }
}
