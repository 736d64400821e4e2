import type { ToolReport } from '../../shared/types'
import { detectSpeechEngine } from './providers/system-speech'
import type { BinarySettings } from './render/binaries'
import { detectTools } from './render/doctor'

/** `studio doctor` and the settings panel: what this machine can render and speak with. */
export async function doctor(settings: BinarySettings = {}): Promise<ToolReport[]> {
  const [tools, speech] = await Promise.all([detectTools(settings), detectSpeechEngine().catch(() => undefined)])
  const shipped = tools.fonts.shipped.filter((f) => f.present)
  return [
    {
      name: 'ffmpeg',
      ok: tools.ffmpeg.ok,
      detail: tools.ffmpeg.ok ? `${tools.ffmpeg.version} (${tools.ffmpeg.source}) ${tools.ffmpeg.path}` : tools.ffmpeg.error ?? 'not found'
    },
    {
      name: 'ffprobe',
      ok: tools.ffprobe.ok,
      detail: tools.ffprobe.ok ? `${tools.ffprobe.version} (${tools.ffprobe.source}) ${tools.ffprobe.path}` : tools.ffprobe.error ?? 'not found'
    },
    { name: 'libass', ok: tools.libass, detail: tools.libass ? 'subtitles filter available' : 'the chosen ffmpeg has no subtitles filter' },
    {
      name: 'fonts',
      ok: shipped.length > 0,
      detail: `${shipped.map((f) => f.family).join(', ') || 'none shipped'} in ${tools.fonts.dir}` +
        (tools.fonts.fontconfig ? `; system: ${tools.fonts.systemFallbacks.join(', ') || 'no fallback family'}` : '; fontconfig not found')
    },
    {
      name: 'imagemagick',
      ok: tools.imagemagick.ok,
      detail: tools.imagemagick.ok ? `${tools.imagemagick.version} (${tools.imagemagick.command})` : tools.imagemagick.error ?? 'not found'
    },
    { name: 'speech', ok: Boolean(speech), detail: speech ? `offline voice: ${speech}` : 'no offline speech engine found' },
    ...tools.rejected.map((r) => ({ name: 'skipped', ok: true, detail: `${JSON.stringify(r)}` }))
  ]
}
