/**
 * Where the time of one import chunk goes, and how long the engine's thread is held at a time
 * while a sheet imports (what a request arriving meanwhile waits for). Three passes over the same
 * CSV: parsing alone, parsing + building each row's job input, then the whole import (parse,
 * build, the SQLite transaction per chunk, the live updates) with the transactions and the
 * updates timed, and the event loop's delay sampled every millisecond. Asserts nothing.
 *   node --import tsx bench/batch/chunk-cost.ts [rows]     (default 100000)
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { openStudio } from '../../src/main/engine/studio'
import { openRowSource, resolveMapping } from '../../src/main/engine/batch/sources'
import { rowInputBuilder } from '../../src/main/engine/batch/row-input'
import { parseBatchConfig } from '../../src/main/engine/batch/config'
import type { PipelineDefinition } from '../../src/main/engine/pipelines/types'

const ROWS = Number(process.argv[2] ?? 100_000)
const CHUNK = 500

const dir = await mkdtemp(join(tmpdir(), 'chunk-cost-'))
const csv = join(dir, 'rows.csv')
const lines = ['idea;language']
for (let i = 0; i < ROWS; i++) lines.push(`Idea number ${i}: why the sea is salty;${i % 2 ? 'fr' : 'en'}`)
await writeFile(csv, lines.join('\n') + '\n')
console.log(`${ROWS} rows, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
const perChunk = (ms: number) => `${ms.toFixed(0)} ms total, ${((ms / ROWS) * CHUNK).toFixed(2)} ms per ${CHUNK} rows`

const studio = openStudio({ dataDir: join(dir, 'data') })
try {
  let started = performance.now()
  const parsed = await openRowSource(csv, { label: 'rows.csv' })
  for await (const _row of parsed.rows);
  await parsed.close()
  const parseMs = performance.now() - started
  console.log(`parse:                 ${perChunk(parseMs)}`)

  const pipeline = studio.pipelines.get('video') as PipelineDefinition<unknown>
  const config = parseBatchConfig({ pipeline: 'video' }, 'config')
  const source = await openRowSource(csv, { label: 'rows.csv' })
  const mapping = resolveMapping(source.headers, {}, { schema: pipeline.input, mainField: pipeline.mainField ?? 'idea' })
  const build = await rowInputBuilder({ pipeline, config, batchId: 'x', template: null, format: source.format, headers: source.headers, mapping })
  started = performance.now()
  for await (const row of source.rows) build(row)
  await source.close()
  console.log(`parse + build rows:    ${perChunk(performance.now() - started)}`)

  // The whole import, its transactions and live updates timed from outside.
  const store = studio.stores.batches
  const addRows = store.addRows.bind(store)
  let txMs = 0
  let txMax = 0
  const txs: number[] = []
  store.addRows = (id, rows, now) => {
    const t = performance.now()
    const stored = addRows(id, rows, now)
    const d = performance.now() - t
    txMs += d
    txs.push(d)
    txMax = Math.max(txMax, d)
    return stored
  }
  const manager = studio.batches as unknown as { announce(id: string): void }
  const announce = manager.announce.bind(manager)
  let announceMs = 0
  let announceMax = 0
  let announces = 0
  manager.announce = (id) => {
    const t = performance.now()
    announce(id)
    const d = performance.now() - t
    announceMs += d
    announces++
    announceMax = Math.max(announceMax, d)
  }
  studio.startWork()
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  started = performance.now()
  // As `batch/create` does: answered at once, the rows imported in the background and announced.
  const batch = await studio.batches.create({ source: { kind: 'file', path: csv }, config: { pipeline: 'video' } }, { waitMs: 0 })
  await studio.batches.imported(batch.id)
  const importMs = performance.now() - started
  delay.disable()
  console.log(`whole import:          ${perChunk(importMs)}, ${Math.round(ROWS / (importMs / 1000))} rows/s`)
  txs.sort((a, b) => a - b)
  const at = (p: number) => txs[Math.min(txs.length - 1, Math.floor(p * txs.length))]!.toFixed(1)
  console.log(`  SQLite transactions: ${perChunk(txMs)}; ${txs.length} of them: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, longest ${txMax.toFixed(1)} ms`)
  console.log(`  live updates:        ${announces} built, ${announceMs.toFixed(0)} ms total, longest ${announceMax.toFixed(1)} ms`)
  const ms = (ns: number) => (ns / 1e6).toFixed(1)
  console.log(`  event-loop delay:    p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms`)
} finally {
  await studio.close(0)
  await rm(dir, { recursive: true, force: true })
}
