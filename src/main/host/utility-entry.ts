/**
 * The desktop app's engine: an Electron utility process started by the main process
 * (desktop/engine-process.ts). Its first message from the parent carries the MessagePort the
 * whole protocol then runs on. Never imports electron: a utility process is Node with
 * `process.parentPort`, nothing more. Arguments: --data-dir DIR [--no-start].
 */
import { parseArgs } from 'node:util'
import { openStudio } from '../engine/studio'
import { serveEngine } from './engine-host'
import type { Channel } from './protocol'

interface PortMain {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): void
  on(event: 'close', listener: () => void): void
  off(event: 'message', listener: (event: { data: unknown }) => void): void
  start(): void
}
interface ParentPort {
  once(event: 'message', listener: (event: { data: unknown; ports: PortMain[] }) => void): void
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort
if (!parentPort) {
  process.stderr.write('utility-entry: run by Electron utilityProcess.fork only\n')
  process.exit(2)
}
const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'no-start': { type: 'boolean' } } })
const dataDir = values['data-dir']
if (!dataDir) {
  process.stderr.write('utility-entry: --data-dir is required\n')
  process.exit(2)
}

parentPort.once('message', ({ ports }) => {
  const port = ports[0]
  if (!port) {
    process.stderr.write('utility-entry: the first message must carry the engine port\n')
    process.exit(2)
  }
  const channel: Channel = {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => {
      const onMessage = (event: { data: unknown }) => listener(event.data)
      port.on('message', onMessage)
      return () => port.off('message', onMessage)
    }
  }
  port.start()
  serveEngine({
    channel,
    open: (secrets) => openStudio({ dataDir, secrets }),
    secrets: 'client',
    startWork: !values['no-start'],
    onClosed: () => setImmediate(() => process.exit(0))
  })
    .then((host) => {
      // The main process went away without asking: release running steps now, then go.
      port.on('close', () => void host.close(0).finally(() => process.exit(0)))
    })
    .catch((err: unknown) => {
      process.stderr.write(`the engine could not start: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exit(1)
    })
})
