/**
 * A local fake of the community suno-api server (gcui-art/suno-api), the reference for the
 * Suno-style asynchronous API: submit, then poll until the clips are ready.
 *  - POST /api/generate         { prompt, make_instrumental, model, wait_audio } → [clip, clip]
 *  - POST /api/custom_generate  { prompt (lyrics), tags, title, make_instrumental, model, wait_audio } → [clip, clip]
 *  - GET  /api/get?ids=a,b      → [clip…], status submitted → queued → streaming → complete
 *  - GET  /api/get_limit        → { credits_left, period, monthly_limit, monthly_usage }
 *  - GET  /files/{id}.wav       the audio (a real WAV) behind audio_url
 * Each clip moves one status further on each poll, so a test sees progress while it waits.
 */
import { sendJson, startFakeHttp, type FakeHttpServer } from './fake-http'

const STATUSES = ['submitted', 'queued', 'streaming', 'complete'] as const

interface Clip {
  id: string
  title: string
  tags: string
  polls: number
  failed: boolean
}

export interface SunoFake extends FakeHttpServer {
  /** Credits left; each generation takes 10. */
  credits: number
  /** The next submitted clips end in status "error". */
  failNext: boolean
  readonly clips: Map<string, Clip>
}

function wav(seconds: number): Buffer {
  const rate = 8_000
  const frames = Math.round(seconds * rate)
  const pcm = Buffer.alloc(frames * 2)
  for (let i = 0; i < frames; i++) pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 330 * i) / rate) * 8_000), i * 2)
  const h = Buffer.alloc(44)
  h.write('RIFF', 0, 'ascii')
  h.writeUInt32LE(36 + pcm.length, 4)
  h.write('WAVEfmt ', 8, 'ascii')
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20)
  h.writeUInt16LE(1, 22)
  h.writeUInt32LE(rate, 24)
  h.writeUInt32LE(rate * 2, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36, 'ascii')
  h.writeUInt32LE(pcm.length, 40)
  return Buffer.concat([h, pcm])
}

export async function startSunoServer(options: { credits?: number; seconds?: number } = {}): Promise<SunoFake> {
  const clips = new Map<string, Clip>()
  const state = { credits: options.credits ?? 500, failNext: false, next: 1 }
  const audio = wav(options.seconds ?? 1.5)
  let baseURL = ''
  const view = (c: Clip) => {
    const status = c.failed && c.polls >= 2 ? 'error' : STATUSES[Math.min(c.polls, STATUSES.length - 1)]!
    return {
      id: c.id,
      title: c.title,
      image_url: `${baseURL}/files/${c.id}.jpeg`,
      lyric: '[Instrumental]',
      audio_url: status === 'streaming' || status === 'complete' ? `${baseURL}/files/${c.id}.wav` : '',
      video_url: '',
      created_at: new Date().toISOString(),
      model_name: 'chirp-v3-5',
      status,
      gpt_description_prompt: c.tags,
      prompt: '',
      type: 'gen',
      tags: c.tags,
      duration: status === 'complete' ? String(options.seconds ?? 1.5) : null,
      ...(status === 'error' ? { error_message: 'the model could not make this song' } : {})
    }
  }
  const submit = (body: { prompt?: string; tags?: string; title?: string } | undefined) => {
    state.credits -= 10
    const made = [0, 1].map(() => {
      const clip: Clip = { id: `clip-${state.next++}`, title: body?.title ?? 'Untitled', tags: body?.tags ?? body?.prompt ?? '', polls: 0, failed: state.failNext }
      clips.set(clip.id, clip)
      return clip
    })
    state.failNext = false
    return made.map(view)
  }
  const fake = await startFakeHttp({
    'POST /api/generate': (req, res) => {
      if (state.credits < 10) return sendJson(res, 402, { error: 'Insufficient credits' })
      sendJson(res, 200, submit(req.body as { prompt?: string }))
    },
    'POST /api/custom_generate': (req, res) => {
      if (state.credits < 10) return sendJson(res, 402, { error: 'Insufficient credits' })
      sendJson(res, 200, submit(req.body as { prompt?: string; tags?: string; title?: string }))
    },
    'GET /api/get': (req, res) => {
      const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean)
      const found = ids.map((id) => clips.get(id)).filter((c): c is Clip => Boolean(c))
      for (const c of found) c.polls++
      sendJson(res, 200, found.map(view))
    },
    'GET /api/get_limit': (_req, res) => sendJson(res, 200, { credits_left: state.credits, period: 'day', monthly_limit: 500, monthly_usage: 500 - state.credits }),
    'GET /files/:file': (req, res) => {
      if (!req.path.endsWith('.wav')) return sendJson(res, 404, { error: 'no such file' })
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': audio.length })
      res.end(audio)
    }
  })
  baseURL = fake.baseURL
  Object.defineProperty(fake, 'credits', { get: () => state.credits, set: (v: number) => (state.credits = v) })
  Object.defineProperty(fake, 'failNext', { get: () => state.failNext, set: (v: boolean) => (state.failNext = v) })
  return Object.assign(fake, { clips }) as SunoFake
}
