import type { AsyncJobStore } from '../engine/store/jobs'
import type { Routes } from './handler-map'
import { bulkRoutes } from './bulk'

/**
 * jobs/*: one job at a time (the many-jobs commands are in bulk.ts). Written against the job
 * store's async face, each call awaited: the same router serves the local SQLite queue and the
 * farm's PostgreSQL one (routers name no storage module beyond that face).
 */
export function jobRoutes(queue: AsyncJobStore): Routes<'jobs/'> {
  return {
    'jobs/list': (r) => queue.list(r),
    'jobs/get': async (r) => (await queue.get((await queue.require(r.id)).id))!,
    'jobs/enqueue': (r) => queue.enqueue(r),
    'jobs/enqueueMany': (r) => queue.enqueueMany(r.jobs),
    'jobs/setPriority': (r) => queue.setPriority(r.id, r.priority),
    'jobs/move': (r) => queue.move(r.id, r.direction),
    'jobs/place': (r) => queue.place(r.id, r.before !== undefined ? { before: r.before } : { after: r.after! }),
    'jobs/cancel': (r) => queue.cancel(r.id),
    'jobs/retry': (r) => queue.retry(r.id, r.fromStep !== undefined ? { fromStep: r.fromStep } : {}),
    'jobs/remove': async (r) => {
      await queue.remove(r.id)
      return null
    },
    'jobs/pause': (r) => queue.pauseJob(r.id),
    'jobs/resume': (r) => queue.resumeJob(r.id),
    'jobs/logs': (r) => queue.logs(r.id, { ...(r.afterId !== undefined ? { afterId: r.afterId } : {}), ...(r.limit ? { limit: r.limit } : {}) }),
    ...bulkRoutes(queue)
  }
}
