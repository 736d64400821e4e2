/**
 * Narration through ElevenLabs with the official SDK. The with-timestamps endpoint returns the
 * audio and the time of every character; the characters are grouped into words, and those real
 * timings drive the captions (karaoke included) instead of proportional guesses.
 *
 * Audio is asked as raw PCM (pcm_24000: 16-bit mono) and wrapped in a WAV header here, so no
 * decoder is needed. Errors as ElevenLabs sends them: 401 invalid key → permanent ("check the
 * key"); 401 quota_exceeded → the job waits (provider-unavailable) with that reason; 429 keeps
 * Retry-After; 5xx, timeouts and dropped connections are retried by the engine (the SDK's own
 * retries are off: the engine counts attempts per step).
 */
import type { ElevenLabsClient } from '@elevenlabs/elevenlabs-js'
import { kindForHttpStatus, parseRetryAfter, permanent, retryable, type StepError } from '../errors'
import { writeFileAtomic } from './atomic-write'
import { wordsFromAlignment } from './char-alignment'
import { describeBody, httpStepError, transportError } from './http-errors'
import { PriceTable } from './pricing'
import { splitForSpeech } from './speech-text'
import type { SpeechCallOptions, SpeechProvider, SpeechRequest, SpeechResult, WordTiming } from './types'
import { encodeWav } from './wav'
import { lazyPackage } from '../lazy-package'

// The SDK takes seconds to load: only a studio that speaks through ElevenLabs pays for it.
const sdk = lazyPackage<typeof import('@elevenlabs/elevenlabs-js')>('@elevenlabs/elevenlabs-js')

export const DEFAULT_ELEVENLABS_BASE_URL = 'https://api.elevenlabs.io'
export const DEFAULT_ELEVENLABS_MODEL = 'eleven_multilingual_v2'
/** "Rachel", a premade voice every account has. */
export const DEFAULT_ELEVENLABS_VOICE = '21m00Tcm4TlvDq8ikWAM'

export interface ElevenLabsVoiceSettings {
  stability?: number | undefined
  similarityBoost?: number | undefined
  style?: number | undefined
  speed?: number | undefined
  useSpeakerBoost?: boolean | undefined
}

export interface ElevenLabsSpeechConfig {
  baseURL?: string | undefined
  apiKey?: string | undefined
  model?: string | undefined
  voice?: string | undefined
  voiceSettings?: ElevenLabsVoiceSettings | undefined
  /** pcm_16000, pcm_22050, pcm_24000 or pcm_44100. */
  sampleRate?: 16000 | 22050 | 24000 | 44100 | undefined
  timeoutMs?: number | undefined
  probeTimeoutMs?: number | undefined
  prices?: PriceTable | undefined
  /** Characters per request (the model's limit is higher; smaller parts fail and retry cheaper). */
  maxCharsPerRequest?: number | undefined
}

export interface VoiceInfo {
  id: string
  name: string
  /** "premade", "cloned", "espeak-ng", "say"... */
  category?: string
  language?: string
}

export class ElevenLabsSpeechProvider implements SpeechProvider {
  readonly offline = false
  readonly id: string
  readonly model: string
  #sdkClient: ElevenLabsClient | undefined
  readonly #config: ElevenLabsSpeechConfig
  readonly #apiKey: string | undefined
  readonly #timeoutMs: number

  constructor(config: ElevenLabsSpeechConfig) {
    this.#config = config
    this.model = config.model ?? DEFAULT_ELEVENLABS_MODEL
    this.id = `elevenlabs:${this.model}`
    this.#apiKey = config.apiKey || undefined
    this.#timeoutMs = config.timeoutMs ?? 120_000
  }

  /** Made on first call, with the SDK. */
  get #client(): ElevenLabsClient {
    return (this.#sdkClient ??= new (sdk().ElevenLabsClient)({
      baseUrl: (this.#config.baseURL ?? DEFAULT_ELEVENLABS_BASE_URL).replace(/\/+$/, ''),
      ...(this.#apiKey ? { apiKey: this.#apiKey } : { apiKey: 'no-key-configured' }),
      maxRetries: 0,
      timeoutInSeconds: this.#timeoutMs / 1000
    }))
  }

  /** GET /v1/voices: up and the key accepted. */
  async probe(signal?: AbortSignal): Promise<void> {
    await this.voices(signal, this.#config.probeTimeoutMs ?? 5_000)
  }

  /** The account's voices, for Settings. */
  async voices(signal?: AbortSignal, timeoutMs = 15_000): Promise<VoiceInfo[]> {
    try {
      const answer = await this.#client.voices.getAll({}, { timeoutInSeconds: timeoutMs / 1000, maxRetries: 0, ...(signal ? { abortSignal: signal } : {}) })
      return answer.voices.map((v) => ({
        id: v.voiceId,
        name: v.name ?? v.voiceId,
        ...(v.category ? { category: String(v.category) } : {}),
        ...(v.labels?.language ? { language: v.labels.language } : {})
      }))
    } catch (err) {
      throw this.fail(err, signal)
    }
  }

  async synthesize(request: SpeechRequest, options: SpeechCallOptions): Promise<SpeechResult> {
    const text = request.text.trim()
    if (!text) throw permanent(`${this.id}: nothing to say (empty text)`, { provider: this.id })
    const rate = this.#config.sampleRate ?? 24_000
    const voice = request.voice && /^[A-Za-z0-9]{10,40}$/.test(request.voice) ? request.voice : (this.#config.voice ?? DEFAULT_ELEVENLABS_VOICE)
    const vs = this.#config.voiceSettings
    const pcm: Buffer[] = []
    const words: WordTiming[] = []
    let offsetSec = 0
    for (const part of splitForSpeech(text, this.#config.maxCharsPerRequest ?? 4500)) {
      let answer
      try {
        answer = await this.#client.textToSpeech.convertWithTimestamps(
          voice,
          {
            text: part,
            modelId: this.model,
            outputFormat: `pcm_${rate}`,
            ...(request.language && this.model !== 'eleven_multilingual_v2' ? { languageCode: request.language } : {}),
            ...(vs ? { voiceSettings: { ...(vs.stability !== undefined ? { stability: vs.stability } : {}), ...(vs.similarityBoost !== undefined ? { similarityBoost: vs.similarityBoost } : {}), ...(vs.style !== undefined ? { style: vs.style } : {}), ...(vs.speed !== undefined ? { speed: vs.speed } : {}), ...(vs.useSpeakerBoost !== undefined ? { useSpeakerBoost: vs.useSpeakerBoost } : {}) } } : {})
          },
          { abortSignal: options.signal, maxRetries: 0 }
        )
      } catch (err) {
        throw this.fail(err, options.signal)
      }
      const audio = Buffer.from(answer.audioBase64 ?? '', 'base64')
      if (audio.length < 2) throw retryable(`${this.id}: the response contained no audio`, { provider: this.id })
      const alignment = answer.alignment ?? answer.normalizedAlignment
      if (alignment) words.push(...wordsFromAlignment(alignment, offsetSec))
      pcm.push(audio.subarray(0, audio.length - (audio.length % 2)))
      offsetSec += audio.length / 2 / rate
    }
    if (options.signal.aborted) throw this.fail(new Error('aborted'), options.signal)
    const wav = encodeWav(Buffer.concat(pcm), { sampleRate: rate, channels: 1, bitsPerSample: 16 })
    await writeFileAtomic(request.outPath, wav)
    const prices = this.#config.prices ?? new PriceTable()
    return {
      path: request.outPath,
      durationSec: Math.round(offsetSec * 1000) / 1000,
      ...(words.length ? { words } : {}),
      ...prices.cost(this.model, { characters: text.length }),
      provider: this.id,
      offline: false,
      model: this.model
    }
  }

  /** What ElevenLabs (or the way to it) said, as a StepError the engine can route. */
  fail(err: unknown, signal?: AbortSignal): StepError {
    const secrets = [this.#apiKey]
    if (signal?.aborted) return transportError(this.id, err, signal, secrets)
    const { ElevenLabsError, ElevenLabsTimeoutError } = sdk()
    // With a caller's signal, the SDK reports its own timeout as an abort whose reason is "timeout".
    const timedOut = err instanceof ElevenLabsTimeoutError || (err instanceof ElevenLabsError && err.statusCode === undefined && (err.cause === 'timeout' || err.message === 'timeout'))
    if (timedOut) return httpStepError(this.id, 'retryable', `no answer in time (${this.#timeoutMs} ms)`, { cause: err, secrets })
    if (err instanceof ElevenLabsError && typeof err.statusCode === 'number') {
      const status = err.statusCode
      const body = err.body as { detail?: { status?: string } } | undefined
      const detail = describeBody(err.body)
      const headers = err.rawResponse?.headers
      if (body?.detail?.status === 'quota_exceeded') {
        // ElevenLabs answers an exhausted quota with a 401: not a bad key, a wait for the next period (or a top-up).
        return httpStepError(this.id, 'provider-unavailable', `quota exhausted: ${detail}`, { secrets, retryAfterMs: 15 * 60_000 })
      }
      if (status === 401 || status === 403) {
        const hint = this.#apiKey ? 'check the key' : 'no key configured: set ELEVENLABS_API_KEY (or the apiKeyEnv named in settings) or store one in Settings'
        return httpStepError(this.id, 'permanent', `the key was refused (HTTP ${status}: ${detail}); ${hint}`, { secrets })
      }
      return httpStepError(this.id, kindForHttpStatus(status), `HTTP ${status}${detail ? `: ${detail}` : ''}`, { secrets, retryAfterMs: parseRetryAfter(headers?.get?.('retry-after')) })
    }
    if (err instanceof ElevenLabsError) return transportError(this.id, err.cause ?? err, signal, secrets)
    return transportError(this.id, err, signal, secrets)
  }
}
