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
  // The folder is made on first use: a step that writes no file costs no directory.
  let made = false
  const dir = () => {
    if (!made) makeWorkDir(d.workDir)
    made = true
    return d.workDir
  }
  return {
    jobId: d.jobId,
    stepName: d.stepName,
    projectId: d.projectId,
    jobType: d.jobType,
    input: d.input,
    outputs: d.outputs,
    get workDir() {
      return dir()
    },
    get signal() {
      return d.signal.signal
    },
    services: d.services,
    progress: (percent, message) => d.onProgress(Math.max(0, Math.min(100, Number(percent) || 0)), message),
    log: (message, level = 'info') => d.onLog(message, level),
    artifactPath: (name) => join(dir(), checkArtifactName(name)),
    async writeArtifact(name, data) {
      const final = join(dir(), checkArtifactName(name))
      const temp = join(d.workDir, `.${name}.${randomUUID().slice(0, 8)}.tmp`)
      await writeFile(temp, data, { signal: d.signal.signal, mode: 0o600 })
      await rename(temp, final)
      return final
    }
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
