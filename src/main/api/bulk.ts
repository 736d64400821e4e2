import type { AsyncJobStore } from '../engine/store/jobs'
import type { Handlers } from './handler-map'

type BulkCommands = 'jobs/cancelMany' | 'jobs/retryMany' | 'jobs/removeMany' | 'jobs/pauseMany' | 'jobs/resumeMany' | 'jobs/setPriorityMany'

/**
 * The many-jobs commands: each one request, one transaction, an outcome per job (src/shared/bulk.ts).
 * On either backend: each answer is the store's value or its promise, which dispatch awaits.
 */
export function bulkRoutes(queue: AsyncJobStore): Pick<Handlers, BulkCommands> {
  return {
    'jobs/cancelMany': (r) => queue.cancelMany(r),
    'jobs/retryMany': (r) => queue.retryMany(r),
    'jobs/removeMany': (r) => queue.removeMany(r),
    'jobs/pauseMany': (r) => queue.pauseMany(r),
    'jobs/resumeMany': (r) => queue.resumeMany(r),
    'jobs/setPriorityMany': ({ priority, ...selection }) => queue.setPriorityMany(selection, priority)
  }
}
