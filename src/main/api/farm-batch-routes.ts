import type { Handlers } from './handler-map'
import type { FarmQueue } from '../engine/farm/farm-queue'
import { PUBLIC_ADDRESSES_ONLY } from '../engine/batch/sources'
import { refuseZodErrors } from './zod-refusal'

/**
 * A window on a farm: its batches are the farm's (engine/farm/farm-batches.ts). A sheet given to
 * batch/create (a dropped file's bytes, a link) is read on this computer, and its rows go to the
 * farm, whose workers run them; the Batches page lists, follows and drives the farm's batches.
 * A preview of the columns and an estimate stay this computer's (they read the sheet here, and
 * queue nothing).
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
