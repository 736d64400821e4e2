/**
 * The farm engine bench's worker processes (engine-worker.ts), forked and driven from the parent:
 * started together and awaited until each listens, their `start`/`done` messages handed to one
 * listener, stopped together.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { WorkerCounts } from './engine-counting'

export interface WorkerMessage {
  type: 'ready' | 'start' | 'done' | 'ended' | 'counts'
  jobId?: string
  /** How many jobs a `done` message reports (completions are sent together: engine-worker.ts). */
  count?: number
  counts?: WorkerCounts
  status?: string
  at: number
}

const script = new URL('./engine-worker.ts', import.meta.url).pathname

export class EngineWorkers {
  private constructor(
    private readonly children: ChildProcess[],
    private listener: (m: WorkerMessage) => void
  ) {}

  /** Fork `count` workers on `url`, sharing `dataDir`; resolves once every one is listening. */
  static async start(count: number, url: string, dataDir: string, timeoutMs = 120_000, env?: NodeJS.ProcessEnv): Promise<EngineWorkers> {
    const children: ChildProcess[] = []
    const set = new EngineWorkers(children, () => undefined)
    const ready = Array.from({ length: count }, () => {
      const localDir = mkdtempSync(join(tmpdir(), 'studio-bench-farm-worker-'))
      const child = fork(script, [url, dataDir, localDir], { execArgv: ['--import', 'tsx'], ...(env ? { env: { ...process.env, ...env } } : {}), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      children.push(child)
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`a worker did not start within ${timeoutMs} ms`)), timeoutMs)
        child.once('exit', (code) => reject(new Error(`a worker exited with ${code} before it was ready`)))
        child.on('message', (m: WorkerMessage) => {
          if (m.type === 'ready') {
            clearTimeout(timer)
            resolve()
          } else if (m.type === 'counts') set.countsHeard.get(child)?.(m.counts!)
          else set.listener(m)
        })
      })
    })
    try {
      await Promise.all(ready)
    } catch (err) {
      await set.stop()
      throw err
    }
    return set
  }

  private readonly countsHeard = new Map<ChildProcess, (c: WorkerCounts) => void>()

  /** Have the workers report each step's start (`start` messages), or stop. */
  reportStarts(on: boolean): void {
    for (const c of this.children) c.send({ type: 'starts', on })
  }

  /** What each worker counted since the last ask (started with STUDIO_BENCH_COUNTS=1: engine-counting.ts). */
  counts(): Promise<WorkerCounts[]> {
    return Promise.all(
      this.children.map(
        (c) =>
          new Promise<WorkerCounts>((resolve) => {
            this.countsHeard.set(c, resolve)
            c.send({ type: 'counts' })
          })
      )
    )
  }

  /** The worker processes' ids (their CPU is read from /proc, cpu.ts). */
  get pids(): number[] {
    return this.children.map((c) => c.pid!).filter((pid) => pid !== undefined)
  }

  onMessage(listener: (m: WorkerMessage) => void): void {
    this.listener = listener
  }

  /** Resolves when `n` jobs are reported completed (or rejects after `timeoutMs`). */
  completed(n: number, timeoutMs: number, onStart?: (m: WorkerMessage) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      let done = 0
      const timer = setTimeout(() => reject(new Error(`only ${done} of ${n} jobs completed within ${timeoutMs} ms`)), timeoutMs)
      this.onMessage((m) => {
        if (m.type === 'start') onStart?.(m)
        else if (m.type === 'ended') console.error(`a job ended ${m.status}: ${m.jobId}`)
        else if (m.type === 'done' && (done += m.count ?? 1) >= n) {
          clearTimeout(timer)
          resolve(m.at)
        }
      })
    })
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve()
            const kill = setTimeout(() => c.kill('SIGKILL'), 15_000)
            c.once('exit', () => {
              clearTimeout(kill)
              resolve()
            })
            c.send({ type: 'stop' })
          })
      )
    )
  }
}
