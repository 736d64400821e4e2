/**
 * Our engine against itself: this tree's queue and another tree's (an untouched copy of main, say),
 * no-op jobs as in run.ts, runs interleaved (this, other, other, this …) so that a loaded machine
 * hits both alike. Each run is a fresh process of ours-child.ts on a fresh folder; both trees'
 * engines are built as shipped (esbuild, as scripts/build-cli.mjs builds out/cli) by this tree's
 * harness, once per run of ab.ts (--dev: the sources through tsx). Prints the medians of jobs/s and
 * of CPU µs per job: on a shared machine compare the CPU, which waiting does not inflate.
 *
 *   node --import tsx bench/queue/ab.ts --other /tmp/shipped-base [--n 2000] [--concurrency 2,8] [--reps 5] [--mode cold|warm] [--dev]
 *
 * `--mode warm`: several rounds of N jobs in one process, the mean of the later half (see warm.ts).
 *
 * It prints figures; it asserts nothing.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { buildOurs, devOurs, runOursChild, type OursProgram } from './shipped'

const { values } = parseArgs({
  options: {
    other: { type: 'string' },
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '2,8' },
    reps: { type: 'string', default: '5' },
    variant: { type: 'string', default: 'shipped' },
    mode: { type: 'string', default: 'cold' },
    rounds: { type: 'string', default: '8' },
    dev: { type: 'boolean', default: false }
  }
})
if (!values.other) throw new Error('--other: the folder of the tree to compare with (its node_modules installed or linked)')
const trees = { this: resolve(fileURLToPath(new URL('../..', import.meta.url))), other: resolve(values.other) }
const n = Number(values.n)
const reps = Number(values.reps)

interface Run {
  processMs: number
  cpuMs: number
}

const programs = {} as Record<keyof typeof trees, OursProgram>
for (const tree of ['this', 'other'] as const) programs[tree] = values.dev ? devOurs(trees[tree]) : await buildOurs(trees[tree])

function runIn(tree: keyof typeof trees, concurrency: number): Run {
  const args = ['--mode', values.mode!, '--variant', values.variant!, '--n', String(n), '--concurrency', String(concurrency), '--rounds', values.rounds!]
  return runOursChild(programs[tree], trees[tree], args)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

try {
  console.log(`this: ${programs.this.describe}\nother: ${programs.other.describe}`)
  console.log(`N = ${n} no-op jobs, ${values.variant}, ${values.mode}, ${reps} runs each, interleaved; medians (min–max)`)
  for (const concurrency of values.concurrency!.split(',').map(Number)) {
    const runs: Record<keyof typeof trees, Run[]> = { this: [], other: [] }
    for (let rep = 0; rep < reps; rep++) {
      // Alternate which tree goes first, so neither always follows the other.
      const order = (rep % 2 ? ['other', 'this'] : ['this', 'other']) as Array<keyof typeof trees>
      for (const tree of order) runs[tree].push(runIn(tree, concurrency))
    }
    for (const tree of ['other', 'this'] as const) {
      const rate = runs[tree].map((r) => n / (r.processMs / 1000))
      const cpu = runs[tree].map((r) => (r.cpuMs * 1000) / n)
      const span = (xs: number[]) => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`
      console.log(`C=${concurrency}  ${tree.padEnd(5)}  jobs/s ${span(rate).padEnd(24)} CPU µs/job ${span(cpu)}`)
    }
  }
} finally {
  for (const p of Object.values(programs)) p.cleanup()
}
