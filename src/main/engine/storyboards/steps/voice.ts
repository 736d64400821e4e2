import { logEntry } from '../../../../shared/log-lines'
import { permanent } from '../../errors'
import { moderateBeforePaidStep, paidBy } from '../../pipelines/builtin/moderation'
import type { StepDefinition } from '../../pipelines/types'
import { adapt } from '../../providers/speech-text'
import { resolveBinaries } from '../../render/binaries'
import { runFfmpeg } from '../../render/ffmpeg'
import type { StudioServices } from '../../services'
import { contentKey } from '../keys'
import type { RenderInput } from '../render-input'
import { cachedStep, renderInput, sceneOf, type Ctx } from './common'

/** What a scene's voice says and how: the key of its narration. */
export function voiceKeyOf(input: RenderInput, narration: string, provider: string): string {
  const { voice, speed } = input.settings.voice
  return contentKey('voice', { text: adapt(narration, input.settings.language), language: input.settings.language, voice: voice ?? null, speed, provider })
}

/** A scene's narration, spoken by the speech provider (numbers and abbreviations spelled out). */
export const voiceStep: StepDefinition<StudioServices> = {
  name: 'voice',
  title: 'Voice',
  resource: 'tts',
  estimateMs: 1_500,
  ...paidBy('speech'),
  async run(ctx: Ctx) {
    const input = renderInput(ctx)
    const { scene, number } = sceneOf(ctx)
    const provider = ctx.services.providers().speech
    const spoken = adapt(scene.narration, input.settings.language)
    const key = voiceKeyOf(input, scene.narration, provider.id)
    return cachedStep(ctx, 'voice', key, number, async () => {
      if (!spoken.trim()) throw permanent(`scene ${number}: nothing left to say once the narration was adapted for speech`)
      await moderateBeforePaidStep(ctx, 'speech', spoken)
      const { voice, speed } = input.settings.voice
      const said = await provider.synthesize(
        { text: spoken, language: input.settings.language, ...(voice ? { voice } : {}), outPath: ctx.artifactPath('voice.wav') },
        { signal: ctx.signal }
      )
      if (!(said.durationSec > 0.1)) throw permanent(`${said.provider} produced no audible narration for scene ${number}`)
      let path = said.path
      let durationSec = said.durationSec
      let words = said.words ?? null
      if (speed !== 1) {
        // atempo changes the pace without changing the pitch; word timings follow.
        path = ctx.artifactPath('voice-paced.wav')
        const binaries = await resolveBinaries(ctx.services.binaries())
        await runFfmpeg(
          { inputs: [{ path: said.path }], outputOptions: ['-hide_banner', '-nostdin', '-filter:a', `atempo=${speed}`, '-c:a', 'pcm_s16le'], output: path },
          { ffmpegPath: binaries.ffmpeg.path, signal: ctx.signal }
        )
        durationSec /= speed
        words = words?.map((w) => ({ text: w.text, start: w.start / speed, end: w.end / speed })) ?? null
      }
      ctx.log(logEntry('narration', { provider: said.provider, seconds: durationSec.toFixed(1) }))
      return {
        data: { durationSec, words },
        files: { voice: path },
        costUsd: said.costUsd,
        costKnown: said.priceKnown,
        provider: said.provider
      }
    })
  }
}
