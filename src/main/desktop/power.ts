/**
 * While jobs are rendering, keep the system from suspending the app (a laptop that sleeps at
 * minute 40 of a render stalls the queue). The display may still sleep. Released when idle.
 */
import { powerSaveBlocker } from 'electron'
import type { QueueSnapshot } from './queue-monitor'

export function suspensionGuard(): { update(snapshot: QueueSnapshot | null): void; release(): void } {
  let blocker: number | null = null
  const release = () => {
    if (blocker !== null && powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker)
    blocker = null
  }
  return {
    update(snapshot) {
      const rendering = (snapshot?.stats.byStatus.processing ?? 0) > 0 && !snapshot?.stats.paused
      if (rendering && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension')
      else if (!rendering) release()
    },
    release
  }
}
