import { permanent } from '../../errors'
import type { StepDefinition, StepResult } from '../../pipelines/types'
import { resolveBinaries } from '../../render/binaries'
import { synthesizeMusic } from '../../render/music'
import type { StudioServices } from '../../services'
import { contentKey } from '../keys'
import { scenesToRender } from '../render-input'
import { artifactOf, cachedStep, fpsOf, renderInput, type Ctx } from './common'

const MUSIC_BUCKET_SEC = 30

/** The key of a generated track for a video this long, and the length it is made at. */
export function musicKeyOf(mood: string, videoSec: number): { key: string; seconds: number } {
  const seconds = Math.ceil(Math.max(1, videoSec) / MUSIC_BUCKET_SEC) * MUSIC_BUCKET_SEC
  return { key: contentKey('music', { mood, seconds, provider: 'ffmpeg-synth' }), seconds }
}

/** The video's music bed: a track synthesized for the whole length, or a project audio asset. */
export const musicStep: StepDefinition<StudioServices> = {
  name: 'music',
  title: 'Music',
  resource: 'music',
  estimateMs: 1_500,
  async run(ctx: Ctx): Promise<StepResult> {
    const input = renderInput(ctx)
    const music = input.settings.music
    if (music.kind === 'asset') {
      const asset = await ctx.services.artifacts.asset(ctx.projectId, music.assetId, ctx.services.binaries())
      return { data: { key: `asset-${asset.sha256}`, reused: true, paths: { track: asset.path } }, provider: 'project-assets' }
    }
    if (music.kind === 'none') throw permanent('this render has no music step')
    // As long as the scenes together: known once every segment knows its frames.
    const frames = scenesToRender(input).reduce((sum, s) => sum + Number(artifactOf(ctx, `segment:${s.id}`)?.frames ?? 0), 0)
    // Made a little longer than needed (to the next half minute) and cut at assembly: an edit that
    // changes the video's length by a few seconds reuses the same track.
    const { key, seconds } = musicKeyOf(music.mood, frames / fpsOf(input))
    return cachedStep(ctx, 'music', key, null, async () => {
      const binaries = await resolveBinaries(ctx.services.binaries())
      const track = await synthesizeMusic(
        { durationSec: seconds, mood: music.mood, output: ctx.artifactPath('music.m4a') },
        { signal: ctx.signal, onProgress: (p) => ctx.progress(p), settings: ctx.services.binaries() }
      )
      return { data: { mood: track.mood }, files: { track: track.path }, costUsd: 0, provider: `ffmpeg (${binaries.ffmpeg.source})` }
    })
  }
}
