/**
 * Run an external program (a TTS engine) as a child process that the caller can stop: aborting
 * the signal kills it (SIGTERM, then SIGKILL if it lingers) and the promise settles only once the
 * process has exited, so the caller can safely delete what it was writing.
 */
import { spawn } from 'node:child_process'
import { StepError } from '../errors'
import { OWN_PROCESS_GROUP } from '../render/exec'

export interface RunOptions {
  signal: AbortSignal
  /** Written to the child's stdin, which is then closed. */
  input?: string
  env?: NodeJS.ProcessEnv
  timeoutMs: number
  /** Provider id for the StepErrors. */
  provider: string
  /** Called with the child's pid once it started (diagnostics, tests). */
  onSpawn?: (pid: number) => void
  /** Grace period between SIGTERM and SIGKILL. */
  killAfterMs?: number
}

export interface RunResult {
  stdout: string
  stderr: string
}

const MAX_CAPTURE = 64 * 1024

export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { signal, provider } = options
  if (signal.aborted) return Promise.reject(new StepError('cancelled', `${provider}: cancelled`, { provider }))

  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      windowsHide: true,
      detached: OWN_PROCESS_GROUP
    })
    let stdout = ''
    let stderr = ''
    let stopReason: 'cancelled' | 'timeout' | undefined
    let killTimer: NodeJS.Timeout | undefined

    const stop = (reason: 'cancelled' | 'timeout'): void => {
      if (stopReason || child.exitCode !== null || child.signalCode !== null) return
      stopReason = reason
      child.kill('SIGTERM')
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 2_000)
    }
    const onAbort = (): void => stop('cancelled')
    signal.addEventListener('abort', onAbort, { once: true })
    const timeout = setTimeout(() => stop('timeout'), options.timeoutMs)

    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk.toString('utf8')
    })
    // EPIPE when the engine exits before reading all its input: the exit code tells the story.
    child.stdin.on('error', () => {})
    child.on('spawn', () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid)
      child.stdin.end(options.input ?? '')
    })

    let settled = false
    const settle = (error: StepError | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(timeout)
      clearTimeout(killTimer)
      signal.removeEventListener('abort', onAbort)
      if (error) reject(error)
      else resolve({ stdout, stderr })
    }

    child.on('error', (err: NodeJS.ErrnoException) => {
      // ENOENT: the program vanished since detection — nothing to retry until it is reinstalled.
      const kind = err.code === 'ENOENT' || err.code === 'EACCES' ? 'provider-unavailable' : 'retryable'
      settle(new StepError(kind, `${provider}: could not start ${command}: ${err.message}`, { provider, cause: err }))
    })
    child.on('close', (code, killedBy) => {
      if (stopReason === 'cancelled') return settle(new StepError('cancelled', `${provider}: cancelled`, { provider }))
      if (stopReason === 'timeout') return settle(new StepError('retryable', `${provider}: ${command} did not finish within ${options.timeoutMs} ms and was stopped`, { provider }))
      if (code === 0) return settle(undefined)
      const detail = stderr.trim().split('\n').slice(-3).join(' ') || `exit ${code ?? killedBy}`
      settle(new StepError('retryable', `${provider}: ${command} failed (${code !== null ? `exit ${code}` : `signal ${killedBy}`}): ${detail}`, { provider }))
    })
  })
}
