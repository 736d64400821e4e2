/** The offline music: ffmpeg's chord pad (render/music.ts), behind the music provider interface. */
import type { BinarySettings } from '../render/binaries'
import { synthesizeMusic } from '../render/music'
import type { MusicCallOptions, MusicProvider, MusicRequest, MusicResult } from './types'

export const OFFLINE_MUSIC_PROVIDER_ID = 'ffmpeg-synth'

export class OfflineMusicProvider implements MusicProvider {
  readonly id = OFFLINE_MUSIC_PROVIDER_ID
  readonly offline = true

  constructor(private readonly binaries: () => BinarySettings = () => ({})) {}

  async probe(): Promise<void> {}

  async generate(request: MusicRequest, options: MusicCallOptions): Promise<MusicResult> {
    const r = await synthesizeMusic(
      { durationSec: request.durationSec, mood: request.mood, output: `${options.outBase}.wav` },
      { signal: options.signal, ...(options.onProgress ? { onProgress: (p: number) => options.onProgress!(p) } : {}), settings: this.binaries() }
    )
    return { path: r.path, durationSec: r.durationSec, title: r.mood, costUsd: 0, priceKnown: true, provider: this.id, offline: true }
  }
}
