import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/engine'

describe('studio in a pipeline', () => {
  it('stops quietly when the program reading its output goes away (studio stats | head)', async () => {
    const child = spawn(process.execPath, ['bin/studio.mjs', 'stats', '--data-dir', tempDir()], { stdio: ['ignore', 'pipe', 'pipe'] })
    // The reader is gone before the first line is written: every write meets a closed pipe.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(stderr).toBe('')
    expect(code).toBe(0)
  }, 20_000)
})
