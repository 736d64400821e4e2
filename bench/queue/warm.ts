/**
 * Our engine's CPU per no-op job once warm: several rounds of N jobs in one process (a fresh
 * engine and folder each round, the same JIT), so that later rounds show the steady cost without
 * the compiling that run.ts's fresh processes include. ab.ts runs it in two trees (`--mode warm`).
 *
 *   node --import tsx bench/queue/warm.ts [--n 2000] [--concurrency 2] [--rounds 8]
 *
 * Prints each round's CPU µs per job and a RESULT line; it asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openNoopEngine, payload } from './noop-engine'

const { values } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '2' }, rounds: { type: 'string', default: '8' } }
})
const n = Number(values.n)
const rounds: Array<{ cpuMs: number; processMs: number }> = []
for (let round = 0; round < Number(values.rounds); round++) {
  const dir = mkdtempSync(join(tmpdir(), 'queue-warm-'))
  const engine = openNoopEngine(dir, Number(values.concurrency))
  engine.queue.enqueueMany(Array.from({ length: n }, (_, i) => ({ type: 'noop', input: payload(i) })))
  const cpu = process.cpuUsage()
  const t = performance.now()
  engine.pool.start()
  await engine.pool.whenIdle()
  const processMs = performance.now() - t
  const d = process.cpuUsage(cpu)
  rounds.push({ cpuMs: (d.user + d.system) / 1000, processMs })
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
}
console.log(`CPU µs/job by round: ${rounds.map((r) => Math.round((r.cpuMs * 1000) / n)).join(' ')}`)
// The second half of the rounds: warm.
const warm = rounds.slice(Math.floor(rounds.length / 2))
const sum = (pick: (r: (typeof rounds)[number]) => number) => warm.reduce((a, r) => a + pick(r), 0)
console.log(`RESULT ${JSON.stringify({ processMs: sum((r) => r.processMs) / warm.length, cpuMs: sum((r) => r.cpuMs) / warm.length })}`)
