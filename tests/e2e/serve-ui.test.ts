/**
 * `studio serve` serves the UI built at install (out/renderer of the checkout), whichever way the
 * CLI runs (the sources in tests, the build in out/cli); it never builds it itself, and says how
 * when it is missing.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { serve } from '../../src/cli/serve'
import { ensureRenderer } from './helpers'
import { openTestEngine, tempDir, until } from '../helpers/engine'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

describe('studio serve and the built UI', () => {
  it('the built CLI serves out/renderer of its checkout', async () => {
    await ensureRenderer()
    const child = spawn(process.execPath, [join(ROOT, 'bin/studio.mjs'), 'serve', '--json', '--port', '0', '--data-dir', tempDir()], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    try {
      const line = await until(() => out.includes('\n') && out.split('\n')[0], 60_000, 'serve to print its URL')
      const { url } = JSON.parse(line) as { url: string }
      const page = await (await fetch(url.replace(/#.*/, ''))).text()
      // The page the build wrote (its script names carry a content hash), not a "not built" notice.
      expect(page).toBe(readFileSync(join(ROOT, 'out/renderer/index.html'), 'utf8'))
      expect(err).not.toContain('not built')
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }, 300_000)

  it('says how to build the UI when it is missing, and serves anyway', async () => {
    const engine = openTestEngine({}, tempDir())
    let err = ''
    const stop = new AbortController()
    try {
      const code = await serve(
        engine,
        { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) }, env: {}, openEngine: () => engine },
        { port: 0, host: '127.0.0.1', staticDir: tempDir(), signal: stop.signal, onListening: () => stop.abort() }
      )
      expect(code).toBe(0)
      expect(err).toMatch(/warning: the UI is not built \(.+ has no index\.html\); build it with: npm run build:renderer/)
    } finally {
      await engine.close(0)
    }
  })
})
