/**
 * Offline images: title cards rendered by sharp (librsvg) from an SVG — a gradient background
 * picked from the prompt's hash, a few soft shapes, and the title wrapped in DejaVu Sans with an
 * optional subtitle. Any width/height; the same prompt always gives the same card.
 */
import type Sharp from 'sharp'
import { lazyPackage } from '../lazy-package'
import { writeFileAtomic } from './atomic-write'
import { throwIfCancelled } from './cancellation'
import { assertImageSize } from './image-size'
import { createRng, type Rng } from './seeded-random'
import type { ImageCallOptions, ImageProvider, ImageRequest, ImageResult } from './types'

const sharp = lazyPackage<typeof Sharp>('sharp')

export const SHARP_IMAGE_PROVIDER_ID = 'sharp-title-card'

const FONT_FAMILY = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif"
/** Average advance of a DejaVu Sans Bold glyph, in ems: used to wrap without measuring text. */
const BOLD_CHAR_WIDTH_EM = 0.64
const REGULAR_CHAR_WIDTH_EM = 0.56

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string)
}

/** Greedy word wrap to `maxChars` per line; words longer than a line are cut. */
export function wrapText(text: string, maxChars: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const pieces = word.length > maxChars ? (word.match(new RegExp(`.{1,${Math.max(1, maxChars)}}`, 'gu')) ?? [word]) : [word]
    for (const piece of pieces) {
      if (!line) line = piece
      else if (line.length + 1 + piece.length <= maxChars) line += ` ${piece}`
      else {
        lines.push(line)
        line = piece
      }
    }
  }
  if (line) lines.push(line)
  return lines
}

interface Palette {
  from: string
  to: string
  text: string
  shadow: string
  shapes: string
}

const hsl = (h: number, s: number, l: number): string => `hsl(${Math.round(h) % 360}, ${Math.round(s)}%, ${Math.round(l)}%)`

/** Colours from the hash; "light"/"pastel" styles get light backgrounds with dark text, everything else dark with white text. */
function paletteFor(rng: Rng, style: string | undefined): Palette {
  const hue = rng.int(0, 359)
  const shift = rng.int(30, 80) * (rng.chance(0.5) ? 1 : -1)
  const saturation = rng.int(50, 75)
  const light = /light|pastel|bright|clair/i.test(style ?? '')
  const dark = /dark|night|noir|sombre/i.test(style ?? '')
  if (light) return { from: hsl(hue, saturation, 82), to: hsl(hue + shift + 360, saturation, 68), text: '#1b1b1f', shadow: 'rgba(255,255,255,0.45)', shapes: '#ffffff' }
  const base = dark ? 14 : rng.int(26, 38)
  return { from: hsl(hue, saturation, base + 12), to: hsl(hue + shift + 360, saturation, base), text: '#ffffff', shadow: 'rgba(0,0,0,0.35)', shapes: '#ffffff' }
}

interface TextBlock {
  lines: string[]
  fontSize: number
}

/** The largest font size at which the text fits in `maxLines` lines of `boxWidth` pixels. */
function fitText(text: string, boxWidth: number, maxLines: number, startSize: number, charWidthEm: number): TextBlock {
  let fontSize = startSize
  for (;;) {
    const lines = wrapText(text, Math.max(1, Math.floor(boxWidth / (fontSize * charWidthEm))))
    if ((lines.length <= maxLines && lines.every((l) => l.length * fontSize * charWidthEm <= boxWidth * 1.02)) || fontSize <= 10) {
      return { lines: lines.slice(0, Math.max(maxLines, 1)), fontSize }
    }
    fontSize = Math.max(10, Math.floor(fontSize * 0.9))
  }
}

export function titleCardSvg(request: ImageRequest): string {
  const { width, height } = request
  const rng = createRng(`${request.prompt}|${request.style ?? ''}`)
  const palette = paletteFor(rng, request.style)
  const title = (request.title ?? request.prompt).trim()
  const short = Math.min(width, height)
  const boxWidth = width * 0.84

  const titleBlock = fitText(title, boxWidth, height > width ? 6 : 4, Math.max(12, Math.round(short * 0.11)), BOLD_CHAR_WIDTH_EM)
  const subtitleBlock = request.subtitle?.trim()
    ? fitText(request.subtitle.trim(), boxWidth, 2, Math.max(10, Math.round(titleBlock.fontSize * 0.45)), REGULAR_CHAR_WIDTH_EM)
    : undefined
  const titleLineHeight = titleBlock.fontSize * 1.18
  const subtitleLineHeight = (subtitleBlock?.fontSize ?? 0) * 1.3
  const gap = subtitleBlock ? titleBlock.fontSize * 0.6 : 0
  const blockHeight = titleBlock.lines.length * titleLineHeight + gap + (subtitleBlock?.lines.length ?? 0) * subtitleLineHeight
  let y = (height - blockHeight) / 2 + titleBlock.fontSize * 0.9
  const shadowOffset = Math.max(1, Math.round(titleBlock.fontSize * 0.04))

  const text: string[] = []
  for (const line of titleBlock.lines) {
    const attrs = `x="${width / 2}" y="${y.toFixed(1)}" font-size="${titleBlock.fontSize}" font-weight="bold"`
    text.push(`<text ${attrs} dx="${shadowOffset}" dy="${shadowOffset}" fill="${palette.shadow}">${escapeXml(line)}</text>`)
    text.push(`<text ${attrs} fill="${palette.text}">${escapeXml(line)}</text>`)
    y += titleLineHeight
  }
  if (subtitleBlock) {
    y += gap - titleLineHeight + subtitleLineHeight
    for (const line of subtitleBlock.lines) {
      text.push(`<text x="${width / 2}" y="${y.toFixed(1)}" font-size="${subtitleBlock.fontSize}" fill="${palette.text}" fill-opacity="0.85">${escapeXml(line)}</text>`)
      y += subtitleLineHeight
    }
  }

  // Soft circles so the card is not a bare gradient (and does not look identical to its neighbours).
  const shapes = Array.from({ length: rng.int(3, 6) }, () => {
    const r = short * (0.15 + rng.next() * 0.45)
    return `<circle cx="${(rng.next() * width).toFixed(1)}" cy="${(rng.next() * height).toFixed(1)}" r="${r.toFixed(1)}" fill="${palette.shapes}" fill-opacity="${(0.04 + rng.next() * 0.08).toFixed(3)}"/>`
  })
  const angle = rng.int(0, 359)
  const rad = (angle * Math.PI) / 180
  const x1 = (50 - Math.cos(rad) * 50).toFixed(1)
  const y1 = (50 - Math.sin(rad) * 50).toFixed(1)
  const x2 = (50 + Math.cos(rad) * 50).toFixed(1)
  const y2 = (50 + Math.sin(rad) * 50).toFixed(1)

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><linearGradient id="bg" x1="${x1}%" y1="${y1}%" x2="${x2}%" y2="${y2}%">`,
    `<stop offset="0%" stop-color="${palette.from}"/><stop offset="100%" stop-color="${palette.to}"/>`,
    '</linearGradient></defs>',
    `<rect width="100%" height="100%" fill="url(#bg)"/>`,
    ...shapes,
    `<g font-family="${escapeXml(FONT_FAMILY)}" text-anchor="middle">`,
    ...text,
    '</g>',
    '</svg>'
  ].join('\n')
}

export class SharpImageProvider implements ImageProvider {
  readonly id = SHARP_IMAGE_PROVIDER_ID
  readonly offline = true

  async probe(): Promise<void> {}

  async generate(request: ImageRequest, options: ImageCallOptions): Promise<ImageResult> {
    throwIfCancelled(options.signal, this.id)
    const { width, height } = request
    assertImageSize(width, height, this.id)
    const png = await sharp()(Buffer.from(titleCardSvg(request)), { density: 72 }).png().toBuffer()
    throwIfCancelled(options.signal, this.id)
    await writeFileAtomic(options.outPath, png)
    return { path: options.outPath, width, height, costUsd: 0, priceKnown: true, provider: this.id, offline: true }
  }
}
