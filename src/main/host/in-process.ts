/**
 * The engine host in this very process, behind the same port protocol (a worker_threads
 * MessageChannel): what the desktop tests run, so every command, event and key still crosses the
 * port exactly as with the utility process; only the process boundary is missing (the host
 * tests cover that one with a real child process).
 */
import { MessageChannel } from 'node:worker_threads'
import type { Engine } from '../engine/engine'
import type { SecretSource } from '../engine/services'
import { nodePortChannel } from './channels'
import type { EngineProcess } from './engine-client'
import { serveEngine, type EngineHost } from './engine-host'

export interface InProcessEngine extends EngineProcess {
  /** The engine, once open (tests look at it directly). */
  readonly host: Promise<EngineHost>
}

export function inProcessEngine(open: (secrets: SecretSource) => Engine<any>, options: { startWork?: boolean; log?: (message: string) => void } = {}): InProcessEngine {
  const { port1, port2 } = new MessageChannel()
  const exitListeners: ((code: number | null) => void)[] = []
  let exited = false
  const exit = (code: number | null) => {
    if (exited) return
    exited = true
    port1.close()
    port2.close()
    for (const listener of exitListeners.splice(0)) listener(code)
  }
  const host = serveEngine({
    channel: nodePortChannel(port2),
    open,
    secrets: 'client',
    ...(options.startWork !== undefined ? { startWork: options.startWork } : {}),
    ...(options.log ? { log: options.log } : {}),
    onClosed: () => setImmediate(() => exit(0))
  })
  host.catch(() => exit(1))
  return {
    host,
    channel: nodePortChannel(port1),
    onExit: (listener) => {
      if (exited) listener(0)
      else exitListeners.push(listener)
    },
    kill: () => {
      // No process to kill: the engine is closed (without grace) and the channel with it.
      void host.then((h) => h.close(0)).finally(() => exit(null))
    }
  }
}
