import type { FfmpegInput, FfmpegJob } from '../render/ffmpeg'
import { secs } from '../render/filtergraph'

/**
 * Pure construction of the assembly: the segments joined by stream copy (the concat demuxer
 * reads `listPath`, already written), the narration laid scene by scene at its exact place
 * (each voice padded or cut to its scene's length), the music under it, muxed. Nothing is
 * re-encoded but the audio.
 */
export interface AssemblePlan {
  listPath: string
  /** One entry per scene, in order: its voice file (or none) and its length in seconds. */
  scenes: ReadonlyArray<{ voice: string | null; seconds: number }>
  music?: { path: string; volume: number; duck: boolean }
  audioBitrate: string
  output: string
}

const AUDIO_FORMAT = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo'

export function buildAssembleJob(plan: AssemblePlan): FfmpegJob {
  const inputs: FfmpegInput[] = [{ path: plan.listPath, options: ['-f', 'concat', '-safe', '0'] }]
  const chains: string[] = []
  const total = plan.scenes.reduce((sum, s) => sum + s.seconds, 0)
  const parts = plan.scenes.map((scene, i) => {
    const label = `[n${i}]`
    if (scene.voice) {
      inputs.push({ path: scene.voice })
      // Counted in samples at 48 kHz: each scene's audio ends exactly where its video does.
      const samples = Math.round(scene.seconds * 48_000)
      chains.push(`[${inputs.length - 1}:a]${AUDIO_FORMAT},apad=whole_len=${samples},atrim=end_sample=${samples}${label}`)
    } else {
      chains.push(`anullsrc=r=48000:cl=stereo,atrim=end_sample=${Math.round(scene.seconds * 48_000)},${AUDIO_FORMAT}${label}`)
    }
    return label
  })
  chains.push(`${parts.join('')}concat=n=${parts.length}:v=0:a=1[narration]`)
  let audio = '[narration]'
  if (plan.music) {
    inputs.push({ path: plan.music.path, options: ['-stream_loop', '-1'] })
    const fadeOut = Math.min(2, total / 3)
    chains.push(
      `[${inputs.length - 1}:a]${AUDIO_FORMAT},atrim=duration=${secs(total)},volume=${plan.music.volume},` +
        `afade=t=out:st=${secs(total - fadeOut)}:d=${secs(fadeOut)}[music]`
    )
    let bed = '[music]'
    let voice = '[narration]'
    if (plan.music.duck) {
      // The narration keys a compressor on the music: the music dips while someone speaks.
      chains.push('[narration]asplit=2[voice][key]')
      chains.push('[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]')
      bed = '[ducked]'
      voice = '[voice]'
    }
    // amerge+pan sums both at unity gain (amix would halve the narration).
    chains.push(`${voice}${bed}amerge=inputs=2,pan=stereo|c0=c0+c2|c1=c1+c3[mixed]`)
    audio = '[mixed]'
  }
  return {
    inputs,
    filterComplex: chains.join(';'),
    outputOptions: [
      '-hide_banner',
      '-nostdin',
      '-map', '0:v',
      '-map', audio,
      '-c:v', 'copy',
      '-c:a', 'aac',
      '-b:a', plan.audioBitrate,
      '-ar', '48000',
      '-ac', '2',
      '-t', secs(total),
      '-movflags', '+faststart'
    ],
    output: plan.output
  }
}

/** The concat demuxer's list: one quoted path per line. */
export function concatList(paths: readonly string[]): string {
  return paths.map((p) => `file '${p.replace(/'/g, "'\\''")}'`).join('\n') + '\n'
}
