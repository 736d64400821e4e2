/**
 * The small interfaces every generation provider implements. Pipelines only see these, so a step
 * written against them runs the same with OpenAI, a local OpenAI-compatible server (Ollama,
 * LM Studio, llama.cpp) or the offline defaults. Pure Node: never import `electron` here.
 */
import type { Language } from './language'
import type { TextStyle } from './text-style'

// Its own module so that text-style.ts, which this file imports, can name it too.
export type { Language } from './language'

export type ProviderKind = 'text' | 'image' | 'speech' | 'moderation' | 'music' | 'stock'

export interface ProviderBase {
  /** Stable id used for circuit breakers, step records and logs (e.g. "openai:gpt-4o-mini", "espeak-ng"). */
  readonly id: string
  /** True when the provider needs neither network nor key. */
  readonly offline: boolean
  /**
   * Cheap health check for the circuit breaker. Resolves when the provider looks usable,
   * throws a StepError (kind provider-unavailable, retryable or permanent) when it does not.
   */
  probe(signal?: AbortSignal): Promise<void>
}

/** Money spent on a call. `priceKnown: false` means the model is missing from the price table (cost reported as 0). */
export interface Cost {
  costUsd: number
  priceKnown: boolean
}

// ---------------------------------------------------------------- text

export interface TextRequest {
  system?: string
  prompt: string
  maxTokens?: number
  temperature?: number
  /** Output language. Online providers get an instruction; offline templates switch language. */
  language?: Language
  /** Writing style (seed 3 presets). Online providers get instructions; offline templates apply it visibly. */
  style?: Partial<TextStyle>
  /** The idea / topic the text is about. Offline templates are built around it (defaults to the prompt). */
  topic?: string
  /** Seed for the offline generator (defaults to the topic): same seed, same text. */
  seed?: string | number
  /** What to write. Offline only; online providers follow the prompt. */
  format?: 'script' | 'title'
}

export interface TextCallOptions {
  signal: AbortSignal
  /** 0–100, from streamed tokens against maxTokens. Never reaches 100 before the text is complete. */
  onProgress?(percent: number): void
}

export interface TokenUsage {
  inputTokens: number
  outputTokens: number
  /** True when the server did not report usage and the counts were estimated from characters. */
  estimated?: boolean
}

export interface TextResult extends Cost {
  text: string
  usage: TokenUsage
  provider: string
  offline: boolean
  /** Why generation stopped: 'stop', 'length' (hit maxTokens: the text may be cut), ... */
  finishReason?: string
  model?: string
}

export interface TextProvider extends ProviderBase {
  generate(request: TextRequest, options: TextCallOptions): Promise<TextResult>
}

// ---------------------------------------------------------------- image

export interface ImageRequest {
  prompt: string
  width: number
  height: number
  /** Free-form style hint ("cinematic", "warm", "minimal"...). */
  style?: string
  /** Text drawn on offline title cards (defaults to the prompt). */
  title?: string
  /** Second line on offline title cards. */
  subtitle?: string
}

export interface ImageCallOptions {
  signal: AbortSignal
  /** Where to write the PNG (written atomically: temp file then rename). */
  outPath: string
  /** 0–100 while a local generator works (AUTOMATIC1111, ComfyUI). */
  onProgress?(percent: number): void
}

export interface ImageResult extends Cost {
  path: string
  width: number
  height: number
  provider: string
  offline: boolean
  model?: string
}

export interface ImageProvider extends ProviderBase {
  generate(request: ImageRequest, options: ImageCallOptions): Promise<ImageResult>
}

// ---------------------------------------------------------------- speech

export interface SpeechRequest {
  text: string
  /** Provider-specific voice name ("alloy", "fr+f3", "Thomas"...). Ignored when the engine does not know it. */
  voice?: string
  language: Language
  /** Where to write the WAV (written atomically). */
  outPath: string
}

export interface SpeechCallOptions {
  signal: AbortSignal
}

export interface WordTiming {
  start: number
  end: number
  text: string
}

export interface SpeechResult extends Cost {
  path: string
  durationSec: number
  /** Word timings when the engine reports them; undefined → the renderer times subtitles proportionally. */
  words?: WordTiming[]
  provider: string
  offline: boolean
  model?: string
}

export interface SpeechProvider extends ProviderBase {
  synthesize(request: SpeechRequest, options: SpeechCallOptions): Promise<SpeechResult>
}

// ---------------------------------------------------------------- moderation

export interface ModerationResult {
  flagged: boolean
  /** Category → flagged. Only categories the provider reported. */
  categories: Record<string, boolean>
  provider: string
}

export interface ModerationProvider extends ProviderBase {
  /** Several texts go in one request (every image prompt of a step); flagged when any of them is. */
  check(text: string | readonly string[], options?: { signal?: AbortSignal }): Promise<ModerationResult>
}

// ---------------------------------------------------------------- music

export interface MusicRequest {
  /** What the music should sound like ("calm lo-fi piano", "épique, orchestral"). */
  mood: string
  /** Wished length; generators that choose their own length (Suno) ignore it. */
  durationSec: number
  /** Title, for generators that name their tracks. */
  title?: string
  /** Lyrics; absent → instrumental. */
  lyrics?: string
}

export interface MusicCallOptions {
  signal: AbortSignal
  /** Where to write the track, without extension: the provider adds the one its audio has. */
  outBase: string
  onProgress?(percent: number, message?: string): void
  /**
   * A folder that survives a retry of the same step, where an asynchronous provider notes what it
   * already submitted: a retry after a failed download polls the same tracks instead of paying again.
   */
  resumeDir?: string
}

export interface MusicResult extends Cost {
  path: string
  durationSec: number | null
  title?: string
  provider: string
  offline: boolean
  model?: string
}

export interface MusicProvider extends ProviderBase {
  generate(request: MusicRequest, options: MusicCallOptions): Promise<MusicResult>
}
