/**
 * How long `studio list` takes to start and answer, against a bare `node -e 0`, on a fresh data
 * folder holding some jobs. Each command runs N times, the commands interleaved (so a change in
 * the machine's load touches them alike); wall time of the whole process, median and p90.
 * Prints figures only.
 *
 *   node --import tsx bench/cli/run.ts [--runs 15] [--jobs 50] [--bin OTHER/bin/studio.mjs]
 *
 * Rows: `node -e 0`; the built CLI (bin/studio.mjs → out/cli, as installed); the same sources
 * compiled by tsx at start (how `studio` ran before it was built, but with today's lazy imports);
 * --bin adds another checkout's `studio` (e.g. a commit before the built CLI, whose bin still
 * runs tsx) on the same folder.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { buildCli, cliIsStale } from '../../scripts/build-cli.mjs'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { openStudio } from '../../src/main/engine/studio'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, jobs: { type: 'string', default: '50' }, bin: { type: 'string' } } })
const runs = Number(values.runs)
const jobs = Number(values.jobs)

// The built CLI of these sources, as npm ci leaves it.
if (cliIsStale()) await buildCli({ quiet: true })

// A fresh data folder with some jobs, paused so that nothing runs them.
const dataDir = mkdtempSync(join(tmpdir(), 'studio-bench-cli-'))
const studio = openStudio({ dataDir, env: {} })
const handlers = studioHandlers(studio)
await dispatch(handlers, 'queue/pause', {})
for (let i = 0; i < jobs; i++) {
  const result = await dispatch(handlers, 'jobs/enqueue', { type: 'text', input: { prompt: `bench job ${i + 1}` } })
  if (!result.ok) throw new Error(result.error.message)
}
await studio.close(0)

const commands: Array<{ name: string; argv: string[] }> = [
  { name: 'node -e 0', argv: ['-e', '0'] },
  { name: 'studio list (built, out/cli)', argv: [join(root, 'bin/studio.mjs'), '--data-dir', dataDir, 'list'] },
  { name: 'studio list (tsx, these sources)', argv: ['--import', 'tsx', join(root, 'bench/cli/tsx-main.ts'), '--data-dir', dataDir, 'list'] },
  ...(values.bin ? [{ name: `studio list (${values.bin})`, argv: [resolve(values.bin), '--data-dir', dataDir, 'list'] }] : [])
]

function timeOnce(argv: string[]): number {
  const start = performance.now()
  const run = spawnSync(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const ms = performance.now() - start
  if (run.status !== 0) throw new Error(`node ${argv.join(' ')} exited ${run.status}: ${run.stderr.toString()}`)
  return ms
}

// One warm-up each (file cache, tsx's compile cache), then the interleaved runs.
for (const c of commands) timeOnce(c.argv)
const times = new Map(commands.map((c) => [c.name, [] as number[]]))
for (let i = 0; i < runs; i++) for (const c of commands) times.get(c.name)!.push(timeOnce(c.argv))

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
const bare = [...times.get('node -e 0')!].sort((a, b) => a - b)
console.log(`studio list start time: ${runs} runs each, ${jobs} jobs in a fresh data folder, interleaved (wall time of the process)`)
console.log(`${'command'.padEnd(44)} ${'median'.padStart(8)} ${'p90'.padStart(8)}   median − node -e 0`)
for (const c of commands) {
  const sorted = [...times.get(c.name)!].sort((a, b) => a - b)
  const median = quantile(sorted, 0.5)
  console.log(`${c.name.padEnd(44)} ${`${median.toFixed(0)} ms`.padStart(8)} ${`${quantile(sorted, 0.9).toFixed(0)} ms`.padStart(8)}   ${(median - quantile(bare, 0.5)).toFixed(0)} ms`)
}
rmSync(dataDir, { recursive: true, force: true })
