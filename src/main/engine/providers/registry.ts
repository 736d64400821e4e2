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
import { SharpImageProvider } from './sharp-image'
import { SPEECH_ENGINES, SystemSpeechProvider, type SystemSpeechOptions } from './system-speech'
import type { ImageProvider, ModerationProvider, ProviderKind, SpeechProvider, TextProvider } from './types'

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
  z.strictObject({ ...endpointFields, size: z.string().regex(/^\d+x\d+$/).optional(), quality: z.string().optional() })
])
export const SpeechSettings = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offline'), engine: z.enum(SPEECH_ENGINES).default('auto') }),
  z.strictObject({ ...endpointFields, voice: z.string().min(1).optional() })
])
export const ModerationSettings = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ ...endpointFields, model: z.string().min(1).default('omni-moderation-latest') })
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
  /** Options for the offline speech engine (forcing an engine, timeouts). */
  speech?: SystemSpeechOptions
}

export interface ProviderInfo {
  kind: ProviderKind
  id: string
  type: 'offline' | 'openai' | 'none'
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
      : new OpenAIImageProvider({ ...connectionConfig('image', parsed.image, options, prices), size: parsed.image.size, quality: parsed.image.quality })
  const speech: SpeechProvider =
    parsed.speech.kind === 'offline'
      ? new SystemSpeechProvider({ ...options.speech, engine: options.speech?.engine ?? parsed.speech.engine })
      : new OpenAISpeechProvider({ ...connectionConfig('speech', parsed.speech, options, prices), voice: parsed.speech.voice })
  const moderation: ModerationProvider =
    parsed.moderation.kind === 'none' ? new NoModerationProvider() : new OpenAIModerationProvider(connectionConfig('moderation', parsed.moderation, options, prices))

  return { text, image, speech, moderation, list: () => listProviders(parsed, options) }
}

/** Ids, kinds, endpoints and whether a key is available — never the key itself. */
export function listProviders(settings: ProviderSettingsInput = {}, options: RegistryOptions = {}): ProviderInfo[] {
  const parsed = ProviderSettings.parse(settings)
  const describe = (kind: ProviderKind, entry: ProviderSettings[ProviderKind], offlineId: string): ProviderInfo => {
    if (entry.kind === 'openai') {
      return { kind, id: endpointId(entry), type: 'openai', offline: false, baseURL: entry.baseURL, model: entry.model, ...(entry.free ? { free: true } : {}), hasKey: Boolean(resolveKey(kind, entry, options)) }
    }
    return { kind, id: offlineId, type: entry.kind === 'none' ? 'none' : 'offline', offline: true, hasKey: false }
  }
  return [
    describe('text', parsed.text, 'offline-templates'),
    describe('image', parsed.image, 'sharp-title-card'),
    describe('speech', parsed.speech, 'system-speech'),
    describe('moderation', parsed.moderation, 'moderation-off')
  ]
}
