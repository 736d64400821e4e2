import { describe, expect, it } from 'vitest'
import { main, type CliIo } from '../../src/cli/main'
import { tempDir } from '../helpers/engine'

/**
 * `studio doctor` in-process on a real studio: its speech row names the voice the saved settings
 * would actually use. This machine has espeak-ng (what auto picks) and the optional mespeak.
 */
async function studio(dataDir: string, ...argv: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const io: CliIo = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
    env: {},
    openEngine: async (dir, options) => (await import('../../src/main/engine/studio')).openStudio({ dataDir: dir, ...options, env: {} })
  }
  const code = await main(['--data-dir', dataDir, ...argv], io)
  return { code, out }
}

const speechRow = async (dataDir: string) => {
  const report = JSON.parse((await studio(dataDir, 'doctor', '--json')).out) as Array<{ name: string; ok: boolean; detail: string }>
  return report.find((r) => r.name === 'speech')
}

describe('studio doctor: speech', () => {
  it('reports the engine the settings choose, not only what auto would find', async () => {
    const dir = tempDir('studio-doctor-')
    expect(await speechRow(dir)).toEqual({ name: 'speech', ok: true, detail: 'offline voice: espeak-ng (found by auto)' })

    await studio(dir, 'settings', '--providers', JSON.stringify({ speech: { kind: 'offline', engine: 'mespeak' } }))
    expect(await speechRow(dir)).toEqual({ name: 'speech', ok: true, detail: 'offline voice: mespeak (chosen in settings)' })

    // A forced engine that is not installed is a problem to report, not something to paper over with another one.
    await studio(dir, 'settings', '--providers', JSON.stringify({ speech: { kind: 'offline', engine: 'say' } }))
    expect(await speechRow(dir)).toEqual({ name: 'speech', ok: false, detail: 'say is chosen in settings but is not available on this machine' })

    await studio(dir, 'settings', '--providers', JSON.stringify({ speech: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'tts-1' } }))
    expect((await speechRow(dir))?.detail).toBe('online: tts-1 at http://127.0.0.1:9/v1 (no offline engine is used)')
  })
})
