/**
 * The engine in a child process (`studio serve`, the host tests): forked with an IPC channel.
 * The child stays in our process group, so a terminal's Ctrl-C or hang-up reaches it too:
 * serve-entry.ts ignores those signals and follows the parent instead (which asks it to close,
 * or disappears: then the child releases its running steps and exits).
 */
import { fork } from 'node:child_process'
import { childChannel } from './channels'
import type { EngineProcess } from './engine-client'

export interface ForkOptions {
  execArgv?: string[]
  env?: NodeJS.ProcessEnv
  /** Where the child's stdout/stderr go; default: this process's stderr (stdout stays ours). */
  output?: 'inherit-stderr' | 'ignore'
}

export function forkEngine(entry: string, args: string[], options: ForkOptions = {}): EngineProcess & { pid: number | undefined } {
  const child = fork(entry, args, {
    execArgv: options.execArgv ?? [],
    env: options.env ?? process.env,
    serialization: 'advanced',
    // stdout of `studio serve` carries the URL (one JSON line with --json): the engine never writes there.
    stdio: options.output === 'ignore' ? ['ignore', 'ignore', 'ignore', 'ipc'] : ['ignore', 2, 2, 'ipc']
  })
  let exited: number | null | undefined
  const exitListeners: ((code: number | null) => void)[] = []
  child.on('exit', (code) => {
    exited = code
    for (const listener of exitListeners.splice(0)) listener(code)
  })
  // A channel closed under us (EPIPE) is the exit that follows, not an error to throw.
  child.on('error', () => {})
  return {
    pid: child.pid,
    channel: childChannel(child),
    onExit: (listener) => {
      if (exited !== undefined) listener(exited)
      else exitListeners.push(listener)
    },
    kill: () => {
      if (exited === undefined) child.kill('SIGKILL')
    }
  }
}
