/**
 * Ctrl-C while a step runs: the engine gives running steps a grace period, but the terminal's
 * signal may have reached the step's own tool too, which then fails. That failure is the stop's,
 * not the step's: the job goes back to the queue at that step without spending an attempt.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { Engine } from '../../src/main/engine/engine'
import { retryable } from '../../src/main/engine/errors'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import { FAST_TIMINGS, tempDir, until } from '../helpers/engine'

function engineWithTool(dataDir: string): Engine<null> {
  const pipelines = new PipelineRegistry<null>().register({
    name: 'render',
    title: 'Render',
    input: z.object({}),
    steps: [
      {
        name: 'render',
        title: 'Render',
        resource: 'cpu',
        estimateMs: 1_000,
        async run(ctx) {
          // A tool that runs until the same Ctrl-C kills it (the test drops a file for it).
          while (!existsSync(join(dataDir, 'interrupted'))) await new Promise((r) => setTimeout(r, 10))
          throw retryable('ffmpeg exited with code 255')
        }
      }
    ]
  })
  return new Engine<null>({ dataDir, pipelines, services: null, concurrency: 1, timings: FAST_TIMINGS })
}

describe('a step whose tool dies while the engine stops', () => {
  it('goes back to the queue at that step, its attempt given back', async () => {
    const dir = tempDir()
    const engine = engineWithTool(dir)
    const job = engine.queue.enqueue({ type: 'render', input: {} })
    engine.pool.start()
    await until(() => engine.queue.get(job.id)!.steps[0]!.status === 'running', 5_000, 'the step to start')

    const stopped = engine.pool.stop(5_000)
    writeFileSync(join(dir, 'interrupted'), '')
    await stopped

    const after = engine.queue.get(job.id)!
    expect(after.status).toBe('pending')
    expect(after.retryCount).toBe(0)
    expect(after.steps[0]!.attempts).toBe(0)
    expect(after.steps[0]!.error).toBeNull()
    const log = engine.queue.logs(job.id).map((l) => l.message)
    expect(log.some((m) => m.includes('will retry'))).toBe(false)
    expect(log).toContain('engine stopped during render; it will resume at render')
    await engine.close(100)
  })
})
