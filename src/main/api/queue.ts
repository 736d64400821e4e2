import type { Engine } from '../engine/engine'
import type { AsyncJobStore } from '../engine/store/jobs'
import type { Studio } from '../engine/studio'
import type { Routes } from './handler-map'

/**
 * queue/* and pool/*: the queue as a whole and the workers that drain it. The studio adds what
 * was spent against each budget to the stats; a bare engine (test pipelines) spends nothing.
 */
export function queueRoutes(engine: Engine<any>, spend?: Pick<Studio, 'spendReport'>): Routes<'queue/'> & Routes<'pool/'> {
  const { pool } = engine
  // The queue's own commands through the job store's async face, awaited: either backend serves them.
  const queue: AsyncJobStore = engine.queue
  return {
    'queue/stats': async () => (spend ? { ...(await queue.stats()), spend: spend.spendReport() } : queue.stats()),
    'queue/eta': () => engine.eta(),
    'queue/pause': async () => {
      await queue.setQueuePaused(true)
      return null
    },
    'queue/resume': async () => {
      await queue.setQueuePaused(false)
      return null
    },
    'queue/cleanup': (r) => queue.cleanup({ olderThanMs: r.olderThanDays * 86_400_000 }),
    'pool/status': () => pool.status(),
    'pool/kick': () => {
      pool.kick()
      return null
    },
    'pool/setConcurrency': (r) => {
      pool.setConcurrency(r.concurrency)
      return null
    }
  }
}
