import type { z } from 'zod'
import type { JsonValue } from '../../../shared/types'
import type { LogEntry } from '../../../shared/log-lines'

/** What a running step can see and do. Plain data in, plain data out: no Electron, no globals. */
export interface StepContext<Services = unknown> {
  readonly jobId: string
  /** This step's name (a planned step's carries what it works on, e.g. `segment:<scene id>`). */
  readonly stepName: string
  readonly projectId: string
  readonly jobType: string
  /** The job's validated payload. */
  readonly input: Record<string, unknown>
  /** Outputs of the steps that finished before this one, by step name. */
  readonly outputs: Readonly<Record<string, StepOutput>>
  /** A fresh folder owned by this attempt only; files written here become the step's artifacts. */
  readonly workDir: string
  /** Aborted when the job is cancelled, the lease is lost, or the engine stops. */
  readonly signal: AbortSignal
  /** 0–100 within this step. Cheap to call often: the engine coalesces. */
  progress(percent: number, message?: string): void
  /** Free text, or one of the engine's lines (logEntry) that the app shows in the user's language. */
  log(message: string | LogEntry, level?: LogLevel): void
  /** Write a file atomically (temp name, then rename) inside workDir; returns its absolute path. */
  writeArtifact(name: string, data: string | Uint8Array): Promise<string>
  /** Absolute path for a file inside workDir (for tools like ffmpeg that write themselves). */
  artifactPath(name: string): string
  /** Engine services: providers, renderer, settings. Typed by the pipeline that uses them. */
  readonly services: Services
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** A finished step's stored result. `files` maps artifact names to absolute paths. */
export interface StepOutput {
  data: JsonValue
  files: Record<string, string>
  cost?: number
  provider?: string
  fallback?: boolean
}

export interface StepResult {
  /** JSON stored with the step and handed to later steps. */
  data: JsonValue
  /** Artifact name → absolute path, each inside ctx.workDir. */
  files?: Record<string, string>
  /** Money spent by this attempt, in USD. */
  cost?: number
  /**
   * False when the provider had no price for its model (the `cost` is then a guess of 0): the
   * step's cost is stored as unknown, never as free, and the job's total becomes a lower bound.
   */
  costKnown?: boolean
  /** Which provider actually ran (e.g. "espeak-ng", "openai:gpt-4o-mini"). */
  provider?: string
}

export interface StepDefinition<Services = unknown> {
  /** Stable id, used for checkpoints, `retry --from` and ETA statistics. */
  readonly name: string
  readonly title: string
  /** Which pool resource the step occupies (llm, tts, image, music, ffmpeg, cpu...). */
  readonly resource: string
  /** The provider whose health gates this step (circuit breaker). Defaults to the resource. */
  provider?(ctx: StepTarget<Services>): string
  /**
   * Other providers the step calls before its own (moderation before a paid call). A failure one
   * of them reports counts against that provider's circuit breaker, not against `provider`'s:
   * a moderation outage must not mark the text model as down.
   */
  consults?(ctx: StepTarget<Services>): readonly string[]
  /** First guess of duration before the engine has measured any. */
  readonly estimateMs: number
  /**
   * Steps of a job marked parallel that follow each other run at the same time, each within its
   * resource's limit (a storyboard's segments). They must not read each other's outputs.
   */
  readonly parallel?: boolean
  /** Attempts for retryable errors; defaults to the job's max_retries. */
  readonly maxAttempts?: number
  run(ctx: StepContext<Services>): Promise<StepResult>
  /** Called when the step has failed for good; its result counts as the step's output (flagged). */
  fallback?(ctx: StepContext<Services>, error: Error): Promise<StepResult>
}

export interface PipelineDefinition<Services = unknown> {
  readonly name: string
  readonly title: string
  /** Validates and normalises the payload at enqueue time (bad input never reaches a worker). */
  readonly input: z.ZodType<Record<string, unknown>>
  /** The input a spreadsheet's main column fills (a batch row's idea, prompt or text). Default "idea". */
  readonly mainField?: string
  readonly steps: readonly StepDefinition<Services>[]
  /**
   * The job's own list of steps, when it depends on the input (a storyboard render has steps per
   * scene). Each planned step runs the definition named by the part of its name before ':'.
   * Without it the job's steps are `steps`, in order.
   */
  plan?(input: Record<string, unknown>): readonly PlannedStep[]
  /** Made by the app itself (a storyboard render), not offered in the new job dialog. */
  readonly internal?: boolean
}

/** What a step's provider depends on: the job's input, and the step (a planned step names its scene). */
export type StepTarget<Services> = Pick<StepContext<Services>, 'input' | 'services'> & { readonly stepName?: string }

export interface PlannedStep {
  name: string
  title: string
  resource: string
}

/** The definition a job's step runs: its own name, or the kind before ':' of a planned step. */
export function stepDefinition<S>(pipeline: PipelineDefinition<S>, stepName: string): StepDefinition<S> | undefined {
  const colon = stepName.indexOf(':')
  const kind = colon < 0 ? stepName : stepName.slice(0, colon)
  return pipeline.steps.find((d) => d.name === kind)
}
