import { spawn } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main, type CliIo } from '../../src/cli/main'
import { openTestEngine, tempDir } from './engine'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * Runs the real CLI entry in-process against a real data dir, capturing its output: on an engine
 * with the test pipelines, or on the whole studio (built-in offline pipelines, batch manager).
 */
export function cli(dataDir: string, engine: 'test' | 'studio' = 'test') {
  return async (...argv: string[]) => {
    let out = ''
    let err = ''
    const io: CliIo = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: {},
      openEngine:
        engine === 'studio'
          ? async (dir, options) => (await import('../../src/main/engine/studio')).openStudio({ dataDir: dir, ...options, env: {} })
          : (dir, options) => openTestEngine(options.concurrency ? { concurrency: options.concurrency } : {}, dir)
    }
    const code = await main(['--data-dir', dataDir, ...argv], io)
    return { code, out, err }
  }
}

/** What a `studio` process printed and how it ended. */
export interface StudioRun {
  code: number | null
  out: string
  err: string
}

/**
 * The built `studio` in a child process, on a fresh data folder, as a script outside the repo runs
 * it. STUDIO_QUEUE_URL is not inherited (a farm only when `env` names one).
 */
export function builtStudio(args: string[], env: Record<string, string> = {}, dataDirPrefix = 'studio-cli-'): Promise<StudioRun> {
  const { STUDIO_QUEUE_URL: _unset, ...inherited } = process.env
  const child = spawn(process.execPath, [join(ROOT, 'bin/studio.mjs'), ...args], {
    env: { ...inherited, STUDIO_DATA_DIR: tempDir(dataDirPrefix), ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  return new Promise((done, fail) => {
    child.on('error', fail)
    child.on('close', (code) => done({ code, out, err }))
  })
}
