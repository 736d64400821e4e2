/**
 * `studio storyboard … --queue-url`: the storyboard commands with renders queued on the farm and
 * views reading them there (api/farm-storyboard-routes.ts, which a window on a farm shares). The
 * data folder is the farm's shared one as this machine mounts it, as for `studio serve
 * --queue-url`. Loaded only when a queue URL is given.
 */
import { farmStoryboardRoutes } from '../main/api/farm-storyboard-routes'
import type { Handlers } from '../main/api/handler-map'
import type { Engine } from '../main/engine/engine'
import { FarmQueue } from '../main/engine/farm/farm-queue'
import { QueueError } from '../main/engine/errors'
import { Studio } from '../main/engine/studio'

export async function openFarmStoryboards(url: string, engine: Engine<any>): Promise<{ routes: Partial<Handlers>; where: string; close(): Promise<void> }> {
  if (!(engine instanceof Studio)) throw new QueueError('unavailable', 'storyboards need the studio (this engine has only test pipelines)')
  const farm = new FarmQueue({ url, dataDir: engine.dataDir })
  try {
    await farm.check()
  } catch (err) {
    await farm.close()
    throw err
  }
  return { routes: farmStoryboardRoutes(farm, engine), where: farm.where, close: () => farm.close() }
}
