import { PUBLIC_ADDRESSES_ONLY, type NetworkPolicy } from '../engine/batch/sources'
import type { Engine } from '../engine/engine'
import { Studio } from '../engine/studio'
import { batchRoutes } from './batches'
import { farmRoutes, type FarmRouteOptions } from './farm'
import { createHandlers, type Handlers } from './handlers'
import { projectRoutes } from './projects'
import { studioProviderRoutes } from './providers'
import { queueRoutes } from './queue'
import { settingsRoutes } from './settings'
import { storyboardRoutes } from './storyboards'
import { systemRoutes } from './system'

export interface StudioHandlerOptions {
  /**
   * Which addresses a batch link may reach. A command comes from a page that could be compromised:
   * public internet addresses only (tests inject a resolver and a stand-in public server here).
   */
  network?: NetworkPolicy
  /** The studio farm's address check (tests resolve made-up names). */
  farm?: FarmRouteOptions
}

/**
 * Every contract command wired to the studio running in this process, one router per capability.
 * Both transports (Electron IPC and the `studio serve` WebSocket bridge) get their handlers here,
 * so they never differ. A bare engine (tests with test pipelines) gets the engine commands only.
 */
export function studioHandlers(engine: Engine<any>, options: StudioHandlerOptions = {}): Handlers {
  if (!(engine instanceof Studio)) return createHandlers(engine)
  const studio = engine
  const network = options.network ?? PUBLIC_ADDRESSES_ONLY
  return createHandlers(studio, {
    ...queueRoutes(studio, studio),
    ...studioProviderRoutes(studio),
    ...batchRoutes(studio, network),
    ...projectRoutes(studio, network),
    ...storyboardRoutes(studio),
    ...settingsRoutes(studio),
    ...systemRoutes(studio),
    ...farmRoutes(studio, options.farm)
  })
}
