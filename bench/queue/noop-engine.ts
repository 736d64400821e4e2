/**
 * The engine the queue benchmarks measure: one pipeline of one step that does nothing, so what is
 * measured is the queue around it; default limits and timings except the `cpu` lane, which must
 * let `concurrency` no-op steps run at once (its default is the core count, which equals the
 * default concurrency anyway).
 */
import { z } from 'zod'
import { Engine } from '../../src/main/engine/engine'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import { DEFAULT_TIMINGS, defaultResourceLimits } from '../../src/main/engine/pool/pool'

const PAD = 'x'.repeat(100)

/** Every benchmarked queue gets the same ~120 bytes of JSON per job. */
export function payload(i: number): { i: number; pad: string } {
  return { i, pad: PAD }
}

export function noopPipelines(): PipelineRegistry<null> {
  return new PipelineRegistry<null>().register({
    name: 'noop',
    title: 'No-op',
    input: z.object({ i: z.number(), pad: z.string() }),
    steps: [{ name: 'noop', title: 'No-op', resource: 'cpu', estimateMs: 1, run: async () => ({ data: null }) }]
  })
}

export function openNoopEngine(dataDir: string, concurrency: number): Engine<null> {
  return new Engine<null>({
    dataDir,
    pipelines: noopPipelines(),
    services: null,
    concurrency,
    resources: { ...defaultResourceLimits(), cpu: { concurrency, minIntervalMs: 0 } },
    timings: { ...DEFAULT_TIMINGS } // leaseMs 30 000, pollMs 1 000, reclaimEveryMs 5 000, progressIntervalMs 100
  })
}
