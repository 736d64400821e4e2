import { permanent } from '../errors'

/** Largest side we render or resize to: beyond this sharp needs gigabytes and no video uses it. */
export const MAX_IMAGE_SIDE = 8192

/** Bad dimensions are the caller's mistake: a permanent error before any work or any paid call. */
export function assertImageSize(width: number, height: number, provider: string): void {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_IMAGE_SIDE
  if (!ok(width) || !ok(height)) {
    throw permanent(`${provider}: invalid image size ${width}×${height} (whole pixels, 1–${MAX_IMAGE_SIDE} per side)`, { provider })
  }
}
