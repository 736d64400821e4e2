import { doctor, speechSettingsOf } from '../engine/doctor'
import type { Studio } from '../engine/studio'
import type { Handlers } from './handler-map'

/**
 * system/doctor: what this machine can run. The other system/* commands (reveal a file, open a
 * link, export files) need the desktop's shell and dialogs: src/main/desktop/desktop-handlers.ts.
 */
export function systemRoutes(studio: Studio): Pick<Handlers, 'system/doctor'> {
  const { settings, services } = studio
  return {
    // The speech row reports the engine these settings pick, as `studio doctor` does.
    'system/doctor': () => doctor(services.binaries(), speechSettingsOf(settings.get().providers))
  }
}
