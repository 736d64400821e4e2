/**
 * The farm's queue for the job and queue commands (`--queue-url` / STUDIO_QUEUE_URL): the job
 * store on the farm's PostgreSQL (PgJobStore) behind the same routers the local queue uses, so
 * each command says and prints what it says on SQLite. Loaded only when a queue URL is given: the
 * PostgreSQL client and the built-in pipelines stay out of a local `studio list`.
 */
import pg from 'pg'
import type { Handlers } from '../main/api/handler-map'
import { jobRoutes } from '../main/api/jobs'
import { EventBus } from '../main/engine/events'
import { FarmError } from '../main/engine/farm/errors'
import { stepNeeds } from '../main/engine/farm/capabilities'
import { builtinPipelines } from '../main/engine/pipelines/builtin'
import { FARM_SCHEMA_VERSION, redactQueueUrl } from '../main/engine/store/postgres/init'
import { PgJobStore } from '../main/engine/store/postgres/jobs'
import { schemaVersion } from '../main/engine/store/postgres/status'
import { join } from 'node:path'

export interface FarmQueue {
  store: PgJobStore
  /** The job and queue commands on the farm (the others are not asked of it: the CLI refuses them first). */
  handlers: Handlers
  /** The connections, for a command that writes to the farm through a store of its own (`farm push`). */
  pool: pg.Pool
  close(): Promise<void>
}

/**
 * Connects to the farm (one short-lived pool, ended by close), checks that its schema is the one
 * this studio knows, and gives the store. `dataDir` is the shared data folder as this machine
 * mounts it: a retry or removal deletes the job's files there, as a worker would.
 */
export async function openFarmQueue(url: string, dataDir: string): Promise<FarmQueue> {
  const where = redactQueueUrl(url)
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 15_000 })
  // An idle client dropped by the server (a restart, a cut link) must not crash the command: the next query says so.
  pool.on('error', () => undefined)
  let version: number | null
  try {
    // It only queries: the pool answers as a client would.
    version = await schemaVersion(pool as unknown as pg.Client)
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw new FarmError('farm-unreachable', `cannot connect to ${where}: ${(err as Error).message}`, 'queueUrl', { cause: err })
  }
  const refuse = async (code: string, message: string): Promise<never> => {
    await pool.end().catch(() => undefined)
    throw new FarmError(code, message)
  }
  if (version === null) await refuse('farm-not-initialised', `no farm schema at ${where}: run \`studio farm init\` first`)
  if (version !== FARM_SCHEMA_VERSION) {
    await refuse(
      'farm-schema-mismatch',
      version! > FARM_SCHEMA_VERSION
        ? `the farm's schema at ${where} (version ${version}) is newer than this studio knows (${FARM_SCHEMA_VERSION}): update studio here`
        : `the farm's schema at ${where} is at version ${version}, this studio needs ${FARM_SCHEMA_VERSION}: run \`studio farm init\``
    )
  }
  // Enqueue checks each input against the pipeline it names, as the local studio does. A video's
  // assets are files inside the shared data folder: a project asset id names a project of this
  // machine's local studio, which no worker of the farm can read.
  const pipelines = builtinPipelines({ dataDir, assetPath: () => undefined })
  const store = new PgJobStore({ pool, events: new EventBus(), pipelines, dataDir, artifactsRoot: join(dataDir, 'jobs'), stepNeeds })
  const handlers = {
    ...jobRoutes(store),
    'queue/stats': () => store.stats(),
    'queue/pause': async () => {
      await store.setQueuePaused(true)
      return null
    },
    'queue/resume': async () => {
      await store.setQueuePaused(false)
      return null
    },
    'queue/cleanup': (r) => store.cleanup({ olderThanMs: r.olderThanDays * 86_400_000 })
  } satisfies Partial<Handlers>
  return { store, handlers: handlers as unknown as Handlers, pool, close: () => pool.end() }
}
