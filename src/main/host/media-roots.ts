/**
 * The folders whose media a window may show: the data folder's job artifacts and project assets
 * and, while the window is on a farm whose shared folder this computer mounts elsewhere (Settings →
 * "Studio farm", `serve --farm-data-dir`), the share's too, so that a result a farm worker wrote
 * plays here. Never more: the rest of either folder (the database, keys) stays out of reach.
 *
 * The main process and the `studio serve` bridge serve the files; the engine knows the share. They
 * learn it from the window's `farm.queue` events (sent on every switch of queue) and, before the
 * first one, by asking `farm/queue` once.
 */
import type { Result } from '../../shared/contract'
import type { FarmQueueState } from '../../shared/farm'
import type { EngineEvent } from '../../shared/types'
import { mediaRoots } from '../api/media-paths'

export interface WindowMediaRoots {
  roots(): Promise<string[]>
  stop(): void
}

export function windowMediaRoots(
  dataDir: string,
  engine: { ask: () => Promise<Result<unknown>>; subscribe: (listener: (event: EngineEvent) => void) => () => void }
): WindowMediaRoots {
  // undefined: not known yet (ask); null: no share other than the data folder.
  let share: string | null | undefined
  const stop = engine.subscribe((event) => {
    if (event.type === 'farm.queue') share = event.queueUrl !== null ? (event.sharedDir ?? null) : null
  })
  return {
    async roots() {
      if (share === undefined) {
        const r = await engine.ask()
        // Not answered (the engine restarting): asked again with the next file.
        if (r.ok) share = (r.value as FarmQueueState).sharedDir ?? null
      }
      const own = mediaRoots(dataDir)
      return share && share !== dataDir ? [...own, ...mediaRoots(share)] : own
    },
    stop
  }
}
