/**
 * The carriers a Channel runs on in pure Node: a child process's IPC (either end) and a
 * worker_threads MessagePort (the in-process host the desktop tests use). Electron's ports are
 * adapted in the files that import electron (utility-entry.ts, desktop/engine-process.ts).
 */
import type { ChildProcess } from 'node:child_process'
import type { MessagePort } from 'node:worker_threads'
import type { Channel } from './protocol'

/** The parent's side of a forked child's IPC. */
export function childChannel(child: ChildProcess): Channel {
  return {
    send: (message) => {
      if (child.connected) child.send(message as never)
    },
    onMessage: (listener) => {
      child.on('message', listener)
      return () => child.off('message', listener)
    }
  }
}

/** The child's side: this process's IPC to its parent. */
export function parentChannel(proc: NodeJS.Process = process): Channel {
  if (!proc.send) throw new Error('this process was not started with an IPC channel (child_process.fork)')
  return {
    send: (message) => {
      if (proc.connected) proc.send!(message as never)
    },
    onMessage: (listener) => {
      proc.on('message', listener)
      return () => proc.off('message', listener)
    }
  }
}

/** A worker_threads MessagePort (structured clone, like Electron's ports). */
export function nodePortChannel(port: MessagePort): Channel {
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => {
      port.on('message', listener)
      return () => port.off('message', listener)
    }
  }
}
