/**
 * What the tray and the application menu can do. Queue actions take the same route as the
 * renderer's commands (to the engine's `dispatch`), so they are validated, logged and announced
 * (queue.changed) the same way.
 */
import { mkdirSync } from 'node:fs'
import { shell } from 'electron'
import type { CommandName } from '../../shared/contract'
import type { Route } from '../host/relay'

export interface QueueActions {
  pauseQueue(): Promise<void>
  resumeQueue(): Promise<void>
  /** Wake the pool: start what can start now (jobs held by a backoff still wait). */
  runNow(): Promise<void>
  /** Open the folder the jobs write their outputs to. */
  openOutputFolder(): Promise<void>
}

export function queueActions(route: Route, outputFolder: () => string, log: (message: string) => void = console.warn): QueueActions {
  const run = async (name: CommandName) => {
    const result = await route(name, {})
    if (!result.ok) log(`${name} failed: ${result.error.message}`)
  }
  return {
    pauseQueue: () => run('queue/pause'),
    resumeQueue: () => run('queue/resume'),
    runNow: () => run('pool/kick'),
    openOutputFolder: async () => {
      const folder = outputFolder()
      mkdirSync(folder, { recursive: true })
      const error = await shell.openPath(folder)
      if (error) log(`could not open the output folder: ${error}`)
    }
  }
}
