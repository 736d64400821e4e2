/**
 * What a set of jobs will take before it is queued: time from the recent durations of each step
 * (the pipeline's first guess when a step never ran) spread over the pool's concurrency, and money
 * from the price table × the units each paid step is expected to use (tokens, characters, images,
 * requests). A batch, a storyboard render or a selection of jobs all go through `estimateJobs`.
 */
import { PriceTable } from './providers/pricing'
import type { ProviderInfo } from './providers/registry'
import { recentStepDurations } from './store/provider-calls'
import type { Studio } from './studio'

export interface EstimateInput {
  type: string
  input: Record<string, unknown>
}

export interface JobEstimate {
  type: string
  workMs: number
  costUsd: number
  /** False when a paid step's model has no price: costUsd is then a lower bound. */
  costKnown: boolean
}

export interface Estimate {
  jobs: JobEstimate[]
  /** Sum of every step's expected duration. */
  workMs: number
  /** Expected wall-clock time with the pool's concurrency. */
  wallClockMs: number
  costUsd: number
  costKnown: boolean
}

const KIND_BY_RESOURCE: Record<string, 'text' | 'image' | 'speech' | 'music'> = { llm: 'text', image: 'image', tts: 'speech', music: 'music' }

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** Units a step of `kind` is expected to use for this job's input. */
function unitsFor(kind: 'text' | 'image' | 'speech' | 'music', job: EstimateInput) {
  const i = job.input
  const maxTokens = typeof i.maxTokens === 'number' ? i.maxTokens : 600
  const promptChars = str(i.prompt).length + str(i.idea).length + str(i.text).length
  switch (kind) {
    case 'text':
      return { inputTokens: Math.ceil(promptChars / 4) + 150, outputTokens: maxTokens }
    case 'speech':
      // A written narration is about 4 characters per token of the script that precedes it.
      return { characters: str(i.text).length || maxTokens * 4, audioSeconds: (str(i.text).length || maxTokens * 4) / 15 }
    case 'image':
      return { images: job.type === 'video' ? (Array.isArray(i.assets) && i.assets.length ? 0 : typeof i.images === 'number' ? i.images : 3) : 1 }
    case 'music':
      return { requests: 1, audioSeconds: typeof i.durationSec === 'number' ? i.durationSec : 30 }
  }
}

export function estimateJobs(studio: Pick<Studio, 'db' | 'pipelines' | 'services' | 'pool'>, inputs: readonly EstimateInput[]): Estimate {
  return estimateJobsWith(studio, inputs, { durations: recentStepDurations(studio.db), concurrency: studio.pool.getConcurrency() })
}

/**
 * The same figures from durations and a concurrency read elsewhere (a farm's steps and its live
 * workers' slots: engine/batch/farm-estimate.ts). Prices are always this computer's settings.
 */
export function estimateJobsWith(
  studio: Pick<Studio, 'pipelines' | 'services'>,
  inputs: readonly EstimateInput[],
  o: { durations: ReadonlyMap<string, number>; concurrency: number }
): Estimate {
  const durations = o.durations
  const settings = studio.services.settings()
  const prices = new PriceTable((settings.providers as { pricing?: Record<string, never> }).pricing ?? {})
  const infos = studio.services.providers().list()
  const info = (kind: string): ProviderInfo | undefined => infos.find((p) => p.kind === kind)
  const jobs = inputs.map((job): JobEstimate => {
    const pipeline = studio.pipelines.get(job.type)
    if (!pipeline) throw new Error(`type: unknown job type "${job.type}"`)
    let workMs = 0
    let costUsd = 0
    let costKnown = true
    for (const step of pipeline.steps) {
      workMs += durations.get(step.name) ?? step.estimateMs
      const kind = KIND_BY_RESOURCE[step.resource]
      const p = kind ? info(kind) : undefined
      if (!kind || !p || p.offline || p.free) continue
      const units = unitsFor(kind, job)
      if ('images' in units && units.images === 0) continue
      const model = kind === 'music' ? 'suno' : (p.model ?? '')
      const c = prices.cost(model, units)
      costUsd += c.costUsd
      costKnown &&= c.priceKnown
    }
    return { type: job.type, workMs: Math.round(workMs), costUsd: Math.round(costUsd * 1e10) / 1e10, costKnown }
  })
  const workMs = jobs.reduce((s, j) => s + j.workMs, 0)
  const concurrency = Math.max(1, Math.min(o.concurrency, jobs.length || 1))
  return {
    jobs,
    workMs,
    wallClockMs: Math.round(Math.max(workMs / concurrency, ...jobs.map((j) => j.workMs))),
    costUsd: Math.round(jobs.reduce((s, j) => s + j.costUsd, 0) * 1e10) / 1e10,
    costKnown: jobs.every((j) => j.costKnown)
  }
}
