import type { BatchEstimate } from '../../../shared/estimate'
import { estimateJobs } from '../estimate'
import type { Studio } from '../studio'
import type { CreateBatchRequest } from './manager'
import type { NetworkPolicy } from './sources'

/**
 * Time and cost of a batch before anything is queued: the rows it would queue, each built as the
 * import builds it, priced and timed by `estimateJobs`. Nothing is written but a staging copy,
 * removed before the answer.
 */
export async function estimateBatch(
  studio: Studio,
  request: Pick<CreateBatchRequest, 'source' | 'sheet' | 'config'>,
  options: { network?: NetworkPolicy } = {}
): Promise<BatchEstimate> {
  const { pipeline, inputs, refused } = await studio.batches.rowsToQueue(request, options)
  const e = estimateJobs(studio, inputs.map((input) => ({ type: pipeline, input })))
  return { pipeline, rows: inputs.length, refused, workMs: e.workMs, wallClockMs: e.wallClockMs, costUsd: e.costUsd, costKnown: e.costKnown, timeUnknown: null }
}
