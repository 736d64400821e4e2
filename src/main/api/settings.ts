import { QueueError } from '../engine/errors'
import { settingsView } from '../engine/settings'
import type { Studio } from '../engine/studio'
import { renderSubtitlePreview } from '../engine/subtitle-preview'
import type { Routes } from './handler-map'
import { refuseZodErrors } from './zod-refusal'

/** settings/*: the studio's settings as the Settings page shows them (keys never leave the engine). */
export function settingsRoutes(studio: Studio): Routes<'settings/'> {
  const { settings, services } = studio
  const view = () =>
    settingsView(settings.get(), services.providers().list(), {
      concurrency: studio.pool.getConcurrency(),
      resources: Object.fromEntries(studio.pool.limiter.status().map((r) => [r.resource, { concurrency: r.concurrency, minIntervalMs: r.minIntervalMs }]))
    })
  return {
    'settings/get': () => view(),
    'settings/update': (r) =>
      refuseZodErrors(() => {
        settings.applyPatch(r)
        studio.applyPoolSettings()
        return view()
      }),
    'settings/setApiKey': (r) => {
      if (!services.secrets.set(r.kind, r.key)) throw new QueueError('unavailable', 'this process cannot store keys safely')
      services.invalidateProviders()
      return null
    },
    'settings/previewSubtitles': async (r) => {
      const s = settings.get()
      const { karaoke: _karaoke, ...style } = r.style ?? {}
      // The form's unsaved choices win: the preview shows what Save would give.
      const { png } = await renderSubtitlePreview({
        text: r.text,
        style: { ...s.subtitleStyle, ...style },
        preset: r.videoPreset ?? s.videoPreset,
        renderer: r.captionRenderer ?? s.captionRenderer,
        ffmpeg: services.binaries()
      })
      return { dataUrl: `data:image/png;base64,${png.toString('base64')}` }
    }
  }
}
