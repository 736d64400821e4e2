/**
 * The two pipelines the farm engine bench runs: `noop` (one step that returns at once) and `sleep`
 * (one step that waits `ms`, 200 by default). Each step's result is checkpointed by the engine as
 * any step's is (a fenced write of its output), so what is measured is the farm around the steps:
 * claim, step start, checkpoint, completion. `onStart` sees each step begin (the bench's claim
 * latency is enqueue → step start).
 */
import { z } from 'zod'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import type { StudioServices } from '../../src/main/engine/services'

export function benchPipelines(onStart: (jobId: string) => void): PipelineRegistry<StudioServices> {
  return new PipelineRegistry<StudioServices>()
    .register({
      name: 'noop',
      title: 'No-op',
      input: z.object({}).passthrough(),
      steps: [{ name: 'noop', title: 'No-op', resource: 'cpu', estimateMs: 1, run: async (ctx) => (onStart(ctx.jobId), { data: null }) }]
    })
    .register({
      name: 'sleep',
      title: 'Sleep',
      input: z.object({ ms: z.number().int().min(0).max(60_000).default(200) }).passthrough(),
      steps: [
        {
          name: 'sleep',
          title: 'Sleep',
          resource: 'cpu',
          estimateMs: 200,
          run: async (ctx) => {
            onStart(ctx.jobId)
            await new Promise((r) => setTimeout(r, Number(ctx.input.ms ?? 200)))
            return { data: null }
          }
        }
      ]
    })
}
