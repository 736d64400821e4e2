import { randomUUID } from 'node:crypto'
import { rename, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { StepView } from '../../../shared/types'
import type { LogLevel, StepContext, StepOutput } from './types'
import type { LogEntry } from '../../../shared/log-lines'
import { makeWorkDir } from './work-dir'

export interface ContextDeps<S> {
  jobId: string
  stepName: string
  projectId: string
  jobType: string
  input: Record<string, unknown>
  outputs: Record<string, StepOutput>
  workDir: string
  /** Asked for only when the step reads ctx.signal: an AbortSignal costs more than a no-op step. */
  signal: { readonly signal: AbortSignal }
  services: S
  onProgress(percent: number, message?: string): void
  onLog(message: string | LogEntry, level: LogLevel): void
}

/** Artifact names are plain file names: no folders, no way out of the step's own work dir. */
export function checkArtifactName(name: string): string {
  if (!name || name !== basename(name) || name === '.' || name === '..' || name.startsWith('.')) {
    throw new Error(`artifact name "${name}" must be a plain file name`)
  }
  return name
}

export function makeStepContext<S>(d: ContextDeps<S>): StepContext<S> {
  return new RunningStepContext(d)
}

/**
 * A step's context as one small object: its getters and methods live on the prototype. An object
 * literal with getters and six closures, made for every step run, cost more than a no-op step
 * (V8 defines a literal's accessors one by one, through the runtime). Its methods read `this`:
 * a step passes them on as `(p) => ctx.progress(p)`, not detached.
 */
class RunningStepContext<S> implements StepContext<S> {
  // Declared, not class fields: esbuild emits declared fields, which V8 defines one by one
  // before the constructor runs; assigned in the constructor, the object has one shape at once.
  declare readonly jobId: string
  declare readonly stepName: string
  declare readonly projectId: string
  declare readonly jobType: string
  declare readonly input: Record<string, unknown>
  declare readonly outputs: Record<string, StepOutput>
  declare readonly services: S
  declare private readonly d: ContextDeps<S>
  /** The folder is made on first use: a step that writes no file costs no directory. */
  declare private made: boolean

  constructor(d: ContextDeps<S>) {
    this.d = d
    this.jobId = d.jobId
    this.stepName = d.stepName
    this.projectId = d.projectId
    this.jobType = d.jobType
    this.input = d.input
    this.outputs = d.outputs
    this.services = d.services
    this.made = false
  }

  get workDir(): string {
    return this.dir()
  }

  get signal(): AbortSignal {
    return this.d.signal.signal
  }

  progress(percent: number, message?: string): void {
    this.d.onProgress(Math.max(0, Math.min(100, Number(percent) || 0)), message)
  }

  log(message: string | LogEntry, level: LogLevel = 'info'): void {
    this.d.onLog(message, level)
  }

  artifactPath(name: string): string {
    return join(this.dir(), checkArtifactName(name))
  }

  async writeArtifact(name: string, data: string | Uint8Array): Promise<string> {
    const final = join(this.dir(), checkArtifactName(name))
    const temp = join(this.d.workDir, `.${name}.${randomUUID().slice(0, 8)}.tmp`)
    await writeFile(temp, data, { signal: this.d.signal.signal, mode: 0o600 })
    await rename(temp, final)
    return final
  }

  private dir(): string {
    if (!this.made) makeWorkDir(this.d.workDir)
    this.made = true
    return this.d.workDir
  }
}

/** What a finished step hands to the steps after it, as its stored view says. */
export function stepOutputOf(step: StepView): StepOutput {
  const out: StepOutput = { data: step.output ?? null, files: step.files }
  if (step.cost !== null) out.cost = step.cost
  if (step.provider !== null) out.provider = step.provider
  if (step.fallback) out.fallback = true
  return out
}
