import type { Engine } from '../engine/engine'
import { createHandlers, type Handlers } from './handlers'

/**
 * Every contract command wired to the studio running in this process. Both transports (Electron
 * IPC and the `studio serve` WebSocket bridge) get their handlers here, so they never differ.
 */
export function studioHandlers(engine: Engine<any>): Handlers {
  return createHandlers(engine)
}
