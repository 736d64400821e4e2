/**
 * Settings' "Test" for a studio farm: connect, read the schema's version and, once the farm is
 * initialised at the version this studio knows, its status (workers, queue). Unreachable is an
 * error naming the queue URL (FarmError 'farm-unreachable'), its password masked.
 */
import { farmStatus } from './commands'
import { FARM_SCHEMA_VERSION, withClient } from '../store/postgres/init'
import { schemaVersion } from '../store/postgres/status'
import type { FarmTestResult } from '../../../shared/farm'

export async function probeFarm(url: string): Promise<FarmTestResult> {
  const started = performance.now()
  const version = await withClient(url, schemaVersion)
  const ms = Math.round(performance.now() - started)
  const status = version === FARM_SCHEMA_VERSION ? await farmStatus(url) : null
  return { reachable: true, schemaVersion: version, knownVersion: FARM_SCHEMA_VERSION, ms, status }
}
