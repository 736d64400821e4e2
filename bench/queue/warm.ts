/**
 * Our engine's CPU per no-op job once warm: several rounds of N jobs in one process (a fresh
 * engine and folder each round, the same JIT), so that later rounds show the steady cost without
 * the compiling that run.ts's fresh processes include. The rounds run in ours-child.ts
 * (`--mode warm`), built as shipped (shipped.ts; --dev: the sources through tsx). ab.ts runs the
 * same in two trees (`--mode warm`).
 *
 *   node --import tsx bench/queue/warm.ts [--n 2000] [--concurrency 2] [--rounds 8] [--dev]
 *
 * Prints each round's CPU µs per job and a RESULT line (the mean of the later half); it asserts nothing.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { buildOurs, devOurs, runOursChild } from './shipped'

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '8' },
    dev: { type: 'boolean', default: false }
  }
})
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const program = values.dev ? devOurs(root) : await buildOurs(root)
try {
  console.log(`ours: ${program.describe}`)
  const r = runOursChild(program, root, ['--mode', 'warm', '--n', values.n!, '--concurrency', values.concurrency!, '--rounds', values.rounds!])
  const rounds = r.rounds as Array<{ cpuMs: number }>
  console.log(`CPU µs/job by round: ${rounds.map((x) => Math.round((x.cpuMs * 1000) / Number(values.n))).join(' ')}`)
  console.log(`RESULT ${JSON.stringify({ processMs: r.processMs, cpuMs: r.cpuMs })}`)
} finally {
  program.cleanup()
}
