import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Engine } from '../main/engine/engine'
import { isLoopbackHost, startBridge, type BridgeEngine, type BridgeServer } from '../main/bridge/server'
import { forkEngine } from '../main/host/child-process'
import { EngineClient } from '../main/host/engine-client'
import { hostEntry } from '../main/host/entries'
import { remoteBridgeEngine } from '../main/host/remote-bridge'
import type { CliIo } from './io'

/** How to build the UI when it is missing (npm ci and npm run build do it). */
const BUILD_UI = 'npm run build:renderer'

/** The studio to serve, opened in a child process of its own (serve-entry.ts). */
export interface ServedStudio {
  dataDir: string
  concurrency?: number
  /** The farm whose queue the window shows and drives (--queue-url / STUDIO_QUEUE_URL). */
  queueUrl?: string
  /** The farm's shared folder as this computer mounts it (--farm-data-dir), when it is not `dataDir`. */
  farmDataDir?: string
}

export interface ServeOptions {
  port: number
  host: string
  /** Tests stop the server with this instead of a signal. */
  signal?: AbortSignal
  /** Called once the server listens (tests read the URL here). */
  onListening?: (bridge: BridgeServer) => void
  staticDir?: string
  /** --json: the URL as one JSON line ({"url": …}), for a script that opens it. */
  json?: boolean
}

/**
 * `studio serve`: run the engine's pool and serve the studio UI on loopback, protected by a fresh
 * token that appears only in the printed URL. Ctrl-C (or SIGTERM) stops gracefully.
 *
 * Given a data folder, the studio runs in a child process (the bridge then never waits on
 * SQLite, and a crashed engine is started again); given an engine, it runs in this process
 * (tests with their own pipelines).
 */
export async function serve(target: Engine<any> | ServedStudio, io: CliIo, options: ServeOptions): Promise<number> {
  const local = 'pool' in target ? target : null
  const remote = !isLoopbackHost(options.host)
  if (remote) {
    io.stderr.write(
      `warning: listening on ${options.host}, which is not a loopback address. Anyone on that network who gets the URL ` +
        `(token included) can drive this studio and read its files. Use --host 127.0.0.1 unless you mean it.\n`
    )
  }
  const staticDir = options.staticDir ?? builtUiDir()
  let client: EngineClient | null = null
  let served: Engine<any> | BridgeEngine
  if (local) served = local
  else {
    const spec = target as ServedStudio
    if (spec.queueUrl !== undefined) {
      // A mistyped URL or a farm not initialised is said now, once, rather than by a window that
      // opens and keeps trying. Later losses of the link are the window's to show (it retries).
      const { FarmQueue } = await import('../main/engine/farm/farm-queue')
      const farm = new FarmQueue({ url: spec.queueUrl, dataDir: spec.dataDir })
      try {
        await farm.check()
        if (spec.farmDataDir !== undefined) {
          // Checked as a worker checks its share: a folder that works here, and this farm's.
          const { checkFarmShare } = await import('../main/engine/farm/share-mark')
          const share = await checkFarmShare(spec.queueUrl, spec.farmDataDir)
          if (!share.ok) throw new Error(`--farm-data-dir: ${share.reason}`)
        }
      } catch (err) {
        io.stderr.write(`studio: ${(err as Error).message}\n`)
        return 1
      } finally {
        await farm.close()
      }
    }
    const entry = hostEntry('serve')
    const args = ['--data-dir', spec.dataDir, ...(spec.farmDataDir !== undefined ? ['--farm-data-dir', spec.farmDataDir] : []), ...(spec.concurrency !== undefined ? ['--concurrency', String(spec.concurrency)] : [])]
    // The URL (maybe with its password) goes by the environment, not the arguments every `ps` shows.
    const env = { ...process.env }
    if (spec.queueUrl !== undefined) env.STUDIO_QUEUE_URL = spec.queueUrl
    else delete env.STUDIO_QUEUE_URL
    client = new EngineClient({
      spawn: () => forkEngine(entry.path, args, { execArgv: entry.execArgv, env }),
      log: (message) => io.stderr.write(`studio: ${message}\n`)
    })
    try {
      served = remoteBridgeEngine(client, await client.start())
    } catch (err) {
      io.stderr.write(`studio: cannot open the data folder ${spec.dataDir}: ${(err as Error).message}\n`)
      return 1
    }
  }
  let bridge: BridgeServer
  try {
    bridge = await startBridge(served, {
      port: options.port,
      host: options.host,
      // The CLI passes a host only when --host was given (its default is loopback), so a
      // non-loopback host here was asked for explicitly.
      allowRemote: remote,
      ...(staticDir ? { staticDir } : {})
    })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    io.stderr.write(`studio: cannot listen on ${options.host}:${options.port}: ${code ?? (err as Error).message}\n`)
    await client?.close(0)
    return 1
  }
  // The studio also resumes its batches; a bare engine (tests) just runs its pool. (The child
  // process's engine starts its own work.)
  if (local) {
    const work = local as Engine<any> & { startWork?: () => void }
    if (typeof work.startWork === 'function') work.startWork()
    else local.pool.start()
  }
  if (!bridge.rendererBuilt) {
    io.stderr.write(`warning: the UI is not built (${bridge.staticDir} has no index.html); build it with: ${BUILD_UI}\n`)
  }
  if (options.json) io.stdout.write(JSON.stringify({ url: bridge.url }) + '\n')
  else io.stdout.write(`Creative Studio is open at ${bridge.url}\n(the link holds this session's access token; Ctrl-C to stop)\n`)
  options.onListening?.(bridge)

  // A closed terminal (or a reader gone): stop at once, since the renders run in their own
  // process group and would otherwise go on, orphaned (see OWN_PROCESS_GROUP); write nothing more.
  let hungUp = false
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      process.off('SIGHUP', hangUp)
      options.signal?.removeEventListener('abort', stop)
      resolve()
    }
    const hangUp = () => {
      hungUp = true
      stop()
    }
    if (options.signal?.aborted) return stop()
    options.signal?.addEventListener('abort', stop)
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    process.on('SIGHUP', hangUp)
  })
  if (!hungUp) (options.json ? io.stderr : io.stdout).write('stopping: finishing running steps (up to 10 s)…\n')
  await bridge.close()
  if (client) await client.close(hungUp ? 0 : 10_000)
  else await local!.pool.stop(hungUp ? 0 : 10_000)
  return 0
}

/**
 * out/renderer of the checkout or package this module belongs to (found by walking up to its
 * package.json: from src/cli in the sources, from out/cli/chunks once built). The UI is built at
 * install (`prepare`) and by `npm run build`, never on first use: serve only serves it.
 */
function builtUiDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'out', 'renderer')
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
