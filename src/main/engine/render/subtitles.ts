import { z } from 'zod'
import { type Cue, type CueLayout, type WordTiming, splitWords, toUnits } from './cues'

export * from './cues'

/**
 * Caption style. Defaults come from seed 2's subtitle service (MoviePy + ImageMagick):
 * fontsize 50, white, black stroke 2, margin 60, bottom_offset 120, fonts DejaVu-Sans-Bold →
 * Liberation-Sans-Bold → Noto-Sans-Bold. Those numbers were tuned for a 1080 px wide short, so
 * every length here is expressed for `referenceWidth` and scaled to the actual video.
 * (Seed 2 also had bg_color black: that was MoviePy's clip background, not a text box.)
 */
const HexColor = z.string().regex(/^#?[0-9a-fA-F]{6}$/, 'expected a colour like #FFFFFF')

export const SubtitleStyle = z.object({
  /** Family fallback list; the first one found (shipped fonts, then system) is used. */
  fonts: z.array(z.string().min(1)).min(1).default(['DejaVu Sans', 'Liberation Sans', 'Noto Sans']),
  bold: z.boolean().default(true),
  fontSize: z.number().positive().max(400).default(50),
  color: HexColor.default('#FFFFFF'),
  strokeColor: HexColor.default('#000000'),
  strokeWidth: z.number().min(0).max(40).default(2),
  /** Colour a word takes once spoken, in karaoke mode. */
  highlightColor: HexColor.default('#FFD400'),
  /** Distance from the bottom edge to the bottom of the text (ASS MarginV). */
  bottomOffset: z.number().min(0).default(120),
  /** Left and right margin (ASS MarginL/MarginR). */
  margin: z.number().min(0).default(60),
  referenceWidth: z.number().positive().default(1080),
  /**
   * 'shortSide' (default) keeps landscape captions the size they have in a short: seed 2's values
   * were tuned for a 1080 px wide short, and scaling them by a 1920 px width made landscape
   * captions 1.8× larger and cover the picture. 'width' follows the seed literally. Identical
   * for portrait videos.
   */
  scaleBy: z.enum(['width', 'shortSide']).default('shortSide'),
  maxCharsPerLine: z.number().int().min(8).max(120).default(42),
  maxLines: z.number().int().min(1).max(4).default(2),
  minCueSec: z.number().min(0).max(10).default(0.8)
})
export type SubtitleStyle = z.output<typeof SubtitleStyle>
export type SubtitleStyleInput = z.input<typeof SubtitleStyle>

export const DEFAULT_SUBTITLE_STYLE: SubtitleStyle = SubtitleStyle.parse({})

export interface FrameSize {
  width: number
  height: number
}

export function styleScale(style: SubtitleStyle, frame: FrameSize): number {
  const basis = style.scaleBy === 'width' ? frame.width : Math.min(frame.width, frame.height)
  return basis / style.referenceWidth
}

/** Style lengths in pixels of this frame. */
export function scaledStyle(style: SubtitleStyle, frame: FrameSize) {
  const s = styleScale(style, frame)
  return {
    fontSize: style.fontSize * s,
    strokeWidth: style.strokeWidth * s,
    bottomOffset: style.bottomOffset * s,
    margin: style.margin * s
  }
}

/** Average advance of bold sans glyphs in mixed-case text, in ems (DejaVu Sans Bold ≈ 0.59). */
const AVG_ADVANCE_EM = 0.6

/**
 * Characters that fit on one line, capped by the style's maximum. At 50 px, 42 characters of
 * DejaVu Sans Bold measure ~1070 px: wider than the 960 px a 1080 px frame leaves between the
 * margins, so the cap alone would make libass add a third line.
 * `emPerFontSize` comes from the font file (see fonts.ts), 1 when unknown.
 */
export function cueLayoutFor(style: SubtitleStyle, frame: FrameSize, emPerFontSize = 0.86): CueLayout {
  const px = scaledStyle(style, frame)
  const usable = frame.width - 2 * px.margin
  const fitting = Math.floor(usable / (px.fontSize * emPerFontSize * AVG_ADVANCE_EM))
  return {
    maxCharsPerLine: Math.max(8, Math.min(style.maxCharsPerLine, fitting)),
    maxLines: style.maxLines,
    minCueSec: style.minCueSec
  }
}

/**
 * Text for an ASS Dialogue line. libass reads `{...}` as override tags and `\N`, `\n`, `\h` as
 * escapes. Braces have the `\{`/`\}` escapes; a backslash has none, so we put an invisible
 * WORD JOINER after it, which stops it from combining with the next character.
 */
export function escapeAssText(text: string): string {
  return text
    .replace(/\\/g, '\\\u2060')
    .replace(/\{/g, '\\{')
    .replace(/\}/g, '\\}')
    .replace(/\t/g, ' ')
    .replace(/\r\n|\r|\n/g, '\\N')
}

/** "#RRGGBB" → "&H00BBGGRR" (ASS is little-endian BGR with alpha first, 00 = opaque). */
export function assColor(hex: string): string {
  const h = hex.replace('#', '').toUpperCase()
  return `&H00${h.slice(4, 6)}${h.slice(2, 4)}${h.slice(0, 2)}`
}

/** H:MM:SS.cc — ASS has centisecond precision. */
export function assTime(seconds: number): string {
  const cs = Math.max(0, Math.round(seconds * 100))
  const h = Math.floor(cs / 360000)
  const m = Math.floor((cs % 360000) / 6000)
  const s = Math.floor((cs % 6000) / 100)
  return `${h}:${pad(m, 2)}:${pad(s, 2)}.${pad(cs % 100, 2)}`
}

/** HH:MM:SS,mmm */
export function srtTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000))
  const h = Math.floor(ms / 3600000)
  const m = Math.floor((ms % 3600000) / 60000)
  const s = Math.floor((ms % 60000) / 1000)
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)},${pad(ms % 1000, 3)}`
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

export interface AssOptions extends FrameSize {
  /** Word-by-word highlight with \k tags. */
  karaoke?: boolean
  /** Family actually available (see fonts.resolveFont); defaults to the first of style.fonts. */
  fontName?: string
}

/**
 * A complete .ass file. PlayResX/PlayResY equal the video size, so the numbers in the style are
 * pixels of the output and libass does not rescale anything (no force_style needed).
 */
export function toAss(cues: readonly Cue[], style: SubtitleStyle, options: AssOptions): string {
  const px = scaledStyle(style, options)
  const karaoke = options.karaoke ?? false
  const font = (options.fontName ?? style.fonts[0] ?? 'DejaVu Sans').replace(/,/g, ' ')
  const primary = assColor(karaoke ? style.highlightColor : style.color)
  const secondary = assColor(style.color)
  const fields = [
    'Default',
    font,
    round2(px.fontSize),
    primary,
    secondary,
    assColor(style.strokeColor),
    '&H80000000',
    style.bold ? -1 : 0,
    0, 0, 0, 100, 100, 0, 0,
    1, // BorderStyle 1: outline + shadow, no opaque box
    round2(px.strokeWidth),
    0, // no shadow
    2, // bottom centre
    Math.round(px.margin),
    Math.round(px.margin),
    Math.round(px.bottomOffset),
    1
  ]
  const header = [
    '[Script Info]',
    '; Generated by Creative Studio',
    'ScriptType: v4.00+',
    `PlayResX: ${options.width}`,
    `PlayResY: ${options.height}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: None',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: ${fields.join(',')}`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text'
  ]
  const events = cues
    .filter((c) => c.end > c.start && c.text.trim())
    .map((c) => {
      const text = karaoke ? karaokeText(c) : escapeAssText(c.text)
      return `Dialogue: 0,${assTime(c.start)},${assTime(c.end)},Default,,0,0,0,,${text}`
    })
  return [...header, ...events, ''].join('\n')
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}

/**
 * `{\kN}` before each word: libass paints a word in PrimaryColour from the moment it starts (the sum
 * of the durations before it) and the words after it in SecondaryColour; N is the word's own
 * duration in centiseconds, up to the next word's start. Uses the cue's word timings when they
 * match its words, otherwise spreads the cue over its words by length. Rounding is cumulative so the highlight does not drift.
 */
export function karaokeText(cue: Cue): string {
  // Same grouping as the cue builder ("Bonjour !" is one word), so TTS timings line up.
  const lines = cue.text.split(/\r\n|\r|\n/).map((l) => toUnits(splitWords(l)).map((u) => u.text))
  const tokens = lines.flat()
  if (tokens.length === 0) return ''
  const timings = cue.words && cue.words.length === tokens.length ? cue.words : spreadWords(tokens, cue)
  const toCs = (t: number) => Math.round((Math.min(Math.max(t, cue.start), cue.end) - cue.start) * 100)
  let out = ''
  const lead = toCs(timings[0]!.start)
  if (lead > 0) out += `{\\k${lead}}`
  let index = 0
  lines.forEach((line, l) => {
    if (l > 0) out += '\\N'
    line.forEach((token, w) => {
      const from = toCs(timings[index]!.start)
      const next = timings[index + 1]
      const to = toCs(next ? next.start : timings[index]!.end)
      out += `{\\k${Math.max(0, to - from)}}${escapeAssText(token)}${w < line.length - 1 ? ' ' : ''}`
      index++
    })
  })
  return out
}

function spreadWords(tokens: readonly string[], cue: Cue): WordTiming[] {
  const total = tokens.reduce((s, t) => s + t.length, 0) || 1
  let t = cue.start
  return tokens.map((text) => {
    const start = t
    t += ((cue.end - cue.start) * text.length) / total
    return { text, start, end: t }
  })
}

/**
 * SubRip for the sidecar file. SRT has no escaping; the only thing that breaks it is an empty
 * line inside a cue (it ends the block), so those are dropped.
 */
export function toSrt(cues: readonly Cue[]): string {
  return cues
    .filter((c) => c.end > c.start && c.text.trim())
    .map((c, k) => {
      const text = c.text
        .split(/\r\n|\r|\n/)
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n')
      return `${k + 1}\n${srtTime(c.start)} --> ${srtTime(c.end)}\n${text}\n`
    })
    .join('\n')
}
