/**
 * A 100 000-row sheet is imported in flat memory: nothing in the import keeps rows around, so the
 * live heap (measured after a full garbage collection, while the import runs) does not grow with
 * the number of rows. Peak RSS, which also counts garbage the collector has not reclaimed yet, is
 * printed by bench/batch/import.ts rather than asserted.
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { tempDir } from '../helpers/engine'

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void
const MB = 1024 * 1024

let studio: Studio | undefined
afterEach(async () => {
  await studio?.close(0)
  studio = undefined
})

async function writeSheet(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path)
  out.write('idea;language\n')
  for (let i = 0; i < rows; i++) {
    if (!out.write(`Idea number ${i}: why the sea is salty;${i % 2 ? 'fr' : 'en'}\n`)) await once(out, 'drain')
  }
  out.end()
  await finished(out)
}

/** Largest live heap seen while importing `rows` rows, above the live heap before the import. */
async function liveHeapGrowth(rows: number): Promise<number> {
  const dir = tempDir('studio-import-memory-')
  const csv = join(dir, 'rows.csv')
  await writeSheet(csv, rows)
  studio = openStudio({ dataDir: join(dir, 'data') })
  collectGarbage()
  const before = process.memoryUsage().heapUsed
  let peak = before
  const sampler = setInterval(() => {
    collectGarbage()
    peak = Math.max(peak, process.memoryUsage().heapUsed)
  }, 200)
  try {
    const batch = await studio.batches.create({ source: { kind: 'file', path: csv }, config: { pipeline: 'video' } })
    expect(batch.totalRows).toBe(rows)
  } finally {
    clearInterval(sampler)
  }
  await studio.close(0)
  studio = undefined
  return peak - before
}

describe('batch import memory', () => {
  it('stays flat from 10 000 to 100 000 rows', async () => {
    const small = await liveHeapGrowth(10_000)
    const large = await liveHeapGrowth(100_000)
    // Ten times the rows, the same few megabytes of live state (a retained row list would be ~30 MB).
    expect(large / MB).toBeLessThan(10)
    expect((large - small) / MB).toBeLessThan(5)
    // A deadline, not a speed check: two imports of 110 000 rows in all took over a minute on a
    // 2-core machine running other suites (load 20).
  }, 240_000)
})
