import type { JobStore as Queue } from '../engine/store/jobs'
import type { Handlers } from './handlers'

type BulkCommands = 'jobs/cancelMany' | 'jobs/retryMany' | 'jobs/removeMany' | 'jobs/pauseMany' | 'jobs/resumeMany' | 'jobs/setPriorityMany'

/** The many-jobs commands: each one request, one transaction, an outcome per job (src/shared/bulk.ts). */
export function bulkHandlers(queue: Queue): Pick<Handlers, BulkCommands> {
  return {
    'jobs/cancelMany': (r) => queue.cancelMany(r),
    'jobs/retryMany': (r) => queue.retryMany(r),
    'jobs/removeMany': (r) => queue.removeMany(r),
    'jobs/pauseMany': (r) => queue.pauseMany(r),
    'jobs/resumeMany': (r) => queue.resumeMany(r),
    'jobs/setPriorityMany': ({ priority, ...selection }) => queue.setPriorityMany(selection, priority)
  }
}
