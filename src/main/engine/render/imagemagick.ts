import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describeFailure, runTool } from './exec'

/**
 * Locating ImageMagick. `magick` (v7) first, then `convert` (v6). "convert" is also a Windows
 * system tool and, on some machines, a stand-in script — so a candidate only counts when its
 * -version output really says ImageMagick.
 */
export interface ImageMagick {
  command: string
  version: string
  major: number
  /**
   * Whether `label:@file` may read a text file. Debian's policy.xml forbids it (`@*` path
   * rights none) to stop text injection attacks; then we pass the text as an argument.
   */
  atFilesAllowed: boolean
}

let cached: Promise<ImageMagick | { reason: string }> | undefined

export function findImageMagick(): Promise<ImageMagick | { reason: string }> {
  cached ??= locate()
  return cached
}

async function locate(): Promise<ImageMagick | { reason: string }> {
  const reasons: string[] = []
  for (const command of ['magick', 'convert']) {
    const result = await runTool(command, ['-version'], { timeoutMs: 10_000 })
    const match = /^Version: ImageMagick (\d+)\.(\S+)/m.exec(result.stdout)
    if (result.code === 0 && match?.[1]) {
      const found = { command, version: `${match[1]}.${match[2]}`, major: Number(match[1]) }
      return { ...found, atFilesAllowed: await probeAtFiles(command) }
    }
    reasons.push(`${command}: ${result.code === 0 ? 'not ImageMagick' : describeFailure(result)}`)
  }
  return { reason: reasons.join('; ') }
}

/** Asking ImageMagick beats parsing policy.xml: policies live in several files and differ by version. */
async function probeAtFiles(command: string): Promise<boolean> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'studio-im-policy-'))
  try {
    const textFile = path.join(dir, 'probe.txt')
    await writeFile(textFile, 'ok')
    const result = await runTool(command, ['-size', '10x10', `label:@${textFile}`, 'null:'], { timeoutMs: 10_000 })
    return result.code === 0
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Text given as an argument to label:/caption: goes through ImageMagick's property
 * interpretation: `%x` escapes expand, `\n` becomes a newline, and a leading `@` means "read this
 * file". Escape all three so the caption shows exactly the cue text (real newlines are kept).
 */
export function escapeImageMagickText(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/%/g, '%%')
  return escaped.startsWith('@') ? `\\${escaped}` : escaped
}
