import type { VoiceView } from '../../../shared/voices'
import { QueueError, StepError } from '../errors'
import { ElevenLabsSpeechProvider } from './elevenlabs-speech'
import { SystemSpeechProvider } from './system-speech'
import type { SpeechProvider } from './types'

/** OpenAI's speech voices (its API has no list endpoint). */
const OPENAI_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer']

/**
 * The voices of the configured speech provider: the engines installed on this machine (offline),
 * the account's voices (ElevenLabs), or OpenAI's fixed set. A provider that cannot answer says why.
 */
export async function speechVoices(speech: SpeechProvider, signal?: AbortSignal): Promise<VoiceView[]> {
  try {
    if (speech instanceof SystemSpeechProvider) {
      return (await speech.voices(signal)).map((v) => ({ id: v.id, name: v.name, language: v.language || null, engine: v.engine }))
    }
    if (speech instanceof ElevenLabsSpeechProvider) {
      return (await speech.voices(signal)).map((v) => ({ id: v.id, name: v.name, language: v.language ?? null, engine: 'elevenlabs' }))
    }
    return OPENAI_VOICES.map((id) => ({ id, name: id, language: null, engine: 'openai' }))
  } catch (err) {
    if (err instanceof StepError) throw new QueueError('provider_error', err.message)
    throw err
  }
}
