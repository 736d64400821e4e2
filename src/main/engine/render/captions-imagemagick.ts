import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { StepError, permanent, retryable } from '../errors'
import type { Cue } from './cues'
import { runTool } from './exec'
import { type ResolvedFont, emPerFontSize } from './fonts'
import { type ImageMagick, escapeImageMagickText, findImageMagick } from './imagemagick'
import { type FrameSize, type SubtitleStyle, scaledStyle } from './subtitles'

/**
 * Seed 2's caption renderer: each cue becomes a transparent PNG drawn by ImageMagick, which
 * ffmpeg then overlays during the cue (`enable='between(t,start,end)'`). Kept as an alternative
 * to libass for ffmpeg builds without it and for effects ImageMagick can do and ASS cannot.
 */

export interface CaptionImage {
  path: string
  start: number
  end: number
}

export interface CaptionLook {
  font: ResolvedFont
  /** ImageMagick -pointsize (em size in px) */
  pointSize: number
  strokeWidth: number
  fill: string
  stroke: string
  /** Widest the image may be: the frame minus the side margins. */
  maxWidth: number
}

export async function captionLook(style: SubtitleStyle, frame: FrameSize, font: ResolvedFont): Promise<CaptionLook> {
  const px = scaledStyle(style, frame)
  return {
    font,
    // Match libass sizing (font size = ascent + descent), see fonts.emPerFontSize.
    pointSize: Math.round(px.fontSize * (await emPerFontSize(font.file)) * 100) / 100,
    strokeWidth: Math.round(px.strokeWidth * 100) / 100,
    fill: normaliseHex(style.color),
    stroke: normaliseHex(style.strokeColor),
    maxWidth: Math.max(16, Math.floor(frame.width - 2 * px.margin))
  }
}

function normaliseHex(color: string): string {
  return color.startsWith('#') ? color : `#${color}`
}

/**
 * The convert/magick arguments for one caption. `text` is either `@file` (already a file
 * reference) or the literal text, which we escape. The stroke is drawn twice as wide and the
 * fill drawn again on top: ImageMagick strokes straddle the glyph edge, ASS outlines sit outside.
 */
export function captionArgs(textArg: string, look: CaptionLook, output: string): string[] {
  const common = ['-background', 'none', '-font', look.font.file, '-pointsize', String(look.pointSize), '-gravity', 'center']
  const layers =
    look.strokeWidth > 0
      ? [
          '-fill', look.fill, '-stroke', look.stroke, '-strokewidth', String(look.strokeWidth * 2), `label:${textArg}`,
          '-stroke', 'none', `label:${textArg}`,
          '-composite'
        ]
      : ['-fill', look.fill, '-stroke', 'none', `label:${textArg}`]
  // Shrink (never enlarge) a line that would not fit between the margins: better small than cut.
  return [...common, ...layers, '-resize', `${look.maxWidth}x>`, `PNG32:${output}`]
}

export interface RenderCaptionOptions {
  workDir: string
  signal?: AbortSignal
  imagemagick?: ImageMagick
}

export async function renderCaptionImages(
  cues: readonly Cue[],
  look: CaptionLook,
  options: RenderCaptionOptions
): Promise<CaptionImage[]> {
  const im = options.imagemagick ?? (await requireImageMagick())
  const visible = cues.filter((c) => c.end > c.start && c.text.trim())
  const results: CaptionImage[] = new Array(visible.length)
  let next = 0
  const worker = async () => {
    while (next < visible.length) {
      const k = next++
      const cue = visible[k]!
      const name = `caption-${String(k).padStart(4, '0')}`
      const output = path.join(options.workDir, `${name}.png`)
      let textArg = escapeImageMagickText(cue.text)
      if (im.atFilesAllowed) {
        // A file sidesteps every escaping rule (ImageMagick reads it verbatim).
        const textFile = path.join(options.workDir, `${name}.txt`)
        await writeFile(textFile, cue.text, 'utf8')
        textArg = `@${textFile}`
      }
      await runImageMagick(im, captionArgs(textArg, look, output), options.signal)
      results[k] = { path: output, start: cue.start, end: cue.end }
    }
  }
  const parallel = Math.max(1, Math.min(os.availableParallelism(), visible.length))
  await Promise.all(Array.from({ length: parallel }, worker))
  return results
}

async function requireImageMagick(): Promise<ImageMagick> {
  const found = await findImageMagick()
  if ('reason' in found) throw permanent(`ImageMagick is required for this caption renderer: ${found.reason}`)
  return found
}

async function runImageMagick(im: ImageMagick, args: string[], signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw new StepError('cancelled', 'render cancelled')
  const result = await runTool(im.command, args, { timeoutMs: 60_000, ...(signal ? { signal } : {}) })
  if (signal?.aborted) throw new StepError('cancelled', 'render cancelled')
  if (result.code !== 0) {
    const detail = result.stderr.trim().split('\n').slice(-3).join(' ')
    const message = `ImageMagick could not draw a caption: ${detail || result.error?.message || 'unknown error'}`
    throw /not allowed by the security policy|unable to read font|no images defined/i.test(detail)
      ? permanent(message)
      : retryable(message)
  }
}
