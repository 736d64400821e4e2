/**
 * The farm's queue for the job and queue commands (`--queue-url` / STUDIO_QUEUE_URL): the job
 * store on the farm's PostgreSQL (engine/farm/farm-queue.ts) behind the same routers the local
 * queue uses (api/farm-queue-routes.ts, which `studio serve --queue-url` shares), so each command
 * says and prints what it says on SQLite. Loaded only when a queue URL is given: the PostgreSQL
 * client and the built-in pipelines stay out of a local `studio list`.
 */
import type pg from 'pg'
import type { Handlers } from '../main/api/handler-map'
import { farmQueueRoutes } from '../main/api/farm-queue-routes'
import { FarmQueue as FarmQueueBackend } from '../main/engine/farm/farm-queue'
import type { PgJobStore } from '../main/engine/store/postgres/jobs'

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
  const farm = new FarmQueueBackend({ url, dataDir })
  try {
    await farm.check()
  } catch (err) {
    await farm.close()
    throw err
  }
  return { store: farm.store, handlers: farmQueueRoutes(farm) as unknown as Handlers, pool: farm.pool, close: () => farm.close() }
}
