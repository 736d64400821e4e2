import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { startBridge, type BridgeServer } from '../../src/main/bridge/server'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { tempDir } from '../helpers/engine'

/** A real studio behind the real bridge, serving a one-page UI; closed after each test. */
export function servedStudio(): { start(): Promise<BridgeServer>; studio(): Studio } {
  let studio: Studio | undefined
  let bridge: BridgeServer | undefined
  afterEach(async () => {
    await bridge?.close()
    await studio?.close(0)
    bridge = undefined
    studio = undefined
  })
  return {
    async start() {
      studio = openStudio({ dataDir: tempDir('upload-') })
      const staticDir = tempDir('upload-ui-')
      writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>studio</title>')
      bridge = await startBridge(studio, { staticDir })
      return bridge
    },
    studio: () => studio!
  }
}
