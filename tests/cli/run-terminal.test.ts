/**
 * `studio run` on a terminal redraws its progress lines in place: it moves the cursor up by the
 * number of lines it drew. A line wider than the terminal wraps onto a second row the redraw does
 * not go back over, and every redraw leaves a stale copy behind.
 */
import { describe, expect, it } from 'vitest'
import { main, type CliIo } from '../../src/cli/main'
import { cli } from '../helpers/cli'
import { openTestEngine, tempDir } from '../helpers/engine'

describe('studio run on a narrow terminal', () => {
  it('keeps every line of its live display within the terminal width', async () => {
    const dir = tempDir()
    await cli(dir)('add', 'one', '--input', '{"sleepMs":{"only":700}}', '--title', 'a job with a long title that a narrow terminal cannot hold')
    let out = ''
    const columns = 50
    const io: CliIo = {
      stdout: { write: (t: string) => (out += t), isTTY: true, columns },
      stderr: { write: () => true },
      env: {},
      openEngine: (d, options) => openTestEngine(options.concurrency ? { concurrency: options.concurrency } : {}, d)
    }
    expect(await main(['--data-dir', dir, 'run', '--until-idle'], io)).toBe(0)
    // The live display's lines: the ones between cursor moves, log lines aside.
    const drawn = out
      .split(/\x1b\[\d+A\x1b\[0J/)
      .flatMap((frame) => frame.split('\n'))
      .filter((line) => line.startsWith('queue:') || line.includes('%  '))
    expect(drawn.some((line) => line.startsWith('queue:'))).toBe(true)
    for (const line of drawn) expect(line.length, line).toBeLessThan(columns)
  })
})
