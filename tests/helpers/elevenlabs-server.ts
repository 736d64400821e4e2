/**
 * A local fake of the ElevenLabs REST API as documented (api.elevenlabs.io): the official
 * `@elevenlabs/elevenlabs-js` client talks to it over TCP.
 *  - GET  /v1/voices                                   → { voices: [{ voice_id, name, category, labels }] }
 *  - POST /v1/text-to-speech/{voice_id}/with-timestamps?output_format=pcm_24000
 *        → { audio_base64, alignment: { characters, character_start_times_seconds, character_end_times_seconds }, normalized_alignment }
 * The key travels in `xi-api-key`; a wrong one gets 401 invalid_api_key. An exhausted quota is
 * what ElevenLabs sends: 401 with detail.status "quota_exceeded".
 * Timings are irregular on purpose (they depend on each character), so a caption timed in
 * proportion to word length would not match them.
 */
import type { ServerResponse } from 'node:http'
import { sendJson, startFakeHttp, type FakeHttpServer, type FakeRequest } from './fake-http'

export interface Alignment {
  characters: string[]
  character_start_times_seconds: number[]
  character_end_times_seconds: number[]
}

export interface ElevenLabsFake extends FakeHttpServer {
  /** Alignments returned so far, in order. */
  readonly alignments: Alignment[]
  /** Characters the quota still allows; undefined = unlimited. */
  quota: number | undefined
}

export const VOICES = [
  { voice_id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', category: 'premade', labels: { accent: 'american', gender: 'female' } },
  { voice_id: 'ErXwobaYiN019PkySvjV', name: 'Antoni', category: 'premade', labels: { accent: 'american', gender: 'male' } },
  { voice_id: 'xFr3nchV0ice0000001', name: 'Chloé', category: 'cloned', labels: { language: 'fr' } }
]

/** How long the fake "says" a character: letters vary by code point, spaces and punctuation pause. */
function charSeconds(c: string): number {
  if (/\s/.test(c)) return 0.09
  if (/[.!?]/.test(c)) return 0.3
  if (/[,;:]/.test(c)) return 0.15
  return 0.045 + ((c.codePointAt(0) ?? 0) % 7) * 0.008
}

export function alignmentFor(text: string): Alignment {
  const characters = [...text]
  const starts: number[] = []
  const ends: number[] = []
  let t = 0.12 // a breath before the first word
  for (const c of characters) {
    starts.push(Math.round(t * 1000) / 1000)
    t += charSeconds(c)
    ends.push(Math.round(t * 1000) / 1000)
  }
  return { characters, character_start_times_seconds: starts, character_end_times_seconds: ends }
}

function pcmFor(seconds: number, sampleRate: number): Buffer {
  const frames = Math.max(1, Math.round(seconds * sampleRate))
  const pcm = Buffer.alloc(frames * 2)
  for (let i = 0; i < frames; i++) pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 220 * i) / sampleRate) * 9_000), i * 2)
  return pcm
}

export async function startElevenLabsServer(options: { key?: string; quota?: number } = {}): Promise<ElevenLabsFake> {
  const key = options.key ?? 'xi-test-key'
  const alignments: Alignment[] = []
  const state = { quota: options.quota }
  const denied = (req: FakeRequest, res: ServerResponse): boolean => {
    if (req.headers['xi-api-key'] === key) return false
    sendJson(res, 401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } })
    return true
  }
  const fake = await startFakeHttp({
    'GET /v1/voices': (req, res) => {
      if (denied(req, res)) return
      sendJson(res, 200, { voices: VOICES })
    },
    'POST /v1/text-to-speech/:voice/with-timestamps': (req, res) => {
      if (denied(req, res)) return
      const body = req.body as { text?: string; model_id?: string }
      const text = body?.text ?? ''
      if (!text) return sendJson(res, 422, { detail: [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }] })
      if (state.quota !== undefined && text.length > state.quota) {
        return sendJson(res, 401, {
          detail: { status: 'quota_exceeded', message: `This request exceeds your quota. You have ${state.quota} credits remaining, while ${text.length} credits are required for this request.` }
        })
      }
      if (state.quota !== undefined) state.quota -= text.length
      const format = req.query.get('output_format') ?? 'mp3_44100_128'
      const rate = /^pcm_(\d+)$/.exec(format)
      if (!rate) return sendJson(res, 400, { detail: { status: 'invalid_output_format', message: 'this fake only speaks pcm_*' } })
      const alignment = alignmentFor(text)
      alignments.push(alignment)
      const seconds = (alignment.character_end_times_seconds.at(-1) ?? 0) + 0.2
      sendJson(res, 200, { audio_base64: pcmFor(seconds, Number(rate[1])).toString('base64'), alignment, normalized_alignment: alignment })
    }
  })
  Object.defineProperty(fake, 'quota', { get: () => state.quota, set: (value: number | undefined) => (state.quota = value) })
  return Object.assign(fake, { alignments }) as ElevenLabsFake
}
