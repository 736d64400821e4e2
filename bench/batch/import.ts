/**
 * The whole batch import, not just parsing: a 100 000-row CSV becomes a batch in the studio's
 * SQLite file (copied, streamed, every row validated against the video pipeline and stored in
 * chunked transactions). Prints rows/s and peak RSS; asserts nothing.
 *   node --import tsx bench/batch/import.ts [rows]
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStudio } from '../../src/main/engine/studio'

const ROWS = Number(process.argv[2] ?? 100_000)
const MB = 1024 * 1024

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'batch-import-bench-'))
  try {
    const csv = join(dir, 'rows.csv')
    const out = createWriteStream(csv)
    await new Promise<void>((r) => out.write('idea;language\n', () => r()))
    for (let i = 0; i < ROWS; i++) {
      const line = `${i % 997 === 0 ? '' : `Idea number ${i}: why the sea is salty`};${i % 2 ? 'fr' : 'en'}\n`
      if (!out.write(line)) await once(out, 'drain')
    }
    out.end()
    await finished(out)

    const studio = openStudio({ dataDir: join(dir, 'data') })
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const started = performance.now()
    const batch = await studio.batches.create({ source: { kind: 'file', path: csv }, config: { pipeline: 'video' } })
    const ms = performance.now() - started
    clearInterval(sampler)
    console.log(`machine: node ${process.version}, ${process.platform}/${process.arch}`)
    console.log(`rows: ${batch.totalRows} (${batch.invalidRows} refused, e.g. "${batch.errors[0]?.reason ?? ''}")`)
    console.log(`import: ${(ms / 1000).toFixed(2)} s, ${Math.round(batch.totalRows / (ms / 1000)).toLocaleString('en')} rows/s`)
    console.log(`RSS: baseline ${(baseline / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB (+${((peak - baseline) / MB).toFixed(0)} MB)`)
    await studio.close(0)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
