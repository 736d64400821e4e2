import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { permanent, providerUnavailable, retryable } from '../../src/main/engine/errors'
import { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import type { StepContext, StepDefinition } from '../../src/main/engine/pipelines/types'
import { sleep } from '../../src/main/engine/pool/resource-limiter'
import { runProcess } from '../../src/main/engine/providers/run-process'

/**
 * Real pipelines for engine tests. Their steps do small real work (write files) and keep a
 * ledger of every call in `<dir>/calls.log`, shared across processes, so a test can prove that
 * a finished step is never run twice — even after a SIGKILL.
 */
export interface TestServices {
  dir: string
}

const Script = z.object({
  label: z.string().default('job'),
  /** step name → behaviour */
  fail: z
    .record(z.string(), z.object({ kind: z.enum(['retryable', 'permanent', 'unavailable']), times: z.number().int().default(1000), retryAfterMs: z.number().optional() }))
    .default({}),
  sleepMs: z.record(z.string(), z.number()).default({}),
  /** step name → file name in the services dir: the step holds (like a long render) while the file exists. */
  holdWhile: z.record(z.string(), z.string()).default({}),
  progressBurst: z.number().int().default(0)
})

export function callsOf(dir: string): string[] {
  const f = join(dir, 'calls.log')
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []
}

function scriptedStep(name: string, resource: string, provider?: string): StepDefinition<TestServices> {
  return {
    name,
    title: name.toUpperCase(),
    resource,
    estimateMs: 100,
    ...(provider ? { provider: () => provider } : {}),
    async run(ctx: StepContext<TestServices>) {
      const input = Script.parse(ctx.input)
      const label = `${input.label}:${name}`
      appendFileSync(join(ctx.services.dir, 'calls.log'), label + '\n')
      if (provider && existsSync(join(ctx.services.dir, `${provider}.down`))) {
        throw providerUnavailable(`${provider} answered 503`, { provider })
      }
      if (existsSync(join(ctx.services.dir, `fail-${name}-${input.label}`))) throw permanent(`${name} refused ${input.label}`)
      const failure = input.fail[name]
      if (failure) {
        const count = callsOf(ctx.services.dir).filter((c) => c === label).length
        if (count <= failure.times) {
          if (failure.kind === 'permanent') throw permanent(`bad input for ${name}`)
          if (failure.kind === 'unavailable') throw providerUnavailable(`${name} provider down`)
          throw retryable(`${name} timed out (call ${count})`, failure.retryAfterMs ? { retryAfterMs: failure.retryAfterMs } : {})
        }
      }
      for (let i = 0; i < input.progressBurst; i++) ctx.progress((i / input.progressBurst) * 100)
      const wait = input.sleepMs[name]
      if (wait) {
        ctx.progress(10, 'working')
        await sleep(wait, ctx.signal)
      }
      const hold = input.holdWhile[name]
      if (hold) {
        ctx.progress(5, 'holding')
        while (existsSync(join(ctx.services.dir, hold))) await sleep(20, ctx.signal)
        // A failure can also come at the end of the work (a provider that gives up after a while).
        if (existsSync(join(ctx.services.dir, `fail-${name}-${input.label}`))) throw permanent(`${name} refused ${input.label}`)
        const flaky = join(ctx.services.dir, `flaky-${name}-${input.label}`)
        if (existsSync(flaky)) {
          rmSync(flaky)
          throw retryable(`${name} timed out once`)
        }
      }
      const prior = Object.keys(ctx.outputs)
      const file = await ctx.writeArtifact(`${name}.txt`, `${label} after ${prior.join(',')}`)
      return { data: { step: name, saw: prior }, files: { [name]: file }, cost: 0.01, provider: provider ?? 'local' }
    }
  }
}

export function testPipelines(): PipelineRegistry<TestServices> {
  const input = Script.passthrough() as unknown as z.ZodType<Record<string, unknown>>
  return new PipelineRegistry<TestServices>()
    .register({ name: 'three', title: 'Three steps', input, steps: [scriptedStep('a', 'cpu'), scriptedStep('b', 'cpu'), scriptedStep('c', 'cpu')] })
    .register({ name: 'one', title: 'One step', input, steps: [scriptedStep('only', 'cpu')] })
    .register({
      name: 'stray',
      title: 'Returns a file it does not own',
      input,
      steps: [{ name: 'stray', title: 'STRAY', resource: 'cpu', estimateMs: 10, run: async () => ({ data: null, files: { passwd: '/etc/passwd' } }) }]
    })
    .register({
      name: 'phantom',
      title: 'Names a file it never wrote',
      input,
      steps: [{ name: 'phantom', title: 'PHANTOM', resource: 'cpu', estimateMs: 10, run: async (ctx) => ({ data: null, files: { ghost: ctx.artifactPath('ghost.txt') } }) }]
    })
    .register({
      name: 'buggy',
      title: 'A pipeline whose output cannot be stored',
      input,
      steps: [{ name: 'buggy', title: 'BUGGY', resource: 'cpu', estimateMs: 10, run: async () => ({ data: { n: 10n } as never }) }]
    })
    .register({
      name: 'tool',
      title: 'Runs an external tool, as a render does',
      input,
      steps: [
        {
          name: 'tool',
          title: 'TOOL',
          resource: 'cpu',
          estimateMs: 10,
          async run(ctx) {
            // A long-running program that names the step's work folder (ffmpeg names its output file there).
            await runProcess(process.execPath, ['-e', 'setTimeout(() => {}, 600000)', join(ctx.workDir, 'out.mp4')], {
              signal: ctx.signal,
              timeoutMs: 600_000,
              provider: 'tool',
              onSpawn: (pid) => writeFileSync(join(ctx.services.dir, 'tool.pid'), String(pid))
            })
            return { data: null }
          }
        }
      ]
    })
    .register({ name: 'remote', title: 'Remote provider', input, steps: [scriptedStep('local', 'cpu'), scriptedStep('call', 'llm', 'flaky')] })
    .register({
      name: 'music',
      title: 'Music with fallback',
      input,
      steps: [
        {
          ...scriptedStep('compose', 'music'),
          async fallback(ctx, error) {
            const file = await ctx.writeArtifact('existing-track.txt', `fallback after: ${error.message}`)
            return { data: { track: 'library/calm-01' }, files: { track: file }, provider: 'library' }
          }
        }
      ]
    })
}
