import type { BatchEstimate } from '../../../shared/estimate'
import { estimateJobsWith } from '../estimate'
import { liveWorkerSlots } from '../store/postgres/farm-capacity'
import { PgProviderCalls } from '../store/postgres/provider-calls'
import { DEFAULT_STALE_AFTER_MS, type Queryable } from '../store/postgres/workers'
import type { Studio } from '../studio'
import type { CreateBatchRequest } from './manager'
import type { NetworkPolicy } from './sources'

/**
 * A batch's estimate before it is queued on a farm: the rows and their cost as on this computer
 * (the sheet is read here, priced with this computer's provider prices, as estimateBatch does),
 * and its time from the farm: the farm's recent step durations (the pipeline's first guesses for
 * a step it never ran) spread over its live workers' slots. With no worker alive nothing would run,
 * so the time is unknown and the answer says so.
 */
export async function estimateFarmBatch(
  studio: Pick<Studio, 'batches' | 'pipelines' | 'services'>,
  farm: Queryable,
  request: Pick<CreateBatchRequest, 'source' | 'sheet' | 'config'>,
  options: { network?: NetworkPolicy; now?: number } = {}
): Promise<BatchEstimate> {
  const { pipeline, inputs, refused } = await studio.batches.rowsToQueue(request, options)
  const [durations, capacity] = await Promise.all([
    new PgProviderCalls(farm).recentStepDurations(),
    liveWorkerSlots(farm, options.now ?? Date.now(), DEFAULT_STALE_AFTER_MS)
  ])
  const e = estimateJobsWith(studio, inputs.map((input) => ({ type: pipeline, input })), { durations, concurrency: Math.max(1, capacity.slots) })
  const alive = capacity.workers > 0
  return {
    pipeline,
    rows: inputs.length,
    refused,
    workMs: e.workMs,
    wallClockMs: alive ? e.wallClockMs : null,
    costUsd: e.costUsd,
    costKnown: e.costKnown,
    timeUnknown: alive ? null : 'no-live-workers'
  }
}
