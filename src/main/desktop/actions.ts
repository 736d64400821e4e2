/**
 * What the tray and the application menu can do. Queue actions go through the same `dispatch`
 * as the renderer's commands, so they are validated, logged and announced (queue.changed) the
 * same way.
 */
import { mkdirSync } from 'node:fs'
import { shell } from 'electron'
import type { CommandName } from '../../shared/contract'
import { dispatch, type Handlers } from '../api/handlers'

export interface QueueActions {
  pauseQueue(): Promise<void>
  resumeQueue(): Promise<void>
  /** Wake the pool: start what can start now (jobs held by a backoff still wait). */
  runNow(): Promise<void>
  /** Open the folder the jobs write their outputs to. */
  openOutputFolder(): Promise<void>
}

export function queueActions(handlers: Handlers, outputFolder: string, log: (message: string) => void = console.warn): QueueActions {
  const run = async (name: CommandName) => {
    const result = await dispatch(handlers, name, {})
    if (!result.ok) log(`${name} failed: ${result.error.message}`)
  }
  return {
    pauseQueue: () => run('queue/pause'),
    resumeQueue: () => run('queue/resume'),
    runNow: () => run('pool/kick'),
    openOutputFolder: async () => {
      mkdirSync(outputFolder, { recursive: true })
      const error = await shell.openPath(outputFolder)
      if (error) log(`could not open the output folder: ${error}`)
    }
  }
}
