/**
 * The engine's process in the desktop app: an Electron utility process running
 * host/utility-entry.ts, joined to main by a MessageChannelMain whose far end it receives in its
 * first message. Main keeps windows, tray, menu and notifications; the engine keeps SQLite.
 */
import { MessageChannelMain, utilityProcess } from 'electron'
import type { EngineProcess } from '../host/engine-client'

export function utilityEngine(entry: string, options: { dataDir: string; startWork: boolean }): EngineProcess {
  const child = utilityProcess.fork(entry, ['--data-dir', options.dataDir, ...(options.startWork ? [] : ['--no-start'])], {
    serviceName: 'Creative Studio engine',
    stdio: 'inherit'
  })
  const { port1, port2 } = new MessageChannelMain()
  child.postMessage({ t: 'port' }, [port2])
  port1.start()
  let exited: number | null | undefined
  const exitListeners: ((code: number | null) => void)[] = []
  child.once('exit', (code) => {
    exited = code
    port1.close()
    for (const listener of exitListeners.splice(0)) listener(code)
  })
  return {
    channel: {
      send: (message) => port1.postMessage(message),
      onMessage: (listener) => {
        const onMessage = (event: Electron.MessageEvent) => listener(event.data)
        port1.on('message', onMessage)
        return () => port1.off('message', onMessage)
      }
    },
    onExit: (listener) => {
      if (exited !== undefined) listener(exited)
      else exitListeners.push(listener)
    },
    kill: () => {
      if (exited === undefined) child.kill()
    }
  }
}
