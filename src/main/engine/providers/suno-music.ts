/**
 * Music through a Suno-style asynchronous API, in the shape of the community suno-api server
 * (gcui-art/suno-api): submit (`/api/generate`, or `/api/custom_generate` with lyrics), poll
 * `/api/get?ids=…` until a clip is streaming/complete, then download its `audio_url`. Progress
 * follows the clip's status while it waits. The submitted ids are noted in `resumeDir`, so a
 * retry after a failed poll or download picks up the same clips instead of paying again.
 * The probe reads `/api/get_limit`: no credits left is an outage to wait out, not a failure.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { permanent, providerUnavailable, retryable } from '../errors'
import { writeFileAtomic } from './atomic-write'
import { describeBody, fetchOk, httpStepError, transportError } from './http-errors'
import { PriceTable } from './pricing'
import type { MusicCallOptions, MusicProvider, MusicRequest, MusicResult } from './types'
import { formatMs } from '../../../shared/format-ms'

export const DEFAULT_SUNO_BASE_URL = 'http://127.0.0.1:3000'

export interface SunoConfig {
  baseURL?: string | undefined
  /** Sent as a Bearer token when set (a hosted suno-api behind a key). */
  apiKey?: string | undefined
  model?: string | undefined
  /** Time between two polls. */
  pollMs?: number | undefined
  /** Give up waiting for a clip after this long (retryable: the next attempt polls the same clip). */
  waitTimeoutMs?: number | undefined
  requestTimeoutMs?: number | undefined
  prices?: PriceTable | undefined
}

interface Clip {
  id: string
  status: string
  audio_url?: string | null
  title?: string
  duration?: string | number | null
  error_message?: string
}

const PROGRESS: Record<string, number> = { submitted: 10, queued: 25, streaming: 70, complete: 90 }

export class SunoMusicProvider implements MusicProvider {
  readonly offline = false
  readonly id: string
  readonly #base: string
  readonly #config: SunoConfig

  constructor(config: SunoConfig = {}) {
    this.#config = config
    this.#base = (config.baseURL ?? DEFAULT_SUNO_BASE_URL).replace(/\/+$/, '')
    this.id = `suno:${new URL(this.#base).host}`
  }

  async probe(signal?: AbortSignal): Promise<void> {
    const limit = (await this.#json('/api/get_limit', { method: 'GET' }, signal, 5_000)) as { credits_left?: number }
    if (typeof limit?.credits_left === 'number' && limit.credits_left < 10) {
      throw providerUnavailable(`${this.id}: no credits left (${limit.credits_left})`, { provider: this.id })
    }
  }

  async generate(request: MusicRequest, options: MusicCallOptions): Promise<MusicResult> {
    const { signal } = options
    const note = options.resumeDir ? join(options.resumeDir, 'suno-submitted.json') : null
    let ids = note ? await readNote(note) : null
    if (ids) options.onProgress?.(5, 'resuming the tracks already submitted')
    else {
      const custom = Boolean(request.lyrics)
      const body = custom
        ? { prompt: request.lyrics, tags: request.mood, title: request.title ?? request.mood.slice(0, 80), make_instrumental: false, model: this.#config.model, wait_audio: false }
        : { prompt: request.mood, make_instrumental: true, model: this.#config.model, wait_audio: false }
      const clips = (await this.#json(custom ? '/api/custom_generate' : '/api/generate', { method: 'POST', body: JSON.stringify(body) }, signal)) as Clip[]
      ids = Array.isArray(clips) ? clips.map((c) => c.id).filter((id) => typeof id === 'string') : []
      if (ids.length === 0) throw retryable(`${this.id}: the server accepted the request but returned no track`, { provider: this.id })
      if (note) {
        await mkdir(options.resumeDir!, { recursive: true })
        await writeFile(note, JSON.stringify({ ids, at: Date.now() }))
      }
      options.onProgress?.(PROGRESS.submitted!, 'submitted')
    }

    const clip = await this.#waitForClip(ids, options)
    const url = clip.audio_url!
    const ext = extname(new URL(url, this.#base).pathname).toLowerCase() || '.mp3'
    const path = `${options.outBase}${/^\.(mp3|wav|m4a|ogg|flac)$/.test(ext) ? ext : '.mp3'}`
    const audio = new Uint8Array(await (await fetchOk(this.id, new URL(url, this.#base).href, { timeoutMs: this.#config.requestTimeoutMs ?? 120_000, signal })).arrayBuffer().catch((err: unknown) => {
      throw transportError(this.id, err, signal)
    }))
    if (audio.length < 64) throw retryable(`${this.id}: the downloaded track is empty`, { provider: this.id })
    await writeFileAtomic(path, audio)
    if (note) await rm(note, { force: true })
    options.onProgress?.(100, 'downloaded')
    const duration = Number(clip.duration)
    return {
      path,
      durationSec: Number.isFinite(duration) && duration > 0 ? duration : null,
      ...(clip.title ? { title: clip.title } : {}),
      ...(this.#config.prices ?? new PriceTable()).cost('suno', { requests: 1 }),
      provider: this.id,
      offline: false,
      ...(this.#config.model ? { model: this.#config.model } : {})
    }
  }

  async #waitForClip(ids: string[], options: MusicCallOptions): Promise<Clip> {
    const started = Date.now()
    const timeout = this.#config.waitTimeoutMs ?? 10 * 60_000
    for (let poll = 0; ; poll++) {
      const clips = (await this.#json(`/api/get?ids=${ids.map(encodeURIComponent).join(',')}`, { method: 'GET' }, options.signal)) as Clip[]
      const list = Array.isArray(clips) ? clips : []
      const ready = list.find((c) => c.status === 'complete' && c.audio_url) ?? list.find((c) => c.status === 'streaming' && c.audio_url && poll > 0 && list.every((o) => o.status !== 'complete'))
      // Prefer a complete clip; a streaming one only once nothing is further along (its file is still growing).
      if (ready?.status === 'complete') return ready
      if (list.length > 0 && list.every((c) => c.status === 'error')) {
        throw permanent(`${this.id}: the service could not make this track (${list[0]!.error_message ?? 'status error'})`, { provider: this.id })
      }
      const best = Math.max(0, ...list.map((c) => PROGRESS[c.status] ?? 0))
      const waited = Date.now() - started
      options.onProgress?.(Math.min(89, best + Math.min(10, waited / 6_000)), `waiting for the track (${list.map((c) => c.status).join(', ') || 'unknown'})`)
      if (waited > timeout) {
        if (ready) return ready
        throw retryable(`${this.id}: the track was not ready after ${formatMs(timeout)}; the next attempt keeps waiting for it`, { provider: this.id })
      }
      await sleep(this.#config.pollMs ?? 5_000, options.signal).catch((err: unknown) => {
        throw transportError(this.id, err, options.signal)
      })
    }
  }

  async #json(path: string, init: RequestInit, signal: AbortSignal | undefined, timeoutMs = this.#config.requestTimeoutMs ?? 60_000): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(this.#config.apiKey ? { authorization: `Bearer ${this.#config.apiKey}` } : {}) }
    const secrets = [this.#config.apiKey]
    const response = await fetchOk(this.id, `${this.#base}${path}`, { ...init, headers, timeoutMs, signal, secrets }).catch((err: unknown) => {
      // suno-api answers 402 when the account has no credits left: wait for them, like an outage.
      if (err instanceof Error && /HTTP 402/.test(err.message)) throw httpStepError(this.id, 'provider-unavailable', `no credits left (${describeBody(err.message)})`, { secrets })
      throw err
    })
    try {
      return await response.json()
    } catch (err) {
      throw transportError(this.id, err instanceof SyntaxError ? err : new SyntaxError(String(err)), signal, secrets)
    }
  }
}

async function readNote(file: string): Promise<string[] | null> {
  try {
    const note = JSON.parse(await readFile(file, 'utf8')) as { ids?: unknown; at?: unknown }
    // Clips a day old may have expired on the service's side: better to ask again.
    if (!Array.isArray(note.ids) || typeof note.at !== 'number' || Date.now() - note.at > 24 * 3_600_000) return null
    return note.ids.filter((id): id is string => typeof id === 'string')
  } catch {
    return null
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
