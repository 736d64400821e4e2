import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { permanent, retryable } from './errors'
import { resolveBinaries, type BinarySettings } from './render/binaries'
import { captionLook, renderCaptionImages } from './render/captions-imagemagick'
import { describeFailure, runTool } from './render/exec'
import { filterPath } from './render/filtergraph'
import { fontsDir, resolveFont } from './render/fonts'
import { SubtitleStyle, cuesFromText, cueLayoutFor, scaledStyle, toAss, type SubtitleStyleInput } from './render/subtitles'
import { PRESETS } from './render/video'

export type CaptionRenderer = 'libass' | 'imagemagick'

export interface SubtitlePreview {
  png: Buffer
  width: number
  height: number
  /** The renderer that drew the captions (libass falls back to ImageMagick like a real render). */
  renderer: CaptionRenderer
}

/** The moment of the 1 s preview clip that is grabbed: the first cue is on screen then. */
const AT_SEC = 0.5

const BACKGROUND = (w: number, h: number) =>
  `color=c=0x2b3a55:s=${w}x${h}:d=1,format=rgb24,geq=r='40+60*Y/H':g='50+50*X/W':b='90+80*Y/H'`

/**
 * One real frame with the captions as they will be burned in, drawn by the renderer the video
 * would use (libass from the same ASS as the render, or ImageMagick overlays), over a neutral
 * gradient, for the settings panel's live preview. Rendered at half the preset's size, so the
 * frame's shape tells short from landscape.
 */
export async function renderSubtitlePreview(o: {
  text: string
  style: SubtitleStyleInput
  preset: 'short' | 'landscape'
  renderer: CaptionRenderer
  ffmpeg?: BinarySettings
}): Promise<SubtitlePreview> {
  const parsed = SubtitleStyle.safeParse(o.style)
  if (!parsed.success) throw permanent(`style: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  const style = parsed.data
  const frame = { width: PRESETS[o.preset].width / 2, height: PRESETS[o.preset].height / 2 }
  const binaries = await resolveBinaries(o.ffmpeg)
  // Same choice as renderVideo: an ffmpeg without libass draws captions with ImageMagick.
  const renderer: CaptionRenderer = o.renderer === 'libass' && !binaries.ffmpeg.hasLibass ? 'imagemagick' : o.renderer
  const dir = await mkdtemp(join(tmpdir(), 'studio-preview-'))
  try {
    const cues = cuesFromText(o.text, 3, cueLayoutFor(style, frame))
    const out = join(dir, 'preview.png')
    const background = BACKGROUND(frame.width, frame.height)
    let inputs: string[]
    if (renderer === 'libass') {
      const assPath = join(dir, 'preview.ass')
      await writeFile(assPath, toAss(cues, style, { ...frame }))
      const graph = `${background},subtitles=filename=${filterPath(assPath)}:fontsdir=${filterPath(fontsDir())}`
      inputs = ['-f', 'lavfi', '-i', graph]
    } else {
      const font = await resolveFont(style.fonts)
      if (!font) throw permanent(`none of the caption fonts is available: ${style.fonts.join(', ')}`)
      const shown = cues.filter((c) => c.start <= AT_SEC && c.end > AT_SEC).slice(0, 1)
      const [image] = await renderCaptionImages(shown, await captionLook(style, frame, font), { workDir: dir })
      const bottom = Math.round(scaledStyle(style, frame).bottomOffset)
      inputs = image
        ? ['-f', 'lavfi', '-i', background, '-i', image.path, '-filter_complex', `[0:v][1:v]overlay=x=(W-w)/2:y=H-h-${bottom}`]
        : ['-f', 'lavfi', '-i', background]
    }
    const result = await runTool(binaries.ffmpeg.path, ['-hide_banner', '-loglevel', 'error', ...inputs, '-ss', String(AT_SEC), '-frames:v', '1', '-y', out], {
      timeoutMs: 20_000
    })
    if (result.code !== 0) throw retryable(`subtitle preview failed: ${describeFailure(result)}`)
    return { png: await readFile(out), ...frame, renderer }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
