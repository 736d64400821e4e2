import { execFile } from 'node:child_process'

/**
 * Short-lived helper processes (`-version` checks, fc-list, ImageMagick). Long ffmpeg renders go
 * through ffmpeg.ts instead, which owns progress, temp outputs and kill escalation.
 */
export interface ToolResult {
  /** Exit code; null when the process was killed or could not start. */
  code: number | null
  stdout: string
  stderr: string
  /** Spawn failure (ENOENT, EACCES...) or kill reason, when there was one. */
  error?: NodeJS.ErrnoException
}

export interface RunToolOptions {
  timeoutMs?: number
  signal?: AbortSignal
  env?: NodeJS.ProcessEnv
}

/**
 * Tools run in a process group of their own (not on Windows, which has none to share). A Ctrl-C
 * in the terminal signals the whole foreground group: a tool in ours would die at once, failing
 * its step, while the engine promises running steps a grace period to finish. The engine stops
 * its tools itself, through each step's AbortSignal. Long runs (ffmpeg, speech engines) use it;
 * runTool's short commands cannot (execFile passes no such option to spawn).
 */
export const OWN_PROCESS_GROUP = process.platform !== 'win32'

/** Never rejects: callers decide what a failure means (a probe reports it, a render throws). */
export function runTool(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        timeout: options.timeoutMs ?? 15_000,
        killSignal: 'SIGKILL',
        maxBuffer: 32 * 1024 * 1024,
        windowsHide: true,
        encoding: 'utf8',
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.env ? { env: options.env } : {})
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr })
        const err = error as NodeJS.ErrnoException & { code?: string | number }
        const code = typeof err.code === 'number' ? err.code : null
        resolve({ code, stdout: stdout ?? '', stderr: stderr ?? '', error: err })
      }
    )
  })
}

/** One line saying why a tool run failed, for "rejected because..." reports and error messages. */
export function describeFailure(result: ToolResult): string {
  if (result.error && typeof result.error.code === 'string') return `${result.error.code}: ${result.error.message}`
  if (result.error && (result.error as { killed?: boolean }).killed) return 'timed out or was killed'
  const lastLine = result.stderr.trim().split(/\r?\n/).pop() ?? ''
  return `exit code ${result.code ?? '?'}${lastLine ? `: ${lastLine}` : ''}`
}
