import type { Engine } from '../engine/engine'
import { QueueError } from '../engine/errors'
import { testProvider } from '../engine/providers/test-provider'
import { speechVoices } from '../engine/providers/voices'
import type { Studio } from '../engine/studio'
import type { Routes } from './handler-map'

/** providers/* on a bare engine (test pipelines): health only, it has no configured providers. */
export function engineProviderRoutes(engine: Engine<any>): Routes<'providers/'> {
  return {
    'providers/health': () => engine.health(),
    'providers/test': () => {
      throw new QueueError('unavailable', 'providers/test needs the studio (this engine has no configured providers)')
    },
    // Voices belong to the studio's speech providers; a bare engine (test pipelines) has none.
    'providers/voices': () => {
      throw new QueueError('unavailable', 'providers/voices is not available in this session')
    }
  }
}

/** providers/* on the studio: its configured providers, tested and listed through Settings. */
export function studioProviderRoutes(studio: Studio): Routes<'providers/'> {
  const { services } = studio
  return {
    'providers/health': () => studio.health(),
    'providers/test': (r) => testProvider(services.providers()[r.kind]),
    'providers/voices': () => speechVoices(services.providers().speech)
  }
}
