import type { Engine } from '../engine/engine'
import type { Routes } from './handler-map'
import { bulkRoutes } from './bulk'

/** The engine's queue, whichever store backs it: routers name no storage module. */
type Queue = Engine<any>['queue']

/** jobs/*: one job at a time (the many-jobs commands are in bulk.ts). */
export function jobRoutes(queue: Queue): Routes<'jobs/'> {
  return {
    'jobs/list': (r) => queue.list(r),
    'jobs/get': (r) => queue.get(queue.require(r.id).id)!,
    'jobs/enqueue': (r) => queue.enqueue(r),
    'jobs/enqueueMany': (r) => queue.enqueueMany(r.jobs),
    'jobs/setPriority': (r) => queue.setPriority(r.id, r.priority),
    'jobs/move': (r) => queue.move(r.id, r.direction),
    'jobs/place': (r) => queue.place(r.id, r.before !== undefined ? { before: r.before } : { after: r.after! }),
    'jobs/cancel': (r) => queue.cancel(r.id),
    'jobs/retry': (r) => queue.retry(r.id, r.fromStep !== undefined ? { fromStep: r.fromStep } : {}),
    'jobs/remove': (r) => {
      queue.remove(r.id)
      return null
    },
    'jobs/pause': (r) => queue.pauseJob(r.id),
    'jobs/resume': (r) => queue.resumeJob(r.id),
    'jobs/logs': (r) => queue.logs(r.id, { ...(r.afterId !== undefined ? { afterId: r.afterId } : {}), ...(r.limit ? { limit: r.limit } : {}) }),
    ...bulkRoutes(queue)
  }
}
