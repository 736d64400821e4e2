import type { QueueEta } from '../../shared/types'
import type { FarmQueue } from '../engine/farm/farm-queue'
import type { Handlers, Routes } from './handler-map'
import { farmBatchRoutes } from './farm-batch-routes'
import { withFarmErrors } from './farm-errors'
import { jobRoutes } from './jobs'

export const QUEUE_URL_UNSUPPORTED = 'queue-url-unsupported'

/**
 * The job and queue commands on a farm's queue: the same job router as the local queue's over the
 * farm's PgJobStore, and the queue's own commands. What the CLI's `--queue-url` commands and a
 * window on a farm both answer with.
 */
export function farmQueueRoutes(farm: FarmQueue): Routes<'jobs/'> & Pick<Handlers, 'queue/stats' | 'queue/pause' | 'queue/resume' | 'queue/cleanup'> {
  const store = farm.store
  return {
    ...jobRoutes(store),
    'queue/stats': () => store.stats(),
    'queue/pause': async () => {
      await store.setQueuePaused(true)
      return null
    },
    'queue/resume': async () => {
      await store.setQueuePaused(false)
      return null
    },
    'queue/cleanup': (r) => store.cleanup({ olderThanMs: r.olderThanDays * 86_400_000 })
  }
}

/**
 * A window on a farm (`studio serve --queue-url`, the desktop app connected in Settings): the job
 * and queue commands go to the farm; the ETA is not known there yet (it is made from this
 * computer's step timings); batches are the farm's (farm-batch-routes.ts) and storyboard renders
 * go to the farm (farm-storyboard-routes.ts). Every other command (settings, projects,
 * storyboards' editing, providers) stays this computer's. A link that drops answers
 * `farm_unreachable`, not an internal error.
 */
export function farmWindowRoutes(farm: FarmQueue): Partial<Handlers> {
  const routes: Partial<Handlers> = {
    ...farmQueueRoutes(farm),
    ...farmBatchRoutes(farm),
    'queue/eta': async (): Promise<QueueEta> => {
      const paused = (await farm.store.stats()).paused
      return { paused, totalMs: null, concurrency: 0, jobs: [], batchRowsWaiting: 0 }
    }
  }
  return withFarmErrors(routes, farm.where)
}
