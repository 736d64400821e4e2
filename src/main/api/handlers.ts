import { commands, type CommandName } from '../../shared/contract'
import type { Engine } from '../engine/engine'
import { QueueError } from '../engine/errors'
import type { Handlers } from './handler-map'
import { jobRoutes } from './jobs'
import { pipelineRoutes } from './pipelines'
import { engineProviderRoutes } from './providers'
import { queueRoutes } from './queue'

export type { Handlers } from './handler-map'
export { dispatch } from './dispatch'
export { toApiError } from './errors'

/**
 * The handler map for a bare engine (tests with test pipelines): the engine's own routers, every
 * other command answering `unavailable`, then `domains` over them. The studio composes its
 * routers in studio-handlers.ts; both transports then call `dispatch` with the map.
 */
export function createHandlers(engine: Engine<any>, domains: Partial<Handlers> = {}): Handlers {
  return { ...pendingDomains(), ...engineRoutes(engine), ...domains } as Handlers
}

const ENGINE_DOMAINS = /^(jobs|queue|pool|providers|pipelines)\//
type EngineCommands = Extract<CommandName, `jobs/${string}` | `queue/${string}` | `pool/${string}` | `providers/${string}` | `pipelines/${string}`>

function engineRoutes(engine: Engine<any>): Pick<Handlers, EngineCommands> {
  return { ...jobRoutes(engine.queue), ...queueRoutes(engine), ...engineProviderRoutes(engine), ...pipelineRoutes(engine) }
}

/** Commands whose domain is not wired in this process answer with a clear error instead of crashing. */
function pendingDomains(): Omit<Handlers, EngineCommands> {
  const missing = (name: string) => () => {
    throw new QueueError('unavailable', `${name} is not available in this session`)
  }
  const names = Object.keys(commands).filter((n) => !ENGINE_DOMAINS.test(n))
  return Object.fromEntries(names.map((n) => [n, missing(n)])) as unknown as Omit<Handlers, EngineCommands>
}
