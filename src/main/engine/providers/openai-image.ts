/**
 * Images through the images API, returned as b64_json (no second download), then cropped and
 * scaled with sharp to exactly the size the pipeline asked for: the API only offers a few sizes,
 * a 1080×1920 video needs 1080×1920.
 */
import type Sharp from 'sharp'
import { lazyPackage } from '../lazy-package'
import { permanent, retryable } from '../errors'
import { writeFileAtomic } from './atomic-write'
import { assertImageSize } from './image-size'
import { OpenAIConnection, type OpenAIEndpointConfig } from './openai-connection'
import type { ImageCallOptions, ImageProvider, ImageRequest, ImageResult } from './types'

const sharp = lazyPackage<typeof Sharp>('sharp')

export interface OpenAIImageConfig extends OpenAIEndpointConfig {
  /** Force an API size ("1024x1024"); by default the supported size closest to the requested aspect ratio. */
  size?: string | undefined
  /** Passed through when set ("standard" / "hd" for dall-e-3, "low" / "medium" / "high" for gpt-image-1). */
  quality?: string | undefined
}

const SIZES_BY_FAMILY: Record<'dall-e-2' | 'gpt-image' | 'default', readonly string[]> = {
  'dall-e-2': ['1024x1024'],
  'gpt-image': ['1024x1024', '1536x1024', '1024x1536'],
  // dall-e-3, and what most compatible servers accept.
  default: ['1024x1024', '1792x1024', '1024x1792']
}

const isGptImage = (model: string): boolean => model.startsWith('gpt-image')

/** The supported API size whose aspect ratio is closest to width×height. */
export function apiSizeFor(model: string, width: number, height: number): string {
  const sizes = model.startsWith('dall-e-2') ? SIZES_BY_FAMILY['dall-e-2'] : isGptImage(model) ? SIZES_BY_FAMILY['gpt-image'] : SIZES_BY_FAMILY.default
  const target = Math.log(width / height)
  let best = sizes[0] as string
  for (const size of sizes) {
    const [w, h] = size.split('x').map(Number) as [number, number]
    const [bw, bh] = best.split('x').map(Number) as [number, number]
    if (Math.abs(Math.log(w / h) - target) < Math.abs(Math.log(bw / bh) - target)) best = size
  }
  return best
}

export class OpenAIImageProvider implements ImageProvider {
  readonly offline = false
  readonly #connection: OpenAIConnection
  readonly #config: OpenAIImageConfig

  constructor(config: OpenAIImageConfig) {
    this.#connection = new OpenAIConnection(config)
    this.#config = config
  }

  get id(): string {
    return this.#connection.id
  }

  probe(signal?: AbortSignal): Promise<void> {
    return this.#connection.probe(signal)
  }

  async generate(request: ImageRequest, options: ImageCallOptions): Promise<ImageResult> {
    const connection = this.#connection
    assertImageSize(request.width, request.height, connection.id)
    const model = connection.model
    const size = this.#config.size ?? apiSizeFor(model, request.width, request.height)
    const prompt = request.style ? `${request.prompt}\n\nStyle: ${request.style}` : request.prompt

    let b64: string | undefined
    try {
      const response = await connection.client.images.generate(
        {
          model,
          prompt,
          n: 1,
          size: size as '1024x1024',
          // GPT image models always answer in base64 and reject the parameter.
          ...(isGptImage(model) ? {} : { response_format: 'b64_json' as const }),
          ...(this.#config.quality ? { quality: this.#config.quality as 'standard' } : {})
        },
        { signal: options.signal }
      )
      const first = response?.data?.[0]
      if (!first) throw retryable(`${connection.id}: the response contained no image`, { provider: connection.id })
      if (!first.b64_json) {
        throw first.url
          ? permanent(`${connection.id}: the server answered with a URL instead of b64_json; it does not support response_format=b64_json`, { provider: connection.id })
          : retryable(`${connection.id}: the image in the response has no data`, { provider: connection.id })
      }
      b64 = first.b64_json
    } catch (err) {
      throw connection.fail(err, options.signal)
    }

    let png: Buffer
    try {
      png = await sharp()(Buffer.from(b64, 'base64'))
        .resize(request.width, request.height, { fit: 'cover', position: 'attention' })
        .png()
        .toBuffer()
    } catch (err) {
      throw retryable(`${connection.id}: the image data could not be decoded (${(err as Error).message})`, { provider: connection.id, cause: err })
    }
    if (options.signal.aborted) throw connection.fail(new Error('aborted'), options.signal)
    await writeFileAtomic(options.outPath, png)
    return {
      path: options.outPath,
      width: request.width,
      height: request.height,
      ...connection.cost(model, { images: 1, imageSize: size }),
      provider: connection.id,
      offline: false,
      model
    }
  }
}
