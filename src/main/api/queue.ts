import type { Engine } from '../engine/engine'
import type { Studio } from '../engine/studio'
import type { Routes } from './handler-map'

/**
 * queue/* and pool/*: the queue as a whole and the workers that drain it. The studio adds what
 * was spent against each budget to the stats; a bare engine (test pipelines) spends nothing.
 */
export function queueRoutes(engine: Engine<any>, spend?: Pick<Studio, 'spendReport'>): Routes<'queue/'> & Routes<'pool/'> {
  const { queue, pool } = engine
  return {
    'queue/stats': () => (spend ? { ...queue.stats(), spend: spend.spendReport() } : queue.stats()),
    'queue/eta': () => engine.eta(),
    'queue/pause': () => {
      queue.setQueuePaused(true)
      return null
    },
    'queue/resume': () => {
      queue.setQueuePaused(false)
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
