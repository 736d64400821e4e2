import type { Handlers } from './handler-map'
import type { FarmQueue } from '../engine/farm/farm-queue'
import { PUBLIC_ADDRESSES_ONLY } from '../engine/batch/sources'
import { refuseZodErrors } from './zod-refusal'
import { estimateFarmBatch } from '../engine/batch/farm-estimate'
import type { Studio } from '../engine/studio'
import { withFarmErrors } from './farm-errors'

/**
 * A window on a farm: its batches are the farm's (engine/farm/farm-batches.ts). A sheet given to
 * batch/create (a dropped file's bytes, a link) is read on this computer, and its rows go to the
 * farm, whose workers run them; the Batches page lists, follows and drives the farm's batches.
 * A preview of the columns stays this computer's (it reads the sheet here, and queues nothing);
 * an estimate reads and prices the sheet here too, but is timed on the farm (farmBatchEstimateRoute).
 */
export function farmBatchRoutes(farm: FarmQueue): Pick<
  Handlers,
  | 'batch/create'
  | 'batch/list'
  | 'batch/get'
  | 'batch/rows'
  | 'batch/start'
  | 'batch/pause'
  | 'batch/resume'
  | 'batch/stop'
  | 'batch/retryFailed'
  | 'batch/retryRows'
  | 'batch/reset'
  | 'batch/remove'
  | 'batch/export'
> {
  const batches = () => farm.batches
  return {
    'batch/create': (r) =>
      refuseZodErrors(async () => {
        // A page reaches public internet addresses only, as on this computer's queue.
        const created = await batches().create({ source: r.source, sheet: r.sheet, name: r.name, projectId: r.projectId, config: r.config }, { network: PUBLIC_ADDRESSES_ONLY })
        return r.start && created.status === 'idle' ? batches().startBatch(created.id) : created
      }),
    'batch/list': () => batches().list(),
    'batch/get': (r) => batches().view(r.id),
    'batch/rows': (r) => batches().rowsPage(r.id, { status: r.status, offset: r.offset, limit: r.limit }),
    'batch/start': (r) => batches().startBatch(r.id),
    'batch/pause': (r) => batches().pause(r.id),
    'batch/resume': (r) => batches().resume(r.id),
    'batch/stop': (r) => batches().stopBatch(r.id),
    'batch/retryFailed': (r) => batches().retryFailed(r.id),
    'batch/retryRows': (r) => batches().retryRows(r.id, r.rows),
    'batch/reset': (r) => batches().reset(r.id),
    'batch/remove': async (r) => {
      await batches().remove(r.id)
      return null
    },
    'batch/export': (r) => batches().exportCsv(r.id, r.what, r.delimiter)
  }
}

/**
 * batch/estimate on a window on a farm: the rows and their cost from this computer's studio (its
 * sheet reading and provider prices), the time from the farm's step durations and live workers'
 * slots, unknown (and said) when no worker runs there.
 */
export function farmBatchEstimateRoute(farm: FarmQueue, studio: Studio): Pick<Handlers, 'batch/estimate'> {
  return withFarmErrors(
    {
      'batch/estimate': (r) =>
        refuseZodErrors(() => estimateFarmBatch(studio, farm.pool, { source: r.source, sheet: r.sheet, config: r.config ?? {} }, { network: PUBLIC_ADDRESSES_ONLY }))
    },
    farm.where
  )
}
