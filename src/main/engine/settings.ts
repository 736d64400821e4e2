import { z } from 'zod'
import type { SettingsView } from '../../shared/types'
import type { SettingsPatch } from '../../shared/contract'
import { ProviderSettings, type ProviderInfo, type ProviderSettingsInput } from './providers/registry'
import { SubtitleStyle } from './render/subtitles'
import type { Db } from './store/database'

const SETTINGS_KEY = 'studio.settings'

const Limit = z.strictObject({ concurrency: z.number().int().min(1).max(64), minIntervalMs: z.number().int().min(0).max(600_000) })

/**
 * Everything a user can set, stored as one JSON document in the database. No secret ever goes
 * here: API keys live in the key store (app) or the environment (CLI), see ProviderSettings.
 */
export const StudioSettings = z.strictObject({
  providers: z.custom<ProviderSettingsInput>().default({}),
  ffmpegPath: z.string().min(1).nullable().default(null),
  concurrency: z.number().int().min(1).max(64).nullable().default(null),
  resources: z.record(z.string(), Limit).default({}),
  captionRenderer: z.enum(['libass', 'imagemagick']).default('libass'),
  subtitleStyle: SubtitleStyle.default(SubtitleStyle.parse({})),
  karaoke: z.boolean().default(false),
  videoPreset: z.enum(['short', 'landscape']).default('short'),
  /** Draft renders: half size, fastest encoder settings — for checking a cut before the final render. */
  draft: z.boolean().default(false)
})
export type StudioSettings = z.output<typeof StudioSettings>

export class SettingsStore {
  private cached: StudioSettings | null = null
  /** Bumped on every change so services can rebuild what depends on settings. */
  version = 0

  constructor(private readonly db: Db) {}

  get(): StudioSettings {
    if (this.cached) return this.cached
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(SETTINGS_KEY)
    let parsed: StudioSettings
    try {
      parsed = StudioSettings.parse(row ? JSON.parse(row.value) : {})
      ProviderSettings.parse(parsed.providers)
    } catch (err) {
      // A settings document this build cannot read must not stop the app: fall back to defaults
      // and keep the unreadable copy for the user to inspect.
      console.error('settings unreadable, using defaults:', err)
      this.db
        .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
        .run(`${SETTINGS_KEY}.unreadable.${Date.now()}`, row?.value ?? '')
      parsed = StudioSettings.parse({})
    }
    this.cached = parsed
    return parsed
  }

  /** Validate a whole new settings document, then store it in one write. */
  replace(next: unknown): StudioSettings {
    const parsed = StudioSettings.parse(next)
    ProviderSettings.parse(parsed.providers)
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(SETTINGS_KEY, JSON.stringify(parsed))
    this.cached = parsed
    this.version++
    return parsed
  }

  /** Apply a patch from the UI (contract shape) to the stored settings. */
  applyPatch(patch: z.output<typeof SettingsPatch>): StudioSettings {
    const current = this.get()
    const providers: Record<string, unknown> = { ...(current.providers as Record<string, unknown>) }
    for (const kind of ['text', 'image', 'speech'] as const) {
      const choice = patch.providers?.[kind]
      if (!choice) continue
      const existing = providers[kind] as { kind?: string; apiKeyEnv?: string } | undefined
      providers[kind] =
        choice.kind === 'offline'
          ? { kind: 'offline' }
          : {
              kind: 'openai',
              baseURL: choice.baseURL,
              model: choice.model,
              ...(existing?.kind === 'openai' && existing.apiKeyEnv ? { apiKeyEnv: existing.apiKeyEnv } : {})
            }
    }
    const { karaoke, ...style } = patch.subtitleStyle ?? {}
    return this.replace({
      ...current,
      providers,
      ...(patch.ffmpegPath !== undefined ? { ffmpegPath: patch.ffmpegPath } : {}),
      ...(patch.concurrency !== undefined ? { concurrency: patch.concurrency } : {}),
      ...(patch.resources ? { resources: { ...current.resources, ...patch.resources } } : {}),
      ...(patch.captionRenderer ? { captionRenderer: patch.captionRenderer } : {}),
      ...(patch.videoPreset ? { videoPreset: patch.videoPreset } : {}),
      subtitleStyle: { ...current.subtitleStyle, ...style },
      karaoke: karaoke ?? current.karaoke
    })
  }
}

/** What the renderer may see of the settings: providers without keys (only whether one is stored). */
export function settingsView(
  s: StudioSettings,
  providers: ProviderInfo[],
  effective: { concurrency: number; resources: Record<string, { concurrency: number; minIntervalMs: number }> }
): SettingsView {
  const choice = (kind: 'text' | 'image' | 'speech') => {
    const info = providers.find((p) => p.kind === kind)
    if (!info || info.type !== 'openai') return { kind: 'offline' as const, hasKey: false }
    return { kind: 'openai' as const, baseURL: info.baseURL!, model: info.model!, hasKey: info.hasKey }
  }
  return {
    providers: { text: choice('text'), image: choice('image'), speech: choice('speech') },
    ffmpegPath: s.ffmpegPath,
    concurrency: effective.concurrency,
    resources: effective.resources,
    captionRenderer: s.captionRenderer,
    subtitleStyle: {
      fonts: s.subtitleStyle.fonts,
      bold: s.subtitleStyle.bold,
      fontSize: s.subtitleStyle.fontSize,
      color: s.subtitleStyle.color,
      strokeColor: s.subtitleStyle.strokeColor,
      strokeWidth: s.subtitleStyle.strokeWidth,
      highlightColor: s.subtitleStyle.highlightColor,
      bottomOffset: s.subtitleStyle.bottomOffset,
      margin: s.subtitleStyle.margin,
      karaoke: s.karaoke
    },
    videoPreset: s.videoPreset
  }
}
