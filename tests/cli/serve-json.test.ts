/** `studio serve --json`: the URL as one JSON line, for a script that opens it. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDir, until } from '../helpers/engine'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

describe('studio serve --json', () => {
  it('prints {"url": …} and nothing else on stdout', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/studio.mjs'), 'serve', '--json', '--port', '0', '--data-dir', tempDir()], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    try {
      const line = await until(() => out.includes('\n') && out.split('\n')[0], 60_000, 'serve to print its URL')
      expect(JSON.parse(line)).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+$/) })
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
    expect(out.trim().split('\n')).toHaveLength(1)
  }, 90_000)
})
