import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** What the render benches measure around a piece of work: its wall time and the CPU it took. */
export interface Sample {
  ms: number
  /** CPU seconds of this process and the children it reaped (ffmpeg, ffprobe, speech) during the run. */
  cpuSec: number
  /** Of which this process's own (the engine: queue, pool, SQLite), the rest being its children's. */
  ownSec: number
}

export async function time<T>(fn: () => Promise<T>): Promise<Sample & { value: T }> {
  const cpuStart = cpuSeconds()
  const ownStart = ownSeconds()
  const start = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - start, cpuSec: cpuSeconds() - cpuStart, ownSec: ownSeconds() - ownStart }
}

function ownSeconds(): number {
  const own = process.cpuUsage()
  return (own.user + own.system) / 1e6
}

/** Own CPU plus reaped children's (Linux /proc; own CPU only elsewhere). */
export function cpuSeconds(): number {
  const own = process.cpuUsage()
  let children = 0
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    children = (Number(fields[13]) + Number(fields[14])) / 100 // cutime + cstime, in clock ticks
  } catch {
    // not Linux
  }
  return (own.user + own.system) / 1e6 + children
}

export function fmt(sample: Sample): string {
  return `${(sample.ms / 1000).toFixed(2)} s wall, ${sample.cpuSec.toFixed(1)} s CPU (${sample.ownSec.toFixed(1)} s in this process)`
}

/** ffmpeg with these arguments, its stderr's tail in the error when it fails. */
export function runFfmpegArgs(ffmpeg: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let tail = ''
    child.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}\n${tail}`))))
  })
}
