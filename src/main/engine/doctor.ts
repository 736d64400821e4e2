import type { ToolReport } from '../../shared/types'
import { ProviderSettings } from './providers/registry'
import { detectSpeechEngine } from './providers/system-speech'
import type { BinarySettings } from './render/binaries'
import { detectTools } from './render/doctor'

/** `studio doctor` and the settings panel: what this machine can render and speak with. */
/** The speech settings stored in `providers` (settings.get().providers), or undefined when unreadable. */
export function speechSettingsOf(providers: unknown): ProviderSettings['speech'] | undefined {
  const parsed = ProviderSettings.safeParse(providers)
  return parsed.success ? parsed.data.speech : undefined
}

export async function doctor(settings: BinarySettings = {}, speech: ProviderSettings['speech'] = { kind: 'offline', engine: 'auto' }): Promise<ToolReport[]> {
  const [tools, speechRow] = await Promise.all([detectTools(settings), speechReport(speech)])
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
    speechRow,
    ...tools.rejected.map((r) => ({ name: 'skipped', ok: true, detail: `${JSON.stringify(r)}` }))
  ]
}

/**
 * The voice narration will actually use with these settings: the engine chosen in settings (or,
 * for auto, the one found first), or the online endpoint. Reporting what auto finds when the
 * user forced mespeak would send them looking at the wrong program.
 */
async function speechReport(speech: ProviderSettings['speech']): Promise<ToolReport> {
  if (speech.kind === 'openai' || speech.kind === 'elevenlabs') {
    return { name: 'speech', ok: true, detail: `online: ${speech.model} at ${speech.baseURL} (no offline engine is used)` }
  }
  const found = await detectSpeechEngine({ engine: speech.engine }).catch(() => undefined)
  const how = speech.engine === 'auto' ? 'found by auto' : 'chosen in settings'
  if (found) return { name: 'speech', ok: true, detail: `offline voice: ${found} (${how})` }
  return {
    name: 'speech',
    ok: false,
    detail: speech.engine === 'auto' ? 'no offline speech engine found' : `${speech.engine} is chosen in settings but is not available on this machine`
  }
}
