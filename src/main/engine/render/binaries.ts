import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { z } from 'zod'
import { permanent } from '../errors'
import { describeFailure, runTool } from './exec'

/**
 * Which ffmpeg/ffprobe we run. Order: explicit path from settings, FFMPEG_PATH/FFPROBE_PATH,
 * the npm-bundled static binaries, then whatever is on PATH. A candidate only wins if it starts
 * and (for ffmpeg) has every filter the renderer uses: a bundled build without libass would
 * otherwise fail in the middle of a render instead of here, with a clear reason.
 */

export const BinarySettings = z.object({
  ffmpegPath: z.string().min(1).optional(),
  ffprobePath: z.string().min(1).optional()
})
export type BinarySettings = z.infer<typeof BinarySettings>

export type BinarySource = 'settings' | 'env' | 'bundled' | 'system'

export interface ResolvedFfmpeg {
  path: string
  version: string
  source: BinarySource
  hasLibass: boolean
}

export interface ResolvedFfprobe {
  path: string
  version: string
  source: BinarySource
}

export interface RejectedCandidate {
  tool: 'ffmpeg' | 'ffprobe'
  source: BinarySource
  path: string
  reason: string
}

export interface Binaries {
  ffmpeg: ResolvedFfmpeg
  ffprobe: ResolvedFfprobe
  /** Candidates tried before (or instead of) the winners, with the reason each was skipped. */
  rejected: RejectedCandidate[]
}

/** subtitles = libass; the others are used by every render (Ken Burns, captions, ducking). */
export const REQUIRED_FILTERS = ['subtitles', 'zoompan', 'overlay', 'sidechaincompress'] as const

export interface ResolveOptions {
  /** Defaults to process.env; tests pass their own. */
  env?: NodeJS.ProcessEnv
  /** Override the bundled binaries (null = pretend none is bundled). */
  bundled?: { ffmpeg?: string | null; ffprobe?: string | null }
}

interface Candidate {
  source: BinarySource
  path: string
}

const cache = new Map<string, Promise<Binaries>>()

/** Resolved once per distinct settings/env; concurrent callers share the same probe. */
export function resolveBinaries(settings: BinarySettings = {}, options: ResolveOptions = {}): Promise<Binaries> {
  const env = options.env ?? process.env
  const key = JSON.stringify([
    settings.ffmpegPath,
    settings.ffprobePath,
    env.FFMPEG_PATH,
    env.FFPROBE_PATH,
    env.PATH,
    options.bundled ?? 'default'
  ])
  let pending = cache.get(key)
  if (!pending) {
    pending = resolveUncached(settings, env, options)
    cache.set(key, pending)
    // A failed resolution must not stick: the user may install ffmpeg and retry.
    pending.catch(() => cache.delete(key))
  }
  return pending
}

export function clearBinaryCache(): void {
  cache.clear()
}

async function resolveUncached(
  settings: BinarySettings,
  env: NodeJS.ProcessEnv,
  options: ResolveOptions
): Promise<Binaries> {
  const [ffmpeg, ffprobe] = await Promise.all([
    findFfmpeg(settings, { ...options, env }),
    findFfprobe(settings, { ...options, env })
  ])
  return { ffmpeg: ffmpeg.binary, ffprobe: ffprobe.binary, rejected: [...ffmpeg.rejected, ...ffprobe.rejected] }
}

/** Uncached, one tool at a time: for `studio doctor`, which reports each tool on its own. */
export async function findFfmpeg(
  settings: BinarySettings = {},
  options: ResolveOptions = {}
): Promise<{ binary: ResolvedFfmpeg; rejected: RejectedCandidate[] }> {
  const rejected: RejectedCandidate[] = []
  const env = options.env ?? process.env
  const binary = await pickFfmpeg(await candidatesFor('ffmpeg', settings.ffmpegPath, env, options, rejected), rejected)
  return { binary, rejected }
}

export async function findFfprobe(
  settings: BinarySettings = {},
  options: ResolveOptions = {}
): Promise<{ binary: ResolvedFfprobe; rejected: RejectedCandidate[] }> {
  const rejected: RejectedCandidate[] = []
  const env = options.env ?? process.env
  const explicit = settings.ffprobePath ?? (await ffprobeBeside(settings.ffmpegPath))
  const binary = await pickFfprobe(await candidatesFor('ffprobe', explicit, env, options, rejected), rejected)
  return { binary, rejected }
}

/**
 * The settings name one binary, ffmpeg. The ffprobe in the same folder comes from the same build
 * (every FFmpeg distribution ships them together), so it is the one the user meant: without this
 * a chosen ffmpeg would be paired with whatever ffprobe the bundle or PATH has. Only an existing
 * file counts; otherwise resolution goes on as if nothing were set (env, bundled, system).
 */
export async function ffprobeBeside(ffmpegPath: string | undefined): Promise<string | undefined> {
  if (!ffmpegPath || explicitBinaryProblem('ffmpeg', ffmpegPath)) return undefined
  const exe = /\.exe$/i.test(ffmpegPath) ? '.exe' : ''
  const sibling = path.join(path.dirname(ffmpegPath), `ffprobe${exe}`)
  try {
    await access(sibling, constants.F_OK)
    return sibling
  } catch {
    return undefined
  }
}

async function candidatesFor(
  tool: 'ffmpeg' | 'ffprobe',
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  options: ResolveOptions,
  rejected: RejectedCandidate[]
): Promise<Candidate[]> {
  const list: Candidate[] = []
  if (explicit) {
    // A path saved before settings were checked (or edited by hand) is still never run if it is not the tool.
    const problem = explicitBinaryProblem(tool, explicit)
    if (problem) rejected.push({ tool, source: 'settings', path: explicit, reason: problem })
    else list.push({ source: 'settings', path: explicit })
  }
  const fromEnv = tool === 'ffmpeg' ? env.FFMPEG_PATH : env.FFPROBE_PATH
  if (fromEnv) list.push({ source: 'env', path: fromEnv })

  const bundledOverride = options.bundled?.[tool]
  if (bundledOverride !== null) {
    if (bundledOverride !== undefined) list.push({ source: 'bundled', path: bundledOverride })
    else {
      const bundled = bundledBinaryPath(tool)
      if (bundled.path) list.push({ source: 'bundled', path: bundled.path })
      else rejected.push({ tool, source: 'bundled', path: `@${tool}-installer/${tool}`, reason: bundled.reason })
    }
  }

  const onPath = await findOnPath(tool, env)
  if (onPath) list.push({ source: 'system', path: onPath })
  else rejected.push({ tool, source: 'system', path: tool, reason: 'not found on PATH' })

  // The same file can come from two sources (FFMPEG_PATH=/usr/bin/ffmpeg); probe it once.
  const seen = new Set<string>()
  return list.filter((c) => (seen.has(c.path) ? false : (seen.add(c.path), true)))
}

/**
 * Why a path from the settings cannot be `tool`, or null. The settings can be written by the
 * window, and whatever this path names is executed: only a file called ffmpeg / ffmpeg.exe
 * (any case) qualifies, so `/bin/sh` or a script is never run, and never one on a network share
 * (`\\host\share`), which Windows would reach (and hand credentials to) just to look at it.
 * Checks the name only: nothing on disk is touched.
 */
export function explicitBinaryProblem(tool: 'ffmpeg' | 'ffprobe', file: string): string | null {
  if (/^[\\/]{2}/.test(file)) return 'must be a file on this computer, not a network path'
  const name = file.split(/[\\/]/).pop()!.toLowerCase()
  if (name !== tool && name !== `${tool}.exe`) return `must be the ${tool} program (a file named ${tool} or ${tool}.exe)`
  return null
}

/**
 * The npm installer packages resolve to a path inside node_modules. In a packaged Electron app
 * that path points into app.asar, which cannot be executed: electron-builder unpacks binaries
 * to app.asar.unpacked, so we point there.
 */
export function bundledBinaryPath(tool: 'ffmpeg' | 'ffprobe'): { path?: string; reason: string } {
  try {
    const require = createRequire(import.meta.url)
    const mod = require(`@${tool}-installer/${tool}`) as { path?: unknown }
    if (typeof mod.path !== 'string') return { reason: 'installer package exposes no path' }
    return { path: unpackedAsarPath(mod.path), reason: '' }
  } catch (err) {
    // @ffmpeg-installer throws a plain string when the platform package is missing.
    return { reason: `bundled binary unavailable: ${err instanceof Error ? err.message : String(err)}` }
  }
}

export function unpackedAsarPath(p: string): string {
  return p.replace(/([\\/])app\.asar(?!\.unpacked)([\\/])/, '$1app.asar.unpacked$2')
}

export async function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean)
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : ['']
  for (const dir of dirs) {
    for (const ext of exts) {
      const full = path.join(dir, name + ext)
      try {
        await access(full, constants.X_OK)
        return full
      } catch {
        // keep looking
      }
    }
  }
  return undefined
}

interface FfmpegInspection {
  version: string
  filters: Set<string>
}

async function inspect(tool: 'ffmpeg' | 'ffprobe', binary: string): Promise<{ version: string } | { reason: string }> {
  const result = await runTool(binary, ['-hide_banner', '-version'], { timeoutMs: 10_000 })
  if (result.code !== 0) return { reason: `does not run (${describeFailure(result)})` }
  const match = new RegExp(`^${tool} version (\\S+)`, 'm').exec(result.stdout)
  if (!match?.[1]) return { reason: `not ${tool}: unexpected -version output` }
  return { version: match[1] }
}

export async function inspectFfmpeg(binary: string): Promise<FfmpegInspection | { reason: string }> {
  const base = await inspect('ffmpeg', binary)
  if ('reason' in base) return base
  const result = await runTool(binary, ['-hide_banner', '-filters'], { timeoutMs: 10_000 })
  if (result.code !== 0) return { reason: `cannot list filters (${describeFailure(result)})` }
  return { version: base.version, filters: parseFilterList(result.stdout) }
}

/** Lines look like " T.C overlay   VV->V   Overlay a video..." (2 flag columns in old builds). */
export function parseFilterList(output: string): Set<string> {
  const names = new Set<string>()
  for (const line of output.split(/\r?\n/)) {
    const m = /^\s*[A-Z.|]{2,3}\s+(\w+)\s+\S*->\S*/.exec(line)
    if (m?.[1]) names.add(m[1])
  }
  return names
}

async function pickFfmpeg(candidates: Candidate[], rejected: RejectedCandidate[]): Promise<ResolvedFfmpeg> {
  let withoutLibass: ResolvedFfmpeg | undefined
  for (const candidate of candidates) {
    const info = await inspectFfmpeg(candidate.path)
    if ('reason' in info) {
      rejected.push({ tool: 'ffmpeg', ...candidate, reason: info.reason })
      continue
    }
    const missing = REQUIRED_FILTERS.filter((f) => !info.filters.has(f))
    if (missing.length === 0) return { ...candidate, version: info.version, hasLibass: true }
    if (missing.length === 1 && missing[0] === 'subtitles') {
      rejected.push({ tool: 'ffmpeg', ...candidate, reason: 'built without libass (no subtitles filter)' })
      withoutLibass ??= { ...candidate, version: info.version, hasLibass: false }
      continue
    }
    rejected.push({ tool: 'ffmpeg', ...candidate, reason: `missing filters: ${missing.join(', ')}` })
  }
  // Still usable with the ImageMagick caption renderer, which only needs overlay.
  if (withoutLibass) return withoutLibass
  throw permanent(`no usable ffmpeg found: ${formatRejections(rejected, 'ffmpeg')}`)
}

async function pickFfprobe(candidates: Candidate[], rejected: RejectedCandidate[]): Promise<ResolvedFfprobe> {
  for (const candidate of candidates) {
    const info = await inspect('ffprobe', candidate.path)
    if ('reason' in info) {
      rejected.push({ tool: 'ffprobe', ...candidate, reason: info.reason })
      continue
    }
    return { ...candidate, version: info.version }
  }
  throw permanent(`no usable ffprobe found: ${formatRejections(rejected, 'ffprobe')}`)
}

function formatRejections(rejected: RejectedCandidate[], tool: 'ffmpeg' | 'ffprobe'): string {
  const mine = rejected.filter((r) => r.tool === tool)
  if (mine.length === 0) return 'no candidate'
  return mine.map((r) => `${r.source} ${r.path}: ${r.reason}`).join('; ')
}
