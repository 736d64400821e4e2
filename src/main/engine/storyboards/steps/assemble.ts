import { writeFile } from 'node:fs/promises'
import { logEntry } from '../../../../shared/log-lines'
import { permanent } from '../../errors'
import type { StepDefinition } from '../../pipelines/types'
import { resolveBinaries } from '../../render/binaries'
import type { Cue } from '../../render/cues'
import { probe, runFfmpeg } from '../../render/ffmpeg'
import { secs } from '../../render/filtergraph'
import { toSrt } from '../../render/subtitles'
import type { StudioServices } from '../../services'
import { buildAssembleJob, concatList } from '../assemble-graph'
import { contentKey } from '../keys'
import { scenesToRender } from '../render-input'
import { artifactOf, cachedStep, fpsOf, frameOf, renderInput, type Ctx } from './common'

/** The key of an assembly: its segments and voices in order, its music and how loud. */
export function assembleKeyOf(segments: string[], voices: Array<string | null>, music: { key: string; volume: number; duck: boolean } | null, fps: number): string {
  return contentKey('assemble', { segments, voices, music, fps })
}

/** The segments joined (stream copy), the narration and music mixed under them, the SRT and a poster frame. */
export const assembleStep: StepDefinition<StudioServices> = {
  name: 'assemble',
  title: 'Assemble',
  resource: 'ffmpeg',
  estimateMs: 1_500,
  async run(ctx: Ctx) {
    const input = renderInput(ctx)
    const fps = fpsOf(input)
    const scenes = scenesToRender(input).map((scene) => {
      const segment = artifactOf(ctx, `segment:${scene.id}`)
      if (!segment?.paths.segment) throw permanent(`the segment of scene ${scene.id} is missing`)
      const voice = scene.narration.trim() ? artifactOf(ctx, `voice:${scene.id}`) : null
      return { segment, voice, seconds: Number(segment.frames) / fps }
    })
    const music = input.settings.music.kind === 'none' ? null : artifactOf(ctx, 'music')
    const musicSetting = input.settings.music.kind === 'none' ? null : input.settings.music
    const key = assembleKeyOf(
      scenes.map((s) => s.segment.key),
      scenes.map((s) => s.voice?.key ?? null),
      music && musicSetting ? { key: music.key, volume: musicSetting.volume, duck: musicSetting.duck } : null,
      fps
    )
    return cachedStep(ctx, 'assemble', key, null, async () => {
      const binaries = await resolveBinaries(ctx.services.binaries())
      const listPath = ctx.artifactPath('segments.txt')
      await writeFile(listPath, concatList(scenes.map((s) => s.segment.paths.segment!)))
      const output = ctx.artifactPath('video.mp4')
      const total = scenes.reduce((sum, s) => sum + s.seconds, 0)
      await runFfmpeg(
        buildAssembleJob({
          listPath,
          scenes: scenes.map((s) => ({ voice: s.voice?.paths.voice ?? null, seconds: s.seconds })),
          ...(music?.paths.track && musicSetting ? { music: { path: music.paths.track, volume: musicSetting.volume, duck: musicSetting.duck } } : {}),
          audioBitrate: input.draft ? '96k' : '192k',
          output
        }),
        { ffmpegPath: binaries.ffmpeg.path, signal: ctx.signal, expectedDurationSec: total, onProgress: (p) => ctx.progress(p * 0.9) }
      )
      // The captions of every scene, at the scene's place in the video.
      const cues: Cue[] = []
      let start = 0
      for (const s of scenes) {
        for (const cue of (s.segment.cues as Cue[] | undefined) ?? []) cues.push({ start: cue.start + start, end: cue.end + start, text: cue.text })
        start += s.seconds
      }
      const files: Record<string, string> = { video: output }
      if (cues.length) {
        files.subtitles = ctx.artifactPath('video.srt')
        await writeFile(files.subtitles, toSrt(cues), 'utf8')
      }
      // The poster: a frame from the middle of the first scene.
      files.poster = ctx.artifactPath('poster.jpg')
      await runFfmpeg(
        { inputs: [{ path: output, options: ['-ss', secs(Math.min(total / 2, scenes[0]!.seconds / 2))] }], outputOptions: ['-hide_banner', '-nostdin', '-frames:v', '1', '-q:v', '3'], output: files.poster },
        { ffmpegPath: binaries.ffmpeg.path, signal: ctx.signal }
      )
      const info = await probe(output, { ffprobePath: binaries.ffprobe.path })
      const video = info.streams.find((s) => s.type === 'video')
      const frame = frameOf(input)
      const width = video?.width ?? frame.width
      const height = video?.height ?? frame.height
      ctx.log(logEntry('storyboardRendered', { scenes: scenes.length, width, height, seconds: info.durationSec.toFixed(1) }))
      return {
        data: { durationSec: info.durationSec, width, height, scenes: scenes.length, draft: input.draft },
        files,
        costUsd: 0,
        provider: `ffmpeg (${binaries.ffmpeg.source})`
      }
    })
  }
}
