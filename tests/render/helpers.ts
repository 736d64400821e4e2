import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { StepError } from '../../src/main/engine/errors'
import { resolveBinaries } from '../../src/main/engine/render/binaries'

const run = promisify(execFile)

/** Test inputs are made with the same ffmpeg the renderer resolved, so the tests need nothing else. */
export async function ffmpegPath(): Promise<string> {
  return (await resolveBinaries()).ffmpeg.path
}

export async function tempDir(prefix = 'studio-render-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

async function ffmpeg(args: string[]): Promise<Buffer> {
  const { stdout } = await run(await ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024
  })
  return stdout
}

/** A busy test pattern (so Ken Burns motion and captions both change pixels), tinted per index. */
export async function makeImage(file: string, index: number, size = '640x480'): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=1,hue=h=${index * 70}`, '-frames:v', '1', file])
  return file
}

export async function makeTone(file: string, seconds: number, frequency = 330): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=44100:duration=${seconds}`, '-ac', '1', file])
  return file
}

export async function makeClip(file: string, seconds: number, size = '320x240'): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc=s=${size}:r=25:d=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file])
  return file
}

/** One decoded frame as 8-bit luma, width × height bytes. */
export async function grayFrame(file: string, atSec: number, width: number, height: number): Promise<Buffer> {
  const frame = await ffmpeg(['-ss', String(atSec), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'])
  if (frame.length !== width * height) throw new Error(`expected ${width * height} bytes, got ${frame.length}`)
  return frame
}

/** Mean absolute luma difference between two frames over rows [top, bottom). */
export function meanDiff(a: Buffer, b: Buffer, width: number, top: number, bottom: number): number {
  let sum = 0
  for (let i = top * width; i < bottom * width; i++) sum += Math.abs(a[i]! - b[i]!)
  return sum / ((bottom - top) * width)
}

/** Share of pixels over rows [top, bottom) whose luma changed by more than `threshold`. */
export function changedShare(a: Buffer, b: Buffer, width: number, top: number, bottom: number, threshold = 48): number {
  let changed = 0
  for (let i = top * width; i < bottom * width; i++) if (Math.abs(a[i]! - b[i]!) > threshold) changed++
  return changed / ((bottom - top) * width)
}

/** PIDs of live processes whose command line mentions `needle` (Linux /proc; [] elsewhere). */
export async function processesMentioning(needle: string): Promise<number[]> {
  if (process.platform !== 'linux') return []
  const found: number[] = []
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`)).toString().replace(/\0/g, ' ')
      if (cmdline.includes(needle)) found.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return found
}

/** The StepError a promise rejects with; fails the test if it resolves or throws something else. */
export async function rejection(promise: Promise<unknown>): Promise<StepError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof StepError) return err
    throw err
  }
  throw new Error('expected a StepError, but the promise resolved')
}
