/**
 * Pictures from a Stable Diffusion WebUI (AUTOMATIC1111 or Forge, same API) on this computer or
 * another on the network: POST /sdapi/v1/txt2img answers with base64 images once done; meanwhile
 * GET /sdapi/v1/progress tells how far it is, which becomes the step's progress. Cancelling the
 * step sends POST /sdapi/v1/interrupt, so the GPU stops working on a picture nobody wants.
 * Local generation costs nothing: cost is a known $0.
 */
import { retryable } from '../errors'
import { fetchOk, transportError } from './http-errors'
import { assertImageSize } from './image-size'
import { generationSize, promptOf, seedFor, writeFitted } from './local-image-common'
import type { ImageCallOptions, ImageProvider, ImageRequest, ImageResult } from './types'

export const DEFAULT_A1111_BASE_URL = 'http://127.0.0.1:7860'

export interface Automatic1111Config {
  baseURL?: string | undefined
  steps?: number | undefined
  cfgScale?: number | undefined
  sampler?: string | undefined
  negativePrompt?: string | undefined
  timeoutMs?: number | undefined
  progressEveryMs?: number | undefined
}

export class Automatic1111ImageProvider implements ImageProvider {
  readonly offline = false
  readonly id: string
  readonly #base: string
  readonly #config: Automatic1111Config

  constructor(config: Automatic1111Config = {}) {
    this.#config = config
    this.#base = (config.baseURL ?? DEFAULT_A1111_BASE_URL).replace(/\/+$/, '')
    this.id = `automatic1111:${new URL(this.#base).host}`
  }

  async probe(signal?: AbortSignal): Promise<void> {
    await fetchOk(this.id, `${this.#base}/sdapi/v1/progress?skip_current_image=true`, { timeoutMs: 5_000, signal })
  }

  async generate(request: ImageRequest, options: ImageCallOptions): Promise<ImageResult> {
    assertImageSize(request.width, request.height, this.id)
    const size = generationSize(request.width, request.height)
    const body = {
      prompt: promptOf(request),
      negative_prompt: this.#config.negativePrompt ?? '',
      width: size.width,
      height: size.height,
      steps: this.#config.steps ?? 25,
      cfg_scale: this.#config.cfgScale ?? 7,
      seed: seedFor(request),
      ...(this.#config.sampler ? { sampler_name: this.#config.sampler } : {}),
      batch_size: 1,
      n_iter: 1
    }
    const onAbort = () => void this.interrupt()
    options.signal.addEventListener('abort', onAbort, { once: true })
    const ticker = options.onProgress ? setInterval(() => void this.#reportProgress(options), this.#config.progressEveryMs ?? 1_000) : null
    try {
      const response = await fetchOk(this.id, `${this.#base}/sdapi/v1/txt2img`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs: this.#config.timeoutMs ?? 600_000,
        signal: options.signal
      })
      const answer = (await response.json().catch((err: unknown) => {
        throw transportError(this.id, err, options.signal)
      })) as { images?: unknown }
      const first = Array.isArray(answer.images) ? answer.images[0] : undefined
      if (typeof first !== 'string' || !first) throw retryable(`${this.id}: the response contained no image`, { provider: this.id })
      const written = await writeFitted(this.id, Buffer.from(first.replace(/^data:image\/\w+;base64,/, ''), 'base64'), request, options.outPath)
      options.onProgress?.(100)
      return { ...written, costUsd: 0, priceKnown: true, provider: this.id, offline: false }
    } finally {
      if (ticker) clearInterval(ticker)
      options.signal.removeEventListener('abort', onAbort)
    }
  }

  /** Stop the server's current job (best effort: the step is cancelled either way). */
  async interrupt(): Promise<void> {
    await fetch(`${this.#base}/sdapi/v1/interrupt`, { method: 'POST', signal: AbortSignal.timeout(5_000) }).catch(() => undefined)
  }

  async #reportProgress(options: ImageCallOptions): Promise<void> {
    try {
      const r = await fetch(`${this.#base}/sdapi/v1/progress?skip_current_image=true`, { signal: AbortSignal.timeout(2_000) })
      const p = (await r.json()) as { progress?: number }
      if (typeof p.progress === 'number' && !options.signal.aborted) options.onProgress?.(Math.min(99, Math.max(0, p.progress * 100)))
    } catch {
      // Progress is a nicety: a missed poll changes nothing.
    }
  }
}
