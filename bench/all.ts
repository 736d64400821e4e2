/**
 * Every benchmark, one after the other, each in its own process, with the time each took and the
 * total at the end: what `npm run bench` runs (after bench/setup.sh). The default sizes keep the
 * whole run under 10 minutes on a 2-core machine; --long runs each at its own default sizes
 * (several runs per figure, longer videos, more rows) plus the benches that only explain
 * (wal-pages, where-time-goes, batch feed). Prints figures; asserts nothing. A bench that fails is
 * reported and the next one runs.
 *
 *   node --import tsx bench/all.ts [--long] [--only queue,recovery,...] [--write-results]
 *
 * --write-results also writes bench/RESULTS.md: date, machine (nproc, free -h, load), commit, and
 * what each bench printed on its standard output.
 */
import { execFileSync, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    only: { type: 'string' },
    'write-results': { type: 'boolean', default: false }
  }
})
const LONG = values.long!
const root = join(dirname(fileURLToPath(import.meta.url)), '..')

interface Bench {
  name: string
  /** Script and arguments, relative to the repository. */
  args: string[]
}

/** The quick suite: modest sizes, one run per figure where a run is long. */
const QUICK: Bench[] = [
  { name: 'queue', args: ['bench/queue/run.ts', '--n', '1000', '--reps', '1', '--concurrency', '2,8'] },
  { name: 'recovery', args: ['bench/queue/recovery.ts', '--reps', '3'] },
  { name: 'memory', args: ['bench/memory.ts'] },
  { name: 'render', args: ['bench/render/run.ts', '--seconds', '10'] },
  { name: 'storyboard', args: ['bench/render/storyboard.ts', '--seconds', '30'] },
  { name: 'batch', args: ['bench/batch/run.ts', '100000'] },
  { name: 'ui', args: ['bench/ui/run.ts', '--runs', '1'] },
  { name: 'cli', args: ['bench/cli/run.ts', '--runs', '9'] }
]

/** Each bench at its own defaults, and the explaining ones. */
const FULL: Bench[] = [
  { name: 'queue', args: ['bench/queue/run.ts', '--n', '2000', '--reps', '3', '--concurrency', '2,8'] },
  { name: 'wal-pages', args: ['bench/queue/wal-pages.ts'] },
  { name: 'where-time-goes', args: ['bench/queue/where-time-goes.ts'] },
  { name: 'recovery', args: ['bench/queue/recovery.ts', '--reps', '5'] },
  { name: 'memory', args: ['bench/memory.ts'] },
  { name: 'render', args: ['bench/render/run.ts', '--seconds', '60', '--reps', '3'] },
  { name: 'storyboard', args: ['bench/render/storyboard.ts', '--seconds', '60'] },
  { name: 'batch', args: ['bench/batch/run.ts', '100000'] },
  { name: 'batch-import', args: ['bench/batch/import.ts'] },
  { name: 'batch-feed', args: ['bench/batch/feed.ts'] },
  { name: 'ui', args: ['bench/ui/run.ts', '--runs', '3'] },
  { name: 'cli', args: ['bench/cli/run.ts', '--runs', '21'] }
]

interface Outcome {
  bench: Bench
  seconds: number
  exitCode: number | null
  stdout: string
}

/** Runs one bench with its output shown as it comes, standard output kept for RESULTS.md. */
function run(bench: Bench): Promise<Outcome> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...bench.args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      stdout += chunk.toString()
    })
    child.on('close', (code) => resolve({ bench, seconds: (performance.now() - started) / 1000, exitCode: code, stdout }))
  })
}

function sh(command: string, args: string[]): string {
  try {
    // trimEnd only: the first line of `free -h` is aligned with leading spaces.
    return execFileSync(command, args, { cwd: root, encoding: 'utf8' }).trimEnd()
  } catch {
    return '(unavailable)'
  }
}

const minutes = (s: number) => `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`

const only = values.only?.split(',').map((s) => s.trim())
const suite = (LONG ? FULL : QUICK).filter((b) => !only || only.includes(b.name))
if (only && suite.length === 0) throw new Error(`--only: none of ${only.join(', ')}; known: ${(LONG ? FULL : QUICK).map((b) => b.name).join(', ')}`)

const startedAt = new Date()
const loadBefore = sh('uptime', [])
console.log(`benches: ${suite.map((b) => b.name).join(', ')} (${LONG ? 'long' : 'quick'} sizes)`)
console.log(`load: ${loadBefore}`)
const outcomes: Outcome[] = []
const t0 = performance.now()
for (const bench of suite) {
  console.log(`\n######## ${bench.name}: node --import tsx ${bench.args.join(' ')}\n`)
  const outcome = await run(bench)
  outcomes.push(outcome)
  console.log(`\n######## ${bench.name}: ${outcome.exitCode === 0 ? 'done' : `FAILED (exit ${outcome.exitCode})`} in ${minutes(outcome.seconds)}`)
}
const total = (performance.now() - t0) / 1000
const loadAfter = sh('uptime', [])

console.log('\n======== summary')
for (const o of outcomes) console.log(`${o.bench.name.padEnd(16)} ${minutes(o.seconds).padStart(13)}  ${o.exitCode === 0 ? 'ok' : `FAILED (exit ${o.exitCode})`}`)
console.log(`${'total'.padEnd(16)} ${minutes(total).padStart(13)}`)
console.log(`load after: ${loadAfter}`)

if (values['write-results']) {
  const fence = '```'
  const sections = outcomes.map(
    (o) =>
      `## ${o.bench.name}\n\n\`node --import tsx ${o.bench.args.join(' ')}\` — ${minutes(o.seconds)}` +
      `${o.exitCode === 0 ? '' : `, FAILED (exit ${o.exitCode})`}\n\n${fence}text\n${o.stdout.trimEnd()}\n${fence}\n`
  )
  const text = `# Benchmark results

Written by \`npm run bench -- --write-results\`${LONG ? ' --long' : ''} (bench/all.ts). Figures only: they depend on the machine
and on what else it was running (see the load below); ratios in one table come from the same run.

- date: ${startedAt.toISOString()}
- commit: ${sh('git', ['rev-parse', '--short', 'HEAD'])}${sh('git', ['status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : ''}
- machine: ${sh('nproc', [])} cores (\`nproc\`), ${sh('uname', ['-sm'])}, node ${process.version}
${process.env.NODE_PATH ? `- NODE_PATH: \`${process.env.NODE_PATH}\` (packages found there, e.g. a scratch ioredis for BullMQ)\n` : ''}- load before: \`${loadBefore}\`
- load after: \`${loadAfter}\`
- total: ${minutes(total)}

${fence}text
$ free -h
${sh('free', ['-h'])}
${fence}

${sections.join('\n')}`
  writeFileSync(join(root, 'bench', 'RESULTS.md'), text)
  console.log('wrote bench/RESULTS.md')
}
