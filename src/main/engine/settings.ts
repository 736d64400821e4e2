import { statSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import { z } from 'zod'
import type { ProviderChoiceView, SettingsView } from '../../shared/types'
import type { SettingsPatch } from '../../shared/contract'
import { QueueError } from './errors'
import { DEFAULT_OPENAI_BASE_URL } from './providers/openai-connection'
import { DEFAULT_PEXELS_BASE_URL } from './stock/pexels-api'
import { DEFAULT_ELEVENLABS_BASE_URL } from './providers/elevenlabs-speech'
import { ProviderSettings, type ProviderInfo, type ProviderSettingsInput } from './providers/registry'
import { explicitBinaryProblem } from './render/binaries'
import { BudgetSettings } from './pool/budget'
import { SubtitleStyle } from './render/subtitles'
import { refuseSecretShaped } from './secret-shape'
import type { SettingsRecords } from './store/settings'

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
  draft: z.boolean().default(false),
  /** Spend caps (USD): daily and monthly, overall and per provider. Unset = no cap. */
  budget: BudgetSettings.default({ providers: {} }),
  /**
   * The studio farm this studio is connected to: its queue URL without the password (kept with the
   * keys), and where the farm's shared folder is mounted on this computer (null: this studio's
   * data folder is the share), checked when saved (farm/share-mark.ts).
   */
  farm: z
    .strictObject({ queueUrl: z.string().max(2048).nullable(), sharedDir: z.string().max(4096).nullable().default(null) })
    .default({ queueUrl: null, sharedDir: null })
})
export type StudioSettings = z.output<typeof StudioSettings>

/** The provider kinds that have a stored key of their own (moderation uses the environment). */
export type KeyedKind = 'text' | 'image' | 'speech' | 'stock'
const KEYED_KINDS: readonly KeyedKind[] = ['text', 'image', 'speech', 'stock']

export interface SettingsStoreOptions {
  /** Forget the stored API key of a kind (the app's keychain, or this process's memory); true when there was one. */
  forgetKey?: (kind: KeyedKind) => boolean
  log?: (message: string) => void
}

export class SettingsStore {
  private cached: StudioSettings | null = null
  /** Bumped on every change so services can rebuild what depends on settings. */
  version = 0

  constructor(
    private readonly records: SettingsRecords,
    private readonly options: SettingsStoreOptions = {}
  ) {}

  /** The stored document as last read or written: tells whether another process changed it. */
  private cachedText: string | undefined = undefined

  private storedText(): string | undefined {
    return this.records.read(SETTINGS_KEY)
  }

  /**
   * Another process may have saved settings (`studio settings` next to the app): read them again
   * when the stored document differs from ours. True when it did; services rebuild on `version`.
   */
  refresh(): boolean {
    if (this.cached === null || this.storedText() === this.cachedText) return false
    this.cached = null
    this.version++
    return true
  }

  get(): StudioSettings {
    if (this.cached) return this.cached
    const text = this.storedText()
    let parsed: StudioSettings
    try {
      parsed = StudioSettings.parse(text !== undefined ? JSON.parse(text) : {})
      ProviderSettings.parse(parsed.providers)
    } catch (err) {
      // A settings document this build cannot read must not stop the app: fall back to defaults
      // and keep the unreadable copy for the user to inspect.
      console.error('settings unreadable, using defaults:', err)
      this.records.write(`${SETTINGS_KEY}.unreadable.${Date.now()}`, text ?? '')
      parsed = StudioSettings.parse({})
    }
    this.cached = parsed
    this.cachedText = text
    return parsed
  }

  /**
   * Validate a whole new settings document, then store it in one write.
   *
   * A stored API key belongs to the server it was entered for. When a kind's endpoint moves to
   * another origin (another host, port or scheme; or from offline to a server, since a key kept
   * while offline was entered for no server in particular), its key is forgotten before the new
   * address is saved, so it is never sent there: otherwise a page that can change settings could
   * point the provider at itself and receive the key with the next request. The user enters the
   * key again (Settings then shows "no key stored" for that kind).
   */
  replace(next: unknown): StudioSettings {
    // Settings are stored in clear: a key pasted into the wrong field must never reach the file.
    refuseSecretShaped(next)
    const parsed = StudioSettings.parse(next)
    const after = ProviderSettings.parse(parsed.providers)
    const before = ProviderSettings.parse(this.get().providers)
    for (const kind of KEYED_KINDS) {
      const origin = endpointOrigin(after[kind])
      if (origin === endpointOrigin(before[kind])) continue
      const forgotten = this.options.forgetKey?.(kind) ?? false
      if (forgotten && origin !== null) this.log(`the stored ${kind} API key was forgotten: the ${kind} provider now points at ${origin}; enter the key again`)
    }
    const text = JSON.stringify(parsed)
    this.records.write(SETTINGS_KEY, text)
    this.cached = parsed
    this.cachedText = text
    this.version++
    return parsed
  }

  /** Apply a patch from the UI (contract shape) to the stored settings. */
  applyPatch(patch: z.output<typeof SettingsPatch>): StudioSettings {
    refuseSecretShaped(patch)
    if (patch.ffmpegPath) checkFfmpegPath(patch.ffmpegPath)
    const current = this.get()
    const providers: Record<string, unknown> = { ...(current.providers as Record<string, unknown>) }
    for (const kind of ['text', 'image', 'speech', 'music', 'stock'] as const) {
      const choice = patch.providers?.[kind]
      if (!choice) continue
      providers[kind] = providerFromChoice(choice, providers[kind] as StoredEntry | undefined)
    }
    const { karaoke, ...style } = patch.subtitleStyle ?? {}
    return this.replace({
      ...current,
      providers,
      ...(patch.ffmpegPath !== undefined ? { ffmpegPath: patch.ffmpegPath } : {}),
      ...(patch.concurrency !== undefined ? { concurrency: patch.concurrency } : {}),
      ...(patch.budget ? { budget: { providers: {}, ...patch.budget } } : {}),
      ...(patch.resources ? { resources: { ...current.resources, ...patch.resources } } : {}),
      ...(patch.captionRenderer ? { captionRenderer: patch.captionRenderer } : {}),
      ...(patch.videoPreset ? { videoPreset: patch.videoPreset } : {}),
      subtitleStyle: { ...current.subtitleStyle, ...style },
      karaoke: karaoke ?? current.karaoke
    })
  }

  private log(message: string): void {
    ;(this.options.log ?? console.warn)(message)
  }
}

type StoredEntry = { kind?: string; baseURL?: string; apiKeyEnv?: string; free?: boolean } & Record<string, unknown>
type ProviderChoiceInput = NonNullable<NonNullable<z.output<typeof SettingsPatch>['providers']>['speech' | 'image' | 'text' | 'music' | 'stock']>

/**
 * A provider entry from the form's choice. What the form does not show (a voice's stability, a
 * timeout, an image size, the offline speech engine) is kept when the kind stays the same. Two
 * things follow the server and never move to another: the variable naming a key (`apiKeyEnv`:
 * a page that could point a provider at itself and name OPENAI_API_KEY would receive that key)
 * and "this server does not charge".
 */
function providerFromChoice(choice: ProviderChoiceInput, existing: StoredEntry | undefined): Record<string, unknown> {
  const kept: StoredEntry = existing?.kind === choice.kind ? { ...existing } : {}
  const { apiKeyEnv, free, ...others } = kept
  const sameServer = 'baseURL' in choice && choice.baseURL !== undefined ? endpointOrigin(existing) === endpointOrigin({ kind: choice.kind, baseURL: choice.baseURL }) : existing?.kind === choice.kind
  const keyEnv = apiKeyEnv && sameServer ? { apiKeyEnv } : {}
  switch (choice.kind) {
    case 'offline': {
      const next: Record<string, unknown> = { ...kept, kind: 'offline' }
      if ('engine' in choice && choice.engine) next.engine = choice.engine
      if ('voice' in choice && choice.voice !== undefined) {
        if (choice.voice === null) delete next.voice
        else next.voice = choice.voice
      }
      return next
    }
    case 'openai': {
      // "This server does not charge" was said of one server: a patch that does not say it again
      // keeps it for that server only, so a switch made for a local model never makes a paid
      // remote one look free.
      const isFree = choice.free ?? (sameServer && free === true)
      return { ...others, kind: 'openai', baseURL: choice.baseURL, model: choice.model, ...keyEnv, ...(isFree ? { free: true } : {}) }
    }
    case 'elevenlabs': {
      const next: Record<string, unknown> = { ...others, kind: 'elevenlabs', ...keyEnv }
      if (choice.baseURL) next.baseURL = choice.baseURL
      if (choice.model) next.model = choice.model
      if (choice.voice === null) delete next.voice
      else if (choice.voice) next.voice = choice.voice
      return next
    }
    case 'automatic1111':
      return { ...others, kind: 'automatic1111', baseURL: choice.baseURL }
    case 'comfyui': {
      const next: Record<string, unknown> = { ...others, kind: 'comfyui', baseURL: choice.baseURL }
      if (choice.workflow === null) delete next.workflow
      else if (choice.workflow) next.workflow = choice.workflow
      return next
    }
    case 'suno':
      return { ...others, kind: 'suno', baseURL: choice.baseURL, ...keyEnv }
    case 'pexels':
      return { ...kept, kind: 'pexels' }
    case 'none':
      return { kind: 'none' }
  }
}

const DEFAULT_BASE_URLS: Record<string, string> = { openai: DEFAULT_OPENAI_BASE_URL, pexels: DEFAULT_PEXELS_BASE_URL, elevenlabs: DEFAULT_ELEVENLABS_BASE_URL }

/** Where a provider entry sends its requests (and so its key), or null when it calls no server that takes a stored key. */
function endpointOrigin(entry: { kind?: string; baseURL?: string | undefined } | undefined): string | null {
  const fallback = entry?.kind ? DEFAULT_BASE_URLS[entry.kind] : undefined
  if (!fallback) return null
  try {
    return new URL(entry!.baseURL ?? fallback).origin
  } catch {
    return null
  }
}

/**
 * The window can write this setting and the engine executes what it names, so it must be an
 * ffmpeg program that exists on this computer (see explicitBinaryProblem), not `/bin/sh`.
 */
function checkFfmpegPath(file: string): void {
  const problem = !isAbsolute(file) ? 'must be a full path' : explicitBinaryProblem('ffmpeg', file)
  if (problem) throw new QueueError('bad_request', `ffmpegPath: ${problem}`)
  let isFile = false
  try {
    isFile = statSync(file).isFile()
  } catch {
    // missing or unreadable: same answer
  }
  if (!isFile) throw new QueueError('bad_request', `ffmpegPath: no such file: ${file}`)
}

/** What the renderer may see of the settings: providers without keys (only whether one is stored). */
export function settingsView(
  s: StudioSettings,
  providers: ProviderInfo[],
  effective: { concurrency: number; resources: Record<string, { concurrency: number; minIntervalMs: number }> }
): SettingsView {
  const stored = ProviderSettings.parse(s.providers)
  const choice = (kind: 'text' | 'image' | 'speech' | 'music' | 'stock'): ProviderChoiceView => {
    const info = providers.find((p) => p.kind === kind)
    const entry = stored[kind] as StoredEntry
    const hasKey = info?.hasKey ?? false
    switch (entry.kind) {
      case 'openai':
        return { kind: 'openai', baseURL: info?.baseURL ?? String(entry.baseURL), model: info?.model ?? String(entry.model), ...(entry.free ? { free: true } : {}), hasKey }
      case 'elevenlabs':
        return { kind: 'elevenlabs', baseURL: String(entry.baseURL), model: String(entry.model), ...(typeof entry.voice === 'string' ? { voice: entry.voice } : {}), hasKey }
      case 'automatic1111':
      case 'suno':
        return { kind: entry.kind, baseURL: String(entry.baseURL), hasKey }
      case 'comfyui':
        return { kind: 'comfyui', baseURL: String(entry.baseURL), hasWorkflow: entry.workflow !== undefined, hasKey }
      case 'pexels':
        return { kind: 'pexels', baseURL: String(entry.baseURL), hasKey }
      case 'none':
        return { kind: 'none', hasKey: false }
      default:
        return {
          kind: 'offline',
          ...(typeof entry.engine === 'string' ? { engine: entry.engine } : {}),
          ...(typeof entry.voice === 'string' ? { voice: entry.voice } : {}),
          hasKey: false
        }
    }
  }
  const caps = (c: { dailyUsd?: number | null | undefined; monthlyUsd?: number | null | undefined }) => ({ dailyUsd: c.dailyUsd ?? null, monthlyUsd: c.monthlyUsd ?? null })
  return {
    providers: { text: choice('text'), image: choice('image'), speech: choice('speech'), music: choice('music'), stock: choice('stock') },
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
    videoPreset: s.videoPreset,
    budget: { ...caps(s.budget), providers: Object.fromEntries(Object.entries(s.budget.providers).map(([p, c]) => [p, caps(c)])) }
  }
}
