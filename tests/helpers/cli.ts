import { main, type CliIo } from '../../src/cli/main'
import { openTestEngine } from './engine'

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
