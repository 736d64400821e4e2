/** What the local image generators (AUTOMATIC1111/Forge, ComfyUI) share: sizes, seeds, the final PNG. */
import type Sharp from 'sharp'
import { lazyPackage } from '../lazy-package'
import { retryable } from '../errors'
import { writeFileAtomic } from './atomic-write'
import type { ImageRequest, ImageResult } from './types'

const sharp = lazyPackage<typeof Sharp>('sharp')

/**
 * Stable Diffusion works in multiples of 8 (64 for most models) and in about a megapixel: the
 * request's aspect ratio at that budget. The result is then fitted to the exact size asked.
 */
export function generationSize(width: number, height: number, pixels = 1024 * 1024): { width: number; height: number } {
  const scale = Math.min(1, Math.sqrt(pixels / (width * height)))
  const snap = (n: number) => Math.max(64, Math.round((n * scale) / 64) * 64)
  return { width: snap(width), height: snap(height) }
}

/** A seed from the prompt: the same request gives the same picture. */
export function seedFor(request: ImageRequest): number {
  let h = 2166136261
  for (const c of `${request.prompt}|${request.style ?? ''}`) h = Math.imul(h ^ c.codePointAt(0)!, 16777619) >>> 0
  return h % 4294967295
}

export function promptOf(request: ImageRequest): string {
  return request.style ? `${request.prompt}, ${request.style}` : request.prompt
}

export async function writeFitted(provider: string, image: Uint8Array, request: ImageRequest, outPath: string): Promise<Pick<ImageResult, 'path' | 'width' | 'height'>> {
  let png: Buffer
  try {
    png = await sharp()(image).resize(request.width, request.height, { fit: 'cover', position: 'attention' }).png().toBuffer()
  } catch (err) {
    throw retryable(`${provider}: the image could not be decoded (${(err as Error).message})`, { provider, cause: err })
  }
  await writeFileAtomic(outPath, png)
  return { path: outPath, width: request.width, height: request.height }
}
