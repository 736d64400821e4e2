import { existsSync } from 'node:fs'
import path from 'node:path'
import { type BinarySettings, type RejectedCandidate, findFfmpeg, findFfprobe } from './binaries'
import { SHIPPED_FONTS, fontsDir, listSystemFontFamilies } from './fonts'
import { findImageMagick } from './imagemagick'

/** What `studio doctor` prints about rendering: each tool, where it came from, or why it is missing. */
export interface ToolReport {
  ffmpeg: { ok: boolean; path?: string; version?: string; source?: string; error?: string }
  ffprobe: { ok: boolean; path?: string; version?: string; source?: string; error?: string }
  libass: boolean
  /** Candidates skipped while looking for ffmpeg/ffprobe, with the reason. */
  rejected: RejectedCandidate[]
  fonts: {
    dir: string
    shipped: Array<{ family: string; file: string; present: boolean }>
    /** fc-list answered (fontconfig installed). */
    fontconfig: boolean
    /** Our fallback families as fontconfig sees them on this machine. */
    systemFallbacks: string[]
  }
  imagemagick: { ok: boolean; command?: string; version?: string; atFilesAllowed?: boolean; error?: string }
}

export async function detectTools(settings: BinarySettings = {}): Promise<ToolReport> {
  const [ffmpeg, ffprobe, system, im] = await Promise.all([
    findFfmpeg(settings).catch((err: unknown) => err as Error),
    findFfprobe(settings).catch((err: unknown) => err as Error),
    listSystemFontFamilies(),
    findImageMagick()
  ])
  const dir = fontsDir()
  const fallbackFamilies = new Set<string>(SHIPPED_FONTS.map((f) => f.family))
  return {
    ffmpeg: ffmpeg instanceof Error ? { ok: false, error: ffmpeg.message } : { ok: true, ...ffmpeg.binary },
    ffprobe: ffprobe instanceof Error ? { ok: false, error: ffprobe.message } : { ok: true, ...ffprobe.binary },
    libass: !(ffmpeg instanceof Error) && ffmpeg.binary.hasLibass,
    rejected: [
      ...(ffmpeg instanceof Error ? [] : ffmpeg.rejected),
      ...(ffprobe instanceof Error ? [] : ffprobe.rejected)
    ],
    fonts: {
      dir,
      shipped: SHIPPED_FONTS.map((f) => ({ family: f.family, file: f.file, present: existsSync(path.join(dir, f.file)) })),
      fontconfig: system.available,
      systemFallbacks: system.families.filter((f) => fallbackFamilies.has(f))
    },
    imagemagick:
      'reason' in im
        ? { ok: false, error: im.reason }
        : { ok: true, command: im.command, version: im.version, atFilesAllowed: im.atFilesAllowed }
  }
}
