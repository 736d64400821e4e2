/**
 * Speech through the audio speech API as WAV. OpenAI streams WAV with 0xFFFFFFFF sizes in the
 * header, so the audio is re-wrapped with a clean header before it is written; texts above the
 * API's 4096-character limit are sent in sentence-aligned parts and joined.
 */
import { permanent, retryable } from '../errors'
import { writeFileAtomic } from './atomic-write'
import { OpenAIConnection, type OpenAIEndpointConfig } from './openai-connection'
import { splitForSpeech } from './speech-text'
import type { SpeechCallOptions, SpeechProvider, SpeechRequest, SpeechResult } from './types'
import { concatWavs, parseWav, WAVE_FORMAT_PCM, WavFormatError } from './wav'

export interface OpenAISpeechConfig extends OpenAIEndpointConfig {
  /** Default voice when the request names none. */
  voice?: string | undefined
  /** Characters per request (OpenAI: 4096). */
  maxCharsPerRequest?: number | undefined
}

export class OpenAISpeechProvider implements SpeechProvider {
  readonly offline = false
  readonly #connection: OpenAIConnection
  readonly #voice: string
  readonly #maxChars: number

  constructor(config: OpenAISpeechConfig) {
    this.#connection = new OpenAIConnection(config)
    this.#voice = config.voice ?? 'alloy'
    this.#maxChars = config.maxCharsPerRequest ?? 4096
  }

  get id(): string {
    return this.#connection.id
  }

  probe(signal?: AbortSignal): Promise<void> {
    return this.#connection.probe(signal)
  }

  async synthesize(request: SpeechRequest, options: SpeechCallOptions): Promise<SpeechResult> {
    const connection = this.#connection
    const text = request.text.trim()
    if (!text) throw permanent(`${connection.id}: nothing to say (empty text)`, { provider: connection.id })

    const parts: Uint8Array[] = []
    for (const input of splitForSpeech(text, this.#maxChars)) {
      let audio: Uint8Array
      try {
        const response = await connection.client.audio.speech.create(
          { model: connection.model, voice: request.voice ?? this.#voice, input, response_format: 'wav' },
          { signal: options.signal }
        )
        audio = new Uint8Array(await response.arrayBuffer())
      } catch (err) {
        throw connection.fail(err, options.signal)
      }
      try {
        parseWav(audio)
      } catch (err) {
        if (err instanceof WavFormatError) throw retryable(`${connection.id}: the audio in the response is not a valid WAV (${err.message})`, { provider: connection.id })
        throw err
      }
      parts.push(audio)
    }

    const first = parseWav(parts[0] as Uint8Array)
    const wav = first.format === WAVE_FORMAT_PCM ? concatWavs(parts) : (parts[0] as Uint8Array)
    const info = parseWav(wav)
    if (info.frames === 0) throw retryable(`${connection.id}: the response contained no audio samples`, { provider: connection.id })
    if (options.signal.aborted) throw connection.fail(new Error('aborted'), options.signal)
    await writeFileAtomic(request.outPath, wav)
    return {
      path: request.outPath,
      durationSec: info.durationSec,
      ...connection.cost(connection.model, { characters: text.length, audioSeconds: info.durationSec }),
      provider: connection.id,
      offline: false,
      model: connection.model
    }
  }
}
