/**
 * Our engine against itself: this tree's queue and another tree's (an untouched copy of main, say),
 * no-op jobs as in run.ts, runs interleaved (this, other, this, other …) so that a loaded machine
 * hits both alike. Each run is run.ts's own child (`--child ours`, a fresh process on a fresh
 * folder) started in its tree. Prints the medians of jobs/s and of CPU µs per job: on a shared
 * machine compare the CPU, which waiting does not inflate.
 *
 *   node --import tsx bench/queue/ab.ts --other /tmp/async-base [--n 2000] [--concurrency 2,8] [--reps 5]
 *
 * It prints figures; it asserts nothing.
 */
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    other: { type: 'string' },
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '2,8' },
    reps: { type: 'string', default: '5' },
    variant: { type: 'string', default: 'shipped' }
  }
})
if (!values.other) throw new Error('--other: the folder of the tree to compare with (its node_modules installed or linked)')
const trees = { this: resolve('.'), other: resolve(values.other) }
const n = Number(values.n)
const reps = Number(values.reps)

interface Run {
  processMs: number
  cpuMs: number
}

function runIn(dir: string, concurrency: number): Run {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/queue/run.ts', '--child', 'ours', '--variant', values.variant!, '--n', String(n), '--concurrency', String(concurrency)],
    { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 24 }
  )
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(`no result from ${dir}: ${r.stderr.slice(-2000)}`)
  return JSON.parse(line.slice('RESULT '.length)) as Run
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

console.log(`this: ${trees.this}\nother: ${trees.other}\nN = ${n} no-op jobs, ${values.variant}, ${reps} runs each, interleaved; medians (min–max)`)
for (const concurrency of values.concurrency!.split(',').map(Number)) {
  const runs: Record<keyof typeof trees, Run[]> = { this: [], other: [] }
  for (let rep = 0; rep < reps; rep++) {
    // Alternate which tree goes first, so neither always follows the other.
    const order = (rep % 2 ? ['other', 'this'] : ['this', 'other']) as Array<keyof typeof trees>
    for (const tree of order) runs[tree].push(runIn(trees[tree], concurrency))
  }
  for (const tree of ['other', 'this'] as const) {
    const rate = runs[tree].map((r) => n / (r.processMs / 1000))
    const cpu = runs[tree].map((r) => (r.cpuMs * 1000) / n)
    const span = (xs: number[]) => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`
    console.log(`C=${concurrency}  ${tree.padEnd(5)}  jobs/s ${span(rate).padEnd(24)} CPU µs/job ${span(cpu)}`)
  }
}
