/**
 * Which provider serves each kind of generation, from settings. Settings are plain, serialisable
 * data and never hold an API key: keys come from the environment (CLI: OPENAI_API_KEY or the
 * variable named by `apiKeyEnv`) or from a `secrets` getter the app injects (its key store).
 * Nothing this module returns exposes a key — `listProviders()` only says `hasKey`.
 */
import { z } from 'zod'
import { OfflineTextProvider } from './offline-text'
import { DEFAULT_OPENAI_BASE_URL, defaultEndpointName } from './openai-connection'
import { OpenAIImageProvider } from './openai-image'
import { NoModerationProvider, OpenAIModerationProvider } from './openai-moderation'
import { OpenAISpeechProvider } from './openai-speech'
import { OpenAITextProvider } from './openai-text'
import { PriceOverrides, PriceTable } from './pricing'
import { DEFAULT_ELEVENLABS_BASE_URL, DEFAULT_ELEVENLABS_MODEL, ElevenLabsSpeechProvider } from './elevenlabs-speech'
import { Automatic1111ImageProvider, DEFAULT_A1111_BASE_URL } from './automatic1111-image'
import { ComfyUIImageProvider, DEFAULT_COMFYUI_BASE_URL } from './comfyui-image'
import { OfflineMusicProvider } from './offline-music'
import { SharpImageProvider } from './sharp-image'
import { DEFAULT_SUNO_BASE_URL, SunoMusicProvider } from './suno-music'
import { DEFAULT_PEXELS_BASE_URL } from '../stock/pexels-api'
import { SPEECH_ENGINES, SystemSpeechProvider, type SystemSpeechOptions } from './system-speech'
import type { BinarySettings } from '../render/binaries'
import type { ImageProvider, ModerationProvider, MusicProvider, ProviderKind, SpeechProvider, TextProvider } from './types'

export const DEFAULT_API_KEY_ENV = 'OPENAI_API_KEY'

const endpointFields = {
  kind: z.literal('openai'),
  baseURL: z.url({ protocol: /^https?$/ }).default(DEFAULT_OPENAI_BASE_URL),
  model: z.string().min(1),
  /** Label in provider ids: "ollama" → "ollama:llama3.2". */
  name: z.string().regex(/^[\w.@-]{1,40}$/, 'letters, digits, . _ @ - only').optional(),
  /** Environment variable holding the key. Defaults to OPENAI_API_KEY for api.openai.com only: a local server never receives your OpenAI key unless you say so. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
  /**
   * This server does not charge (e.g. a model running on this machine): every call to it costs
   * $0, a known cost, whatever the model — even one the price table prices, since the user said
   * so. Leave it unset for a server that bills: unknown models then show an unknown cost.
   */
  free: z.boolean().optional()
}

export const TextSettings = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offline') }),
  z.strictObject({ ...endpointFields, defaultMaxTokens: z.number().int().positive().optional() })
])
export const ImageSettings = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offline') }),
  z.strictObject({
    kind: z.literal('automatic1111'),
    baseURL: z.url({ protocol: /^https?$/ }).default(DEFAULT_A1111_BASE_URL),
    steps: z.number().int().min(1).max(150).optional(),
    cfgScale: z.number().min(1).max(30).optional(),
    sampler: z.string().min(1).max(100).optional(),
    negativePrompt: z.string().max(2000).optional(),
    timeoutMs: z.number().int().positive().max(3_600_000).optional()
  }),
  z.strictObject({
    kind: z.literal('comfyui'),
    baseURL: z.url({ protocol: /^https?$/ }).default(DEFAULT_COMFYUI_BASE_URL),
    /** A workflow in API format ("Save (API)"), with "%prompt%" where the prompt goes. */
    workflow: z.record(z.string(), z.strictObject({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()), _meta: z.unknown().optional() })).optional(),
    checkpoint: z.string().min(1).max(300).optional(),
    negativePrompt: z.string().max(2000).optional(),
    timeoutMs: z.number().int().positive().max(3_600_000).optional()
  }),
  z.strictObject({ ...endpointFields, size: z.string().regex(/^\d+x\d+$/).optional(), quality: z.string().optional() })
])
const unit = z.number().min(0).max(1)
export const ElevenLabsSettings = z.strictObject({
  kind: z.literal('elevenlabs'),
  baseURL: z.url({ protocol: /^https?$/ }).default(DEFAULT_ELEVENLABS_BASE_URL),
  model: z.string().min(1).default(DEFAULT_ELEVENLABS_MODEL),
  /** A voice id from GET /v1/voices (Settings lists them). */
  voice: z.string().regex(/^[A-Za-z0-9]{10,40}$/, 'a voice id from the voice list').optional(),
  stability: unit.optional(),
  similarityBoost: unit.optional(),
  style: unit.optional(),
  speed: z.number().min(0.7).max(1.2).optional(),
  useSpeakerBoost: z.boolean().optional(),
  sampleRate: z.union([z.literal(16000), z.literal(22050), z.literal(24000), z.literal(44100)]).optional(),
  /** Environment variable holding the key; ELEVENLABS_API_KEY for ElevenLabs' own servers only. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
  timeoutMs: z.number().int().positive().max(3_600_000).optional()
})
export const SpeechSettings = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offline'), engine: z.enum(SPEECH_ENGINES).default('auto'), voice: z.string().min(1).max(100).optional() }),
  z.strictObject({ ...endpointFields, voice: z.string().min(1).optional() }),
  ElevenLabsSettings
])
export const ModerationSettings = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ ...endpointFields, model: z.string().min(1).default('omni-moderation-latest') })
])

export const MusicSettings = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offline') }),
  z.strictObject({
    kind: z.literal('suno'),
    /** A suno-api server (gcui-art/suno-api) or anything answering the same endpoints. */
    baseURL: z.url({ protocol: /^https?$/ }).default(DEFAULT_SUNO_BASE_URL),
    model: z.string().min(1).optional(),
    /** Environment variable with a Bearer token, for a hosted server behind a key. */
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
    pollMs: z.number().int().min(10).max(60_000).optional(),
    waitTimeoutMs: z.number().int().min(1_000).max(3_600_000).optional()
  })
])

/** Stock photos and videos for scenes (Pexels): searched and downloaded into a project's media bin. */
export const StockSettings = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('pexels'),
    baseURL: z.url({ protocol: /^https?$/ }).default(DEFAULT_PEXELS_BASE_URL),
    /** Environment variable holding the key; PEXELS_API_KEY for Pexels' own servers only. */
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
    timeoutMs: z.number().int().positive().max(600_000).optional()
  })
])

/** Keys that look like secrets; `apiKeyEnv` (a variable *name*) is fine. */
const SECRET_KEY = /^(api[-_]?key|secret|token|password|authorization|bearer)$/i

function rejectSecrets(value: unknown, ctx: z.RefinementCtx, path: (string | number)[] = []): void {
  if (!value || typeof value !== 'object') return
  for (const [key, child] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) {
      ctx.addIssue({ code: 'custom', path: [...path, key], message: 'API keys are never stored in settings: set the environment variable named by apiKeyEnv (default OPENAI_API_KEY) or use the app key store' })
    } else rejectSecrets(child, ctx, [...path, key])
  }
}

export const ProviderSettings = z.preprocess(
  (input, ctx) => {
    rejectSecrets(input, ctx)
    return input
  },
  z.strictObject({
    text: TextSettings.default({ kind: 'offline' }),
    image: ImageSettings.default({ kind: 'offline' }),
    speech: SpeechSettings.default({ kind: 'offline', engine: 'auto' }),
    moderation: ModerationSettings.default({ kind: 'none' }),
    music: MusicSettings.default({ kind: 'offline' }),
    stock: StockSettings.default({ kind: 'pexels', baseURL: DEFAULT_PEXELS_BASE_URL }),
    /** Per-model price overrides (USD), merged over the built-in table. */
    pricing: PriceOverrides.optional()
  })
)
export type ProviderSettings = z.infer<typeof ProviderSettings>
export type ProviderSettingsInput = z.input<typeof ProviderSettings>

export const DEFAULT_PROVIDER_SETTINGS: ProviderSettings = ProviderSettings.parse({})

export interface SecretRequest {
  kind: ProviderKind
  /** Environment variable name the settings point at (apiKeyEnv or OPENAI_API_KEY). */
  envName: string
  baseURL: string
}

export interface RegistryOptions {
  /** The app's key store. Returning undefined falls back to the environment. */
  secrets?: (request: SecretRequest) => string | undefined
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv
  /** The ffmpeg the offline music uses (settings' ffmpegPath). */
  binaries?: () => BinarySettings
  /** Options for the offline speech engine (forcing an engine, timeouts). */
  speech?: SystemSpeechOptions
}

export interface ProviderInfo {
  kind: ProviderKind
  id: string
  type: 'offline' | 'openai' | 'none' | 'elevenlabs' | 'suno' | 'automatic1111' | 'comfyui' | 'pexels'
  offline: boolean
  baseURL?: string
  model?: string
  /** The endpoint was marked as not charging (settings `free`). */
  free?: boolean
  hasKey: boolean
}

export interface ProviderSet {
  text: TextProvider
  image: ImageProvider
  speech: SpeechProvider
  moderation: ModerationProvider
  music: MusicProvider
  /** What is configured, without secrets. */
  list(): ProviderInfo[]
}

type Endpoint = z.infer<z.ZodObject<typeof endpointFields>>

/**
 * The OpenAI key goes to OpenAI only over TLS on its usual port: "http://api.openai.com/v1" would
 * put it on the wire in clear, another port could be anyone's listener on that name's path.
 */
export function isOfficialOpenAI(baseURL: string): boolean {
  const url = new URL(baseURL)
  return url.protocol === 'https:' && url.hostname === 'api.openai.com' && url.port === ''
}

function resolveKey(kind: ProviderKind, endpoint: Endpoint, options: RegistryOptions): string | undefined {
  const url = new URL(endpoint.baseURL)
  // A key meant for api.openai.com (from the store or the environment) never travels anywhere else under that name.
  if (url.hostname === 'api.openai.com' && !isOfficialOpenAI(endpoint.baseURL)) return undefined
  const envName = endpoint.apiKeyEnv ?? DEFAULT_API_KEY_ENV
  const fromStore = options.secrets?.({ kind, envName, baseURL: endpoint.baseURL })
  if (fromStore) return fromStore
  if (!endpoint.apiKeyEnv && !isOfficialOpenAI(endpoint.baseURL)) return undefined
  return (options.env ?? process.env)[envName] || undefined
}

function connectionConfig(kind: ProviderKind, endpoint: Endpoint, options: RegistryOptions, prices: PriceTable) {
  return {
    baseURL: endpoint.baseURL,
    model: endpoint.model,
    apiKey: resolveKey(kind, endpoint, options),
    prices,
    ...(endpoint.name ? { name: endpoint.name } : {}),
    ...(endpoint.timeoutMs ? { timeoutMs: endpoint.timeoutMs } : {}),
    ...(endpoint.free ? { free: true } : {})
  }
}

const endpointId = (endpoint: Endpoint): string => `${endpoint.name ?? defaultEndpointName(endpoint.baseURL)}:${endpoint.model}`

/** Build the providers described by `settings` (validated here; pass raw JSON if you like). */
export function createProviders(settings: ProviderSettingsInput = {}, options: RegistryOptions = {}): ProviderSet {
  const parsed = ProviderSettings.parse(settings)
  const prices = new PriceTable(parsed.pricing ?? {})

  const text: TextProvider =
    parsed.text.kind === 'offline'
      ? new OfflineTextProvider()
      : new OpenAITextProvider({ ...connectionConfig('text', parsed.text, options, prices), ...(parsed.text.defaultMaxTokens ? { defaultMaxTokens: parsed.text.defaultMaxTokens } : {}) })
  const image: ImageProvider =
    parsed.image.kind === 'offline'
      ? new SharpImageProvider()
      : parsed.image.kind === 'automatic1111'
        ? new Automatic1111ImageProvider(parsed.image)
        : parsed.image.kind === 'comfyui'
          ? new ComfyUIImageProvider(parsed.image)
          : new OpenAIImageProvider({ ...connectionConfig('image', parsed.image, options, prices), size: parsed.image.size, quality: parsed.image.quality })
  const speech: SpeechProvider =
    parsed.speech.kind === 'offline'
      ? new SystemSpeechProvider({ ...options.speech, engine: options.speech?.engine ?? parsed.speech.engine, ...(parsed.speech.voice ? { voice: parsed.speech.voice } : {}) })
      : parsed.speech.kind === 'elevenlabs'
        ? elevenLabs(parsed.speech, options, prices)
        : new OpenAISpeechProvider({ ...connectionConfig('speech', parsed.speech, options, prices), voice: parsed.speech.voice })
  const moderation: ModerationProvider =
    parsed.moderation.kind === 'none' ? new NoModerationProvider() : new OpenAIModerationProvider(connectionConfig('moderation', parsed.moderation, options, prices))

  const music: MusicProvider =
    parsed.music.kind === 'suno'
      ? new SunoMusicProvider({
          baseURL: parsed.music.baseURL,
          apiKey: parsed.music.apiKeyEnv ? (options.env ?? process.env)[parsed.music.apiKeyEnv] || undefined : undefined,
          model: parsed.music.model,
          pollMs: parsed.music.pollMs,
          waitTimeoutMs: parsed.music.waitTimeoutMs,
          prices
        })
      : new OfflineMusicProvider(options.binaries)

  return { text, image, speech, moderation, music, list: () => listProviders(parsed, options) }
}

type ElevenLabsEntry = z.infer<typeof ElevenLabsSettings>

/**
 * A service's key: the app's key store first, then the environment variable the settings name —
 * or `defaultEnv` when the address is the service's own (a server elsewhere never receives the
 * key unless the user names the variable).
 */
export function serviceKey(kind: ProviderKind, baseURL: string, apiKeyEnv: string | undefined, defaultEnv: string, ownHost: RegExp, options: RegistryOptions): string | undefined {
  const envName = apiKeyEnv ?? defaultEnv
  const fromStore = options.secrets?.({ kind, envName, baseURL })
  if (fromStore) return fromStore
  if (!apiKeyEnv && !ownHost.test(new URL(baseURL).hostname)) return undefined
  return (options.env ?? process.env)[envName] || undefined
}

/** Where stock searches go and the key they carry (none when no key is set for that server). */
export function stockConnection(settings: ProviderSettingsInput, options: RegistryOptions): { baseURL: string; apiKey: string | undefined; timeoutMs?: number } | null {
  const entry = ProviderSettings.parse(settings).stock
  if (entry.kind === 'none') return null
  return {
    baseURL: entry.baseURL,
    apiKey: serviceKey('stock', entry.baseURL, entry.apiKeyEnv, 'PEXELS_API_KEY', /(^|\.)pexels\.com$/, options),
    ...(entry.timeoutMs ? { timeoutMs: entry.timeoutMs } : {})
  }
}

const elevenLabsKey = (entry: ElevenLabsEntry, options: RegistryOptions) =>
  serviceKey('speech', entry.baseURL, entry.apiKeyEnv, 'ELEVENLABS_API_KEY', /(^|\.)elevenlabs\.io$/, options)

function elevenLabs(entry: ElevenLabsEntry, options: RegistryOptions, prices: PriceTable): ElevenLabsSpeechProvider {
  return new ElevenLabsSpeechProvider({
    baseURL: entry.baseURL,
    apiKey: elevenLabsKey(entry, options),
    model: entry.model,
    voice: entry.voice,
    voiceSettings: { stability: entry.stability, similarityBoost: entry.similarityBoost, style: entry.style, speed: entry.speed, useSpeakerBoost: entry.useSpeakerBoost },
    sampleRate: entry.sampleRate,
    timeoutMs: entry.timeoutMs,
    prices
  })
}

/** Ids, kinds, endpoints and whether a key is available — never the key itself. */
export function listProviders(settings: ProviderSettingsInput = {}, options: RegistryOptions = {}): ProviderInfo[] {
  const parsed = ProviderSettings.parse(settings)
  const describe = (kind: ProviderKind, entry: ProviderSettings['text' | 'image' | 'speech' | 'moderation'], offlineId: string): ProviderInfo => {
    if (entry.kind === 'automatic1111' || entry.kind === 'comfyui') {
      const id = (entry.kind === 'comfyui' ? new ComfyUIImageProvider(entry) : new Automatic1111ImageProvider(entry)).id
      return { kind, id, type: entry.kind, offline: false, baseURL: entry.baseURL, free: true, hasKey: false }
    }
    if (entry.kind === 'elevenlabs') {
      return { kind, id: `elevenlabs:${entry.model}`, type: 'elevenlabs', offline: false, baseURL: entry.baseURL, model: entry.model, hasKey: Boolean(elevenLabsKey(entry, options)) }
    }
    if (entry.kind === 'openai') {
      return { kind, id: endpointId(entry), type: 'openai', offline: false, baseURL: entry.baseURL, model: entry.model, ...(entry.free ? { free: true } : {}), hasKey: Boolean(resolveKey(kind, entry, options)) }
    }
    return { kind, id: offlineId, type: entry.kind === 'none' ? 'none' : 'offline', offline: true, hasKey: false }
  }
  return [
    describe('text', parsed.text, 'offline-templates'),
    describe('image', parsed.image, 'sharp-title-card'),
    describe('speech', parsed.speech, 'system-speech'),
    describe('moderation', parsed.moderation, 'moderation-off'),
    parsed.music.kind === 'suno'
      ? { kind: 'music', id: new SunoMusicProvider({ baseURL: parsed.music.baseURL }).id, type: 'suno', offline: false, baseURL: parsed.music.baseURL, hasKey: Boolean(parsed.music.apiKeyEnv && (options.env ?? process.env)[parsed.music.apiKeyEnv]) }
      : { kind: 'music', id: 'ffmpeg-synth', type: 'offline', offline: true, hasKey: false },
    ...stockInfo(parsed, options)
  ]
}

function stockInfo(parsed: ProviderSettings, options: RegistryOptions): ProviderInfo[] {
  const c = stockConnection(parsed, options)
  return c ? [{ kind: 'stock', id: 'pexels', type: 'pexels', offline: false, baseURL: c.baseURL, free: true, hasKey: Boolean(c.apiKey) }] : []
}
