import { existsSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Engine } from '../../src/main/engine/engine'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import type { StepDefinition } from '../../src/main/engine/pipelines/types'
import { sleep } from '../../src/main/engine/pool/resource-limiter'
import { jobProgress, percentText, segmentFills, stepProgressReporter } from '../../src/shared/progress'
import type { EngineEvent } from '../../src/shared/types'
import { openTestEngine, until } from '../helpers/engine'
import type { TestServices } from '../helpers/test-pipelines'

let engine: Engine<TestServices> | undefined
afterEach(async () => {
  await engine?.close(100)
  engine = undefined
})

/** Four quick steps and a long last one (a render is most of a video's time), which reports 30 % then holds. */
function weighted(): PipelineRegistry<TestServices> {
  const quick = (name: string): StepDefinition<TestServices> => ({ name, title: name, resource: 'cpu', estimateMs: 10, run: async () => ({ data: name }) })
  const render: StepDefinition<TestServices> = {
    name: 'render',
    title: 'render',
    resource: 'cpu',
    estimateMs: 100_000,
    async run(ctx) {
      ctx.progress(30)
      while (existsSync(join(ctx.services.dir, 'hold'))) await sleep(10, ctx.signal)
      return { data: 'video' }
    }
  }
  return new PipelineRegistry<TestServices>().register({
    name: 'weighted',
    title: 'Weighted',
    input: z.record(z.string(), z.unknown()),
    steps: [quick('a'), quick('b'), quick('c'), quick('d'), render]
  })
}

describe('job progress: one definition, the step segments', () => {
  it('a job 30 % into the last of five steps reads 86 %, in the event, the stored job and the CLI text', async () => {
    engine = openTestEngine({ pipelines: weighted() })
    writeFileSync(join(engine.dataDir, 'hold'), '')
    const seen: EngineEvent[] = []
    engine.events.subscribe((e) => seen.push(e))
    const job = engine.queue.enqueue({ type: 'weighted', input: {} })
    engine.pool.start()
    const tick = await until(() => seen.find((e) => e.type === 'job.progress' && e.step === 'render' && e.stepProgress === 30), 20_000, 'render progress')
    expect(tick).toMatchObject({ progress: 86 })
    await until(() => engine!.queue.get(job.id)!.progress === 86, 20_000, 'stored progress')
    expect(segmentFills(5, engine.queue.get(job.id)!.progress)).toEqual([1, 1, 1, 1, 0.3])
    expect(percentText(engine.queue.get(job.id)!.progress)).toBe('86%')
    // Never backwards while it runs: every figure pushed is at least the one before it.
    rmSync(join(engine.dataDir, 'hold'))
    await engine.pool.whenIdle()
    const figures = seen.flatMap((e) => (e.type === 'job.progress' && e.jobId === job.id ? [e.progress] : []))
    expect(figures).toEqual([...figures].sort((x, y) => x - y))
    expect(engine.queue.get(job.id)!.progress).toBe(100)
  })

  it('a retried job keeps the figure of the steps it keeps, the one it shows when it starts again', async () => {
    engine = openTestEngine()
    const job = engine.queue.enqueue({ type: 'three', input: { label: 'x', fail: { c: { kind: 'permanent' } } } })
    engine.pool.start()
    await engine.pool.whenIdle()
    expect(engine.queue.get(job.id)!.status).toBe('failed')
    // Stopped at c, the third of three: two segments full.
    expect(engine.queue.get(job.id)!.progress).toBeCloseTo(66.7, 1)
    const retried = engine.queue.retry(job.id)
    expect(retried.progress).toBeCloseTo(66.7, 1)
  })

  it('the pure pieces: bounds, garbage, the reporter never goes back', () => {
    expect(jobProgress(5, 4, 30)).toBe(86)
    expect(jobProgress(3, 0, 0)).toBe(0)
    expect(jobProgress(3, 3, 0)).toBe(100)
    expect(jobProgress(0, 0, 50)).toBe(50)
    expect(jobProgress(4, 1, Number.NaN)).toBe(25)
    expect(jobProgress(4, 1, 250)).toBe(50)
    expect(segmentFills(3, 50)).toEqual([1, 0.5, 0])
    expect(percentText(99.96)).toBe('99%')
    expect(percentText(-3)).toBe('0%')
    const report = stepProgressReporter(5, 4)
    expect([report(30), report(10), report(50), report(100)]).toEqual([86, 86, 90, 100])
    // A step given back half-way and started again keeps its figure, within its own share.
    expect(stepProgressReporter(5, 4, 86)(0)).toBe(86)
    expect(stepProgressReporter(5, 2, 86)(0)).toBe(60)
  })
})
