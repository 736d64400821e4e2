/**
 * Pictures from a ComfyUI server: a workflow in ComfyUI's API format (the user's own, exported
 * with "Save (API)", or a plain SD 1.5 text-to-image one) gets the prompt, size and seed injected,
 * is queued with POST /prompt, followed over the websocket /ws?clientId=… (progress, then the
 * "executing" message with node null when done), and its picture read through /history/{id} and
 * /view. Cancelling the step sends POST /interrupt.
 *
 * Injection: strings "%prompt%", "%negative%" anywhere in the workflow are replaced; without
 * them, the text of the CLIPTextEncode nodes wired to the sampler's positive and negative inputs.
 * Width and height go to EmptyLatentImage nodes, the seed to KSampler (seed) and
 * KSamplerAdvanced (noise_seed).
 */
import { randomUUID } from 'node:crypto'
import type WebSocket from 'ws'
import { permanent, retryable } from '../errors'
import { fetchOk, transportError } from './http-errors'
import { assertImageSize } from './image-size'
import { generationSize, promptOf, seedFor, writeFitted } from './local-image-common'
import type { ImageCallOptions, ImageProvider, ImageRequest, ImageResult } from './types'
import { lazyPackage } from '../lazy-package'

const ws = lazyPackage<typeof WebSocket>('ws')

export const DEFAULT_COMFYUI_BASE_URL = 'http://127.0.0.1:8188'

type Workflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>

/** A minimal SD 1.5 text-to-image graph; `checkpoint` names a file in ComfyUI's models/checkpoints. */
export function defaultWorkflow(checkpoint: string): Workflow {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: checkpoint } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: '%prompt%', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '%negative%', clip: ['4', 1] } },
    '3': { class_type: 'KSampler', inputs: { seed: 0, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'studio', images: ['8', 0] } }
  }
}

export function injectWorkflow(source: Workflow, values: { prompt: string; negative: string; width: number; height: number; seed: number }): Workflow {
  const workflow = JSON.parse(JSON.stringify(source)) as Workflow
  let placeholders = false
  const replace = (v: unknown): unknown => {
    if (v === '%prompt%') return (placeholders = true), values.prompt
    if (v === '%negative%') return (placeholders = true), values.negative
    return v
  }
  for (const node of Object.values(workflow)) {
    if (!node || typeof node !== 'object' || !node.inputs) throw permanent('comfyui: the workflow is not in API format (export it with "Save (API)")')
    for (const [k, v] of Object.entries(node.inputs)) node.inputs[k] = replace(v)
    if (node.class_type === 'EmptyLatentImage' || node.class_type === 'EmptySD3LatentImage') Object.assign(node.inputs, { width: values.width, height: values.height })
    if (node.class_type === 'KSampler') node.inputs.seed = values.seed
    if (node.class_type === 'KSamplerAdvanced') node.inputs.noise_seed = values.seed
  }
  if (!placeholders) {
    const sampler = Object.values(workflow).find((n) => n.class_type === 'KSampler' || n.class_type === 'KSamplerAdvanced')
    const textOf = (link: unknown) => (Array.isArray(link) ? workflow[String(link[0])] : undefined)
    const positive = textOf(sampler?.inputs.positive)
    if (!positive || positive.class_type !== 'CLIPTextEncode') throw permanent('comfyui: no place for the prompt in the workflow (put "%prompt%" in the positive text)')
    positive.inputs.text = values.prompt
    const negative = textOf(sampler?.inputs.negative)
    if (negative?.class_type === 'CLIPTextEncode' && values.negative) negative.inputs.text = values.negative
  }
  return workflow
}

export interface ComfyUIConfig {
  baseURL?: string | undefined
  /** API-format workflow; defaults to a plain SD 1.5 graph using `checkpoint`. */
  workflow?: Workflow | undefined
  checkpoint?: string | undefined
  negativePrompt?: string | undefined
  timeoutMs?: number | undefined
}

export class ComfyUIImageProvider implements ImageProvider {
  readonly offline = false
  readonly id: string
  readonly #base: string
  readonly #config: ComfyUIConfig

  constructor(config: ComfyUIConfig = {}) {
    this.#config = config
    this.#base = (config.baseURL ?? DEFAULT_COMFYUI_BASE_URL).replace(/\/+$/, '')
    this.id = `comfyui:${new URL(this.#base).host}`
  }

  async probe(signal?: AbortSignal): Promise<void> {
    await fetchOk(this.id, `${this.#base}/system_stats`, { timeoutMs: 5_000, signal })
  }

  async generate(request: ImageRequest, options: ImageCallOptions): Promise<ImageResult> {
    assertImageSize(request.width, request.height, this.id)
    const { signal } = options
    const size = generationSize(request.width, request.height, 512 * 768)
    const workflow = injectWorkflow(this.#config.workflow ?? defaultWorkflow(this.#config.checkpoint ?? 'v1-5-pruned-emaonly.safetensors'), {
      prompt: promptOf(request),
      negative: this.#config.negativePrompt ?? '',
      ...size,
      seed: seedFor(request)
    })
    const clientId = randomUUID()
    const socket = await this.#connect(clientId, signal)
    const onAbort = () => void fetch(`${this.#base}/interrupt`, { method: 'POST', signal: AbortSignal.timeout(5_000) }).catch(() => undefined)
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      const queued = (await (await fetchOk(this.id, `${this.#base}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: workflow, client_id: clientId }), timeoutMs: 30_000, signal })).json()) as { prompt_id?: string; node_errors?: unknown }
      if (!queued.prompt_id) throw retryable(`${this.id}: the server queued nothing`, { provider: this.id })
      await this.#followUntilDone(socket, queued.prompt_id, options)
      const history = (await (await fetchOk(this.id, `${this.#base}/history/${encodeURIComponent(queued.prompt_id)}`, { timeoutMs: 30_000, signal })).json()) as Record<string, { outputs?: Record<string, { images?: Array<{ filename: string; subfolder?: string; type?: string }> }> }>
      const image = Object.values(history[queued.prompt_id]?.outputs ?? {}).flatMap((o) => o.images ?? [])[0]
      if (!image) throw retryable(`${this.id}: the workflow finished without an image (does it end with SaveImage?)`, { provider: this.id })
      const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder ?? '', type: image.type ?? 'output' })
      const bytes = new Uint8Array(await (await fetchOk(this.id, `${this.#base}/view?${query}`, { timeoutMs: 60_000, signal })).arrayBuffer())
      const written = await writeFitted(this.id, bytes, request, options.outPath)
      options.onProgress?.(100)
      return { ...written, costUsd: 0, priceKnown: true, provider: this.id, offline: false }
    } catch (err) {
      throw transportError(this.id, err, signal)
    } finally {
      signal.removeEventListener('abort', onAbort)
      socket.close()
    }
  }

  #connect(clientId: string, signal: AbortSignal): Promise<WebSocket> {
    const url = `${this.#base.replace(/^http/, 'ws')}/ws?clientId=${encodeURIComponent(clientId)}`
    return new Promise((resolve, reject) => {
      const socket = new (ws())(url, { handshakeTimeout: 10_000 })
      socket.once('open', () => resolve(socket))
      socket.once('error', (err) => reject(transportError(this.id, err, signal)))
    })
  }

  /** Progress messages until "executing" with node null (done) or an execution error. */
  #followUntilDone(socket: WebSocket, promptId: string, options: ImageCallOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(retryable(`${this.id}: no picture after ${(this.#config.timeoutMs ?? 600_000) / 1000} s`, { provider: this.id })), this.#config.timeoutMs ?? 600_000)
      const finish = (err?: Error) => {
        clearTimeout(timer)
        options.signal.removeEventListener('abort', onAbort)
        if (err) reject(err)
        else resolve()
      }
      const onAbort = () => finish(transportError(this.id, new Error('aborted'), options.signal))
      options.signal.addEventListener('abort', onAbort, { once: true })
      socket.on('close', () => finish(retryable(`${this.id}: the connection to the server was lost before the picture was done`, { provider: this.id })))
      socket.on('message', (raw, isBinary) => {
        if (isBinary) return // preview images
        let message: { type?: string; data?: { prompt_id?: string; node?: string | null; value?: number; max?: number; exception_message?: string } }
        try {
          message = JSON.parse(raw.toString())
        } catch {
          return
        }
        const data = message.data
        if (data?.prompt_id !== undefined && data.prompt_id !== promptId) return
        if (message.type === 'progress' && data?.max) options.onProgress?.(Math.min(99, ((data.value ?? 0) / data.max) * 100))
        else if (message.type === 'executing' && data?.node === null) finish()
        else if (message.type === 'execution_error') finish(permanent(`${this.id}: the workflow failed: ${data?.exception_message ?? 'unknown error'}`, { provider: this.id }))
        else if (message.type === 'execution_interrupted') finish(retryable(`${this.id}: interrupted on the server`, { provider: this.id }))
      })
    })
  }
}
