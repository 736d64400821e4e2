/**
 * The pipeline of the farm limits test: `provider-call`, a step on the `music` resource that calls
 * the fake provider at `input.url` (naming its job and its worker), then a quick `cpu` step. The
 * user's job store registers it too, to plan the steps of what it enqueues.
 */
import { z } from 'zod'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'

export function limitTestPipelines<S>(worker: string): PipelineRegistry<S> {
  return new PipelineRegistry<S>().register({
    name: 'provider-call',
    title: 'Provider call',
    input: z.object({ url: z.string() }).passthrough(),
    steps: [
      {
        name: 'call',
        title: 'Call the provider',
        resource: 'music',
        estimateMs: 200,
        run: async (ctx) => {
          // `sent`: when the step called, on the machine's clock (the test compares it with the arrival).
          const sent = performance.timeOrigin + performance.now()
          const res = await fetch(`${String(ctx.input.url)}/call?job=${encodeURIComponent(ctx.jobId)}&worker=${encodeURIComponent(worker)}&sent=${sent}`, { signal: ctx.signal })
          if (!res.ok) throw new Error(`provider answered ${res.status}`)
          return { data: (await res.json()) as { ok: boolean } }
        }
      },
      { name: 'after', title: 'After', resource: 'cpu', estimateMs: 1, run: async () => ({ data: null }) }
    ]
  })
}
