import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { permanent, retryable } from './errors'
import { resolveBinaries, type BinarySettings } from './render/binaries'
import { describeFailure, runTool } from './render/exec'
import { filterPath } from './render/filtergraph'
import { fontsDir } from './render/fonts'
import { SubtitleStyle, cuesFromText, cueLayoutFor, toAss, type SubtitleStyleInput } from './render/subtitles'
import { PRESETS } from './render/video'

/**
 * One real frame with the captions as they will be burned in (libass, same ASS as the render),
 * over a neutral gradient, for the settings panel's live preview. Rendered at half size.
 */
export async function renderSubtitlePreview(o: {
  text: string
  style: SubtitleStyleInput
  preset: 'short' | 'landscape'
  renderer: 'libass' | 'imagemagick'
  ffmpeg?: BinarySettings
}): Promise<Buffer> {
  const parsed = SubtitleStyle.safeParse(o.style)
  if (!parsed.success) throw permanent(`style: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  const style = parsed.data
  const frame = { width: PRESETS[o.preset].width / 2, height: PRESETS[o.preset].height / 2 }
  const binaries = await resolveBinaries(o.ffmpeg)
  const dir = await mkdtemp(join(tmpdir(), 'studio-preview-'))
  try {
    const cues = cuesFromText(o.text, 3, cueLayoutFor(style, frame))
    const assPath = join(dir, 'preview.ass')
    await writeFile(assPath, toAss(cues, style, { ...frame }))
    const out = join(dir, 'preview.png')
    const graph =
      `color=c=0x2b3a55:s=${frame.width}x${frame.height}:d=1,format=rgb24,` +
      `geq=r='40+60*Y/H':g='50+50*X/W':b='90+80*Y/H',` +
      `subtitles=filename=${filterPath(assPath)}:fontsdir=${filterPath(fontsDir())}`
    const result = await runTool(binaries.ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', graph, '-ss', '0.5', '-frames:v', '1', '-y', out], { timeoutMs: 20_000 })
    if (result.code !== 0) throw retryable(`subtitle preview failed: ${describeFailure(result)}`)
    return await readFile(out)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
