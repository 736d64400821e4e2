import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import type Ffmpeg from 'fluent-ffmpeg'
import { StepError, permanent, retryable } from '../errors'
import { type BinarySettings, resolveBinaries } from './binaries'
import { OWN_PROCESS_GROUP } from './exec'
import { lazyPackage } from '../lazy-package'

const ffmpeg = lazyPackage<typeof Ffmpeg>('fluent-ffmpeg')

/**
 * The only module that touches fluent-ffmpeg. It is unmaintained upstream, so everything else
 * speaks in plain data (FfmpegJob, argv arrays) and this file adapts it; replacing fluent-ffmpeg
 * with a bare spawn later means rewriting this file only.
 */

export interface FfmpegInput {
  /** File path, or a lavfi graph when options contain `-f lavfi`. */
  path: string
  /** Options that apply to this input, placed before its `-i`. */
  options?: readonly string[]
}

/** A whole ffmpeg invocation as data, so it can be unit-tested, printed and compared. */
export interface FfmpegJob {
  inputs: readonly FfmpegInput[]
  filterComplex?: string
  outputOptions: readonly string[]
  output: string
}

/** The exact argv fluent-ffmpeg will spawn for this job (its argument order, -y included). */
export function toArgv(job: FfmpegJob, output: string = job.output): string[] {
  return [
    ...job.inputs.flatMap((input) => [...(input.options ?? []), '-i', input.path]),
    '-y',
    ...(job.filterComplex ? ['-filter_complex', job.filterComplex] : []),
    ...job.outputOptions,
    output
  ]
}

/** Quote argv for a POSIX shell, for logs and the bench printout only (we never run a shell). */
export function toShellCommand(binary: string, argv: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)
  return [binary, ...argv].map(quote).join(' ')
}

export interface RunFfmpegOptions {
  ffmpegPath: string
  signal?: AbortSignal
  /** 0–100, monotonic; 100 is sent once the output file is in place. */
  onProgress?: (percent: number) => void
  /** Duration of the output, to turn ffmpeg's `time=` into a percentage. */
  expectedDurationSec?: number
  /** Time ffmpeg gets to exit after SIGTERM before it is SIGKILLed. */
  killGraceMs?: number
}

export interface RunFfmpegResult {
  output: string
  commandLine: string
  elapsedMs: number
}

const DEFAULT_KILL_GRACE_MS = 500
const STDERR_TAIL_LINES = 30

/** Stderr lines that explain a failure: a bad input or a filter error never gets better on retry. */
const PERMANENT_FAILURE =
  /No such file or directory|Invalid data found when processing input|No such filter|Error (?:initializing|parsing|opening|reinitializing) filter|Unknown encoder|Unrecognized option|Option \S+ not found|Invalid argument|Permission denied|does not contain any stream|matches no streams/i

/**
 * Runs ffmpeg into a temp file next to the output and renames it on success, so a crash or a
 * cancel never leaves a truncated MP4 under the real name (the engine treats "file exists" as
 * "step done" when resuming).
 */
export async function runFfmpeg(job: FfmpegJob, options: RunFfmpegOptions): Promise<RunFfmpegResult> {
  const { signal } = options
  if (signal?.aborted) throw cancelledError()
  await mkdir(path.dirname(job.output), { recursive: true })
  const tempOutput = tempSiblingPath(job.output)
  const started = Date.now()
  const command = buildCommand(job, tempOutput, options.ffmpegPath)
  const tail: string[] = []
  const progress = progressReporter(options.onProgress, options.expectedDurationSec)

  return new Promise<RunFfmpegResult>((resolve, reject) => {
    let commandLine = ''
    let killTimer: NodeJS.Timeout | undefined
    let terminating = false

    const terminate = () => {
      const proc = (command as unknown as { ffmpegProc?: { kill(signal: NodeJS.Signals): boolean } }).ffmpegProc
      if (!proc || terminating) return // not spawned yet: the 'start' handler will come back here
      terminating = true
      // SIGTERM lets ffmpeg close its files; SIGKILL makes sure a stuck filter graph still dies.
      proc.kill('SIGTERM')
      killTimer = setTimeout(() => proc.kill('SIGKILL'), options.killGraceMs ?? DEFAULT_KILL_GRACE_MS)
      killTimer.unref()
    }
    const onAbort = () => terminate()
    signal?.addEventListener('abort', onAbort, { once: true })

    const settle = async (error: StepError | undefined) => {
      clearTimeout(killTimer)
      signal?.removeEventListener('abort', onAbort)
      if (!error && signal?.aborted) error = cancelledError()
      try {
        if (error) {
          await rm(tempOutput, { force: true })
          return reject(error)
        }
        await rename(tempOutput, job.output)
        progress.done()
        resolve({ output: job.output, commandLine, elapsedMs: Date.now() - started })
      } catch (err) {
        await rm(tempOutput, { force: true }).catch(() => undefined)
        reject(retryable(`could not move the ffmpeg output into place: ${String(err)}`, { cause: err }))
      }
    }

    command.on('start', (line: string) => {
      commandLine = line
      if (signal?.aborted) terminate()
    })
    command.on('stderr', (line: string) => {
      if (progress.consume(line)) return
      if (!line.trim()) return
      tail.push(line)
      if (tail.length > STDERR_TAIL_LINES) tail.shift()
    })
    command.on('end', () => void settle(undefined))
    command.on('error', (err: Error) => {
      if (signal?.aborted) return void settle(cancelledError(err))
      void settle(classifyFailure(err, tail))
    })
    command.run()
  })
}

function buildCommand(job: FfmpegJob, output: string, ffmpegPath: string): Ffmpeg.FfmpegCommand {
  const command = ffmpeg()({ stdoutLines: 50 })
  // setFfmpegPath() writes a module-wide cache shared by every command; renders with different
  // settings could race on it. An own property on this instance keeps the path per command.
  pinBinary(command, '_getFfmpegPath', ffmpegPath)
  ownProcessGroup(command)
  for (const input of job.inputs) {
    command.input(input.path)
    addVerbatim(input.options ?? [], (...opts) => command.inputOptions(...opts))
  }
  if (job.filterComplex) command.complexFilter(job.filterComplex)
  command.output(output)
  addVerbatim(job.outputOptions, (...opts) => command.outputOptions(...opts))
  return command
}

/** fluent-ffmpeg has no spawn option for it: its spawn helper is wrapped (see OWN_PROCESS_GROUP). */
function ownProcessGroup(command: Ffmpeg.FfmpegCommand): void {
  if (!OWN_PROCESS_GROUP) return
  const target = command as unknown as { _spawnFfmpeg: (args: unknown, options: object, ...callbacks: unknown[]) => unknown }
  const spawnFfmpeg = target._spawnFfmpeg
  target._spawnFfmpeg = (args, options, ...callbacks) => spawnFfmpeg.call(command, args, { ...options, detached: true }, ...callbacks)
}

/**
 * fluent-ffmpeg splits a lone option containing one space ("-metadata title=a b") in two unless
 * it is given several arguments. Pass arrays as rest arguments so argv reaches ffmpeg untouched.
 */
function addVerbatim(options: readonly string[], add: (...opts: string[]) => unknown): void {
  if (options.length === 0) return
  if (options.length === 1 && options[0]!.split(' ').length === 2) {
    throw new Error(`ffmpeg option "${options[0]}" would be split by fluent-ffmpeg; pass it with its flag`)
  }
  add(...options)
}

function pinBinary(command: Ffmpeg.FfmpegCommand, method: '_getFfmpegPath' | '_getFfprobePath', binary: string): void {
  Object.defineProperty(command, method, {
    value: (callback: (err: Error | null, path: string) => void) => callback(null, binary)
  })
}

export function tempSiblingPath(output: string): string {
  const dir = path.dirname(output)
  const ext = path.extname(output) // kept so ffmpeg still picks the muxer from the extension
  const base = path.basename(output, ext)
  return path.join(dir, `.${base}.${process.pid}-${randomBytes(4).toString('hex')}.partial${ext}`)
}

/** Parses `time=HH:MM:SS.xx` from ffmpeg's stats lines; returns true when the line was a stats line. */
function progressReporter(onProgress: ((percent: number) => void) | undefined, expectedSec: number | undefined) {
  let last = -1
  return {
    consume(line: string): boolean {
      if (!/^(?:frame|size)=/.test(line.trimStart())) return false
      const seconds = parseStatsTime(line)
      if (onProgress && expectedSec && expectedSec > 0 && seconds !== undefined) {
        const percent = Math.min(99.9, Math.round((seconds / expectedSec) * 1000) / 10)
        if (percent >= last + 0.5) {
          last = percent
          onProgress(percent)
        }
      }
      return true
    },
    done() {
      onProgress?.(100)
    }
  }
}

export function parseStatsTime(line: string): number | undefined {
  const m = /time=\s*(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(line)
  if (!m) return undefined
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])
  return m[1] ? 0 : seconds
}

function classifyFailure(err: Error, tail: readonly string[]): StepError {
  const spawnCode = (err as NodeJS.ErrnoException).code
  if (spawnCode === 'ENOENT' || spawnCode === 'EACCES') {
    return permanent(`cannot start ffmpeg (${spawnCode}): ${err.message}`, { cause: err })
  }
  const details = tail.slice(-12).join('\n')
  // fluent appends its own guess of the error to the message; the tail we kept is more complete.
  const summary = err.message.split(':')[0] ?? err.message
  const message = `${summary}${details ? `\n${details}` : ''}`
  return PERMANENT_FAILURE.test(details) ? permanent(message, { cause: err }) : retryable(message, { cause: err })
}

function cancelledError(cause?: unknown): StepError {
  return new StepError('cancelled', 'render cancelled', cause ? { cause } : {})
}

export interface ProbeStream {
  type: string
  codec: string
  width?: number
  height?: number
  durationSec?: number
}

export interface ProbeResult {
  durationSec: number
  streams: ProbeStream[]
}

/** ffprobe a file. Without `ffprobePath`, the binary is resolved from `settings` (cached). */
export async function probe(file: string, options: { ffprobePath?: string; settings?: BinarySettings } = {}): Promise<ProbeResult> {
  if (!existsSync(file)) throw permanent(`file not found: ${file}`)
  const ffprobePath = options.ffprobePath ?? (await resolveBinaries(options.settings)).ffprobe.path
  const command = ffmpeg()(file)
  pinBinary(command, '_getFfprobePath', ffprobePath)
  const data = await new Promise<Ffmpeg.FfprobeData>((resolve, reject) => {
    command.ffprobe((err: unknown, result: Ffmpeg.FfprobeData) => (err ? reject(err) : resolve(result)))
  }).catch((err: unknown) => {
    throw permanent(`ffprobe could not read ${file}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err
    })
  })
  const streams: ProbeStream[] = data.streams.map((s) => ({
    type: s.codec_type ?? 'unknown',
    codec: s.codec_name ?? 'unknown',
    ...(s.width ? { width: s.width } : {}),
    ...(s.height ? { height: s.height } : {}),
    ...(finite(s.duration) !== undefined ? { durationSec: finite(s.duration)! } : {})
  }))
  const durationSec =
    finite(data.format.duration) ?? Math.max(0, ...streams.map((s) => s.durationSec ?? 0))
  return { durationSec, streams }
}

function finite(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN
  return Number.isFinite(n) ? n : undefined
}
