import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runTool } from './exec'

/**
 * Fonts we ship in resources/fonts so captions look the same on every machine (seed 2 relied on
 * whatever the Docker image had installed). Bold faces only: that is the caption style.
 */
export const SHIPPED_FONTS = [
  { family: 'DejaVu Sans', file: 'DejaVuSans-Bold.ttf' },
  { family: 'Liberation Sans', file: 'LiberationSans-Bold.ttf' },
  { family: 'Noto Sans', file: 'NotoSans-Bold.ttf' }
] as const

let fontsDirOverride: string | undefined

/** For the Electron main process or tests that keep fonts somewhere else. */
export function setFontsDir(dir: string | undefined): void {
  fontsDirOverride = dir
}

/**
 * resources/fonts of the repo in development, <resources>/fonts (or <resources>/resources/fonts,
 * depending on how extraResources is mapped) in a packaged app. We walk up from this module rather
 * than using a fixed "../../../../" because the bundler moves this code into out/main/index.js.
 */
export function fontsDir(): string {
  if (fontsDirOverride) return fontsDirOverride
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath
  if (resourcesPath) {
    for (const candidate of [path.join(resourcesPath, 'fonts'), path.join(resourcesPath, 'resources', 'fonts')]) {
      if (existsSync(candidate)) return candidate
    }
  }
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = path.join(dir, 'resources', 'fonts')
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return fileURLToPath(new URL('../../../../resources/fonts', import.meta.url))
}

export interface ResolvedFont {
  family: string
  /** Absolute path of the bold face (for ImageMagick, which takes files, and for metrics). */
  file: string
  shipped: boolean
}

/**
 * First family of the fallback list that we can actually use: shipped files first, then the
 * system (fc-match), so a user-chosen font installed on the machine works too.
 */
export async function resolveFont(families: readonly string[], dir = fontsDir()): Promise<ResolvedFont | undefined> {
  for (const family of families) {
    const shipped = SHIPPED_FONTS.find((f) => f.family.toLowerCase() === family.toLowerCase())
    if (shipped && existsSync(path.join(dir, shipped.file))) {
      return { family: shipped.family, file: path.join(dir, shipped.file), shipped: true }
    }
    const system = await findSystemFont(family)
    if (system) return { family, file: system, shipped: false }
  }
  return undefined
}

/** fc-match always answers with *something*; only accept it when the family really matches. */
async function findSystemFont(family: string): Promise<string | undefined> {
  const result = await runTool('fc-match', ['-f', '%{family}\n%{file}', `${family}:bold`], { timeoutMs: 5_000 })
  if (result.code !== 0) return undefined
  const [families = '', file = ''] = result.stdout.split('\n')
  const matches = families.split(',').some((f) => f.trim().toLowerCase() === family.toLowerCase())
  return matches && file ? file : undefined
}

/** Families known to fontconfig (for `studio doctor`); empty when fc-list is not installed. */
export async function listSystemFontFamilies(): Promise<{ available: boolean; families: string[] }> {
  const result = await runTool('fc-list', ['--format', '%{family}\n'], { timeoutMs: 10_000 })
  if (result.code !== 0) return { available: false, families: [] }
  const families = new Set<string>()
  for (const line of result.stdout.split('\n')) {
    for (const name of line.split(',')) if (name.trim()) families.add(name.trim())
  }
  return { available: true, families: [...families].sort() }
}

/**
 * Pixels per em for a given ASS font size. libass (like VSFilter) sizes fonts so that
 * winAscent + winDescent equals the font size, whereas ImageMagick's -pointsize is the em size.
 * Without this conversion the ImageMagick captions would be ~15% larger than libass ones.
 */
export async function emPerFontSize(fontFile: string): Promise<number> {
  const cached = emRatioCache.get(fontFile)
  if (cached !== undefined) return cached
  const ratio = parseEmRatio(await readFile(fontFile))
  emRatioCache.set(fontFile, ratio)
  return ratio
}

const emRatioCache = new Map<string, number>()

/** Reads unitsPerEm (head) and usWinAscent/usWinDescent (OS/2) from a TrueType/OpenType file. */
export function parseEmRatio(font: Buffer): number {
  const tables = font.readUInt16BE(4)
  let head = -1
  let os2 = -1
  for (let i = 0; i < tables; i++) {
    const record = 12 + i * 16
    const tag = font.toString('latin1', record, record + 4)
    const offset = font.readUInt32BE(record + 8)
    if (tag === 'head') head = offset
    if (tag === 'OS/2') os2 = offset
  }
  if (head < 0 || os2 < 0) return 1
  const unitsPerEm = font.readUInt16BE(head + 18)
  const winAscent = font.readUInt16BE(os2 + 74)
  const winDescent = font.readUInt16BE(os2 + 76)
  const height = winAscent + winDescent
  return height > 0 && unitsPerEm > 0 ? unitsPerEm / height : 1
}
