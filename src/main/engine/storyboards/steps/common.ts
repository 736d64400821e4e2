import { copyFile, link } from 'node:fs/promises'
import { basename } from 'node:path'
import { FORMAT_SIZES, type Scene } from '../../../../shared/storyboard'
import { logEntry, type LogLineCode } from '../../../../shared/log-lines'
import { permanent } from '../../errors'
import type { StepContext, StepResult } from '../../pipelines/types'
import type { StudioServices } from '../../services'
import type { Artifact } from '../artifact-cache'
import type { ArtifactKind } from '../keys'
import { parseStepName, type RenderInput } from '../render-input'

export type Ctx = StepContext<StudioServices>

export const renderInput = (ctx: Ctx) => ctx.input as RenderInput

/** The scene a per-scene step works on (its name says which), and its number as the user sees it. */
export function sceneOf(ctx: Ctx): { scene: Scene; number: number } {
  const { sceneId } = parseStepName(ctx.stepName)
  const input = renderInput(ctx)
  const at = input.scenes.findIndex((s) => s.id === sceneId)
  if (at < 0) throw permanent(`step ${ctx.stepName}: no such scene in this render`)
  return { scene: input.scenes[at]!, number: at + 1 }
}

/** Frames per second of a render: drafts are lighter. */
export function fpsOf(input: RenderInput): number {
  return input.draft ? 24 : 30
}

/** Output frame of a render: the format's size, halved for a draft. */
export function frameOf(input: RenderInput): { width: number; height: number } {
  const full = FORMAT_SIZES[input.settings.format]
  return input.draft ? { width: full.width / 2, height: full.height / 2 } : full
}

/** What a made artifact carries before it is kept. */
export interface Made {
  data: Record<string, unknown>
  /** Files in the step's work folder. */
  files: Record<string, string>
  costUsd?: number
  costKnown?: boolean
  provider?: string
}

const REUSED: Record<ArtifactKind, LogLineCode> = {
  voice: 'reusedVoice',
  visual: 'reusedPicture',
  segment: 'reusedSegment',
  music: 'reusedMusic',
  assemble: 'reusedVideo'
}

/**
 * A storyboard step: reuse the artifact its key names when the project has it (nothing runs,
 * nothing is paid), otherwise make it and keep it under that key. The step's data always carries
 * the artifact's paths in the cache, so later steps read the same thing either way.
 */
export async function cachedStep(ctx: Ctx, kind: ArtifactKind, key: string, scene: number | null, make: () => Promise<Made>): Promise<StepResult> {
  const cache = ctx.services.artifacts
  const hit = await cache.lookup(ctx.projectId, key)
  if (hit) {
    ctx.log(logEntry(REUSED[kind], scene === null ? {} : { scene }))
    // The job lists the reused files as its own (hard links: no copy), so each render is a
    // complete version whatever it reused, and cleaning a job never touches the cache.
    const files: Record<string, string> = {}
    for (const [name, path] of Object.entries(hit.files)) {
      files[name] = ctx.artifactPath(basename(path))
      await link(path, files[name]).catch(() => copyFile(path, files[name]!))
    }
    ctx.progress(100)
    return { data: stepData(hit, true), files, cost: 0, ...(hit.provider ? { provider: hit.provider } : {}) }
  }
  const made = await make()
  const kept = await cache.keep(ctx.projectId, key, kind, {
    data: made.data,
    files: made.files,
    costUsd: made.costKnown === false ? null : (made.costUsd ?? 0),
    provider: made.provider ?? null
  })
  return {
    data: stepData(kept, false),
    files: made.files,
    ...(made.costUsd !== undefined ? { cost: made.costUsd } : {}),
    ...(made.costKnown !== undefined ? { costKnown: made.costKnown } : {}),
    ...(made.provider ? { provider: made.provider } : {})
  }
}

function stepData(a: Artifact, reused: boolean): StepResult['data'] {
  return { ...(a.data as Record<string, never>), key: a.key, reused, paths: a.files }
}

/** A finished step's artifact as a later step reads it. */
export interface StepArtifact {
  key: string
  reused: boolean
  paths: Record<string, string>
  [field: string]: unknown
}

export function artifactOf(ctx: Ctx, stepName: string): StepArtifact | null {
  const data = ctx.outputs[stepName]?.data as StepArtifact | null | undefined
  return data && typeof data === 'object' && typeof data.key === 'string' ? data : null
}
