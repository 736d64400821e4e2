/**
 * The `studio serve` bridge's view of an engine running in another process: commands go through
 * the client (the engine's `dispatch` validates them), uploads are moved into their project by
 * the engine, events and queue summaries come from it. Nothing here touches SQLite.
 */
import type { AssetView } from '../../shared/types'
import type { BridgeEngine } from '../bridge/server'
import { QueueError } from '../engine/errors'
import type { EngineClient, HostInfo } from './engine-client'
import { windowMediaRoots } from './media-roots'
import { relay } from './relay'

export function remoteBridgeEngine(client: EngineClient, info: HostInfo): BridgeEngine {
  // Never stopped: it lives as long as the client.
  const media = windowMediaRoots(info.dataDir, { ask: () => client.call('farm/queue', {}), subscribe: (l) => client.subscribe(l) })
  return {
    dataDir: info.dataDir,
    mediaRoots: () => media.roots(),
    route: relay(client),
    events: client,
    adoptUpload: async (projectId, name, path) => {
      const result = await client.op('assets.adoptUpload', { projectId, name, path })
      if (!result.ok) throw new QueueError(result.error.code, result.error.message)
      return result.value as AssetView
    }
  }
}
