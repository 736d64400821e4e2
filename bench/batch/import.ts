/**
 * The whole batch import, not just parsing: a CSV becomes a batch in the studio's SQLite file
 * (copied, streamed, every row validated against the video pipeline and stored in chunked
 * transactions). For each size it prints rows/s, peak RSS (which counts garbage the collector has
 * not reclaimed yet) and the peak live heap (after a full collection): the live heap is what shows
 * that memory is flat in the number of rows. Asserts nothing.
 *   node --import tsx bench/batch/import.ts [rows,rows,...]     (default 20000,100000,200000)
 * Run through tsx, the baseline includes the TypeScript loader (~45 MB more than bundled code).
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { openStudio } from '../../src/main/engine/studio'

const SIZES = (process.argv[2] ?? '20000,100000,200000').split(',').map(Number)
const MB = 1024 * 1024
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

async function writeSheet(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path)
  await new Promise<void>((r) => out.write('idea;language\n', () => r()))
  for (let i = 0; i < rows; i++) {
    const line = `${i % 997 === 0 ? '' : `Idea number ${i}: why the sea is salty`};${i % 2 ? 'fr' : 'en'}\n`
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await finished(out)
}

/** Peak RSS and import speed in one pass, then the live heap in a second pass (its GCs slow it). */
async function importOnce(rows: number, measureLiveHeap: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'batch-import-bench-'))
  try {
    const csv = join(dir, 'rows.csv')
    await writeSheet(csv, rows)
    const studio = openStudio({ dataDir: join(dir, 'data') })
    collectGarbage()
    const baseline = process.memoryUsage()
    let peakRss = baseline.rss
    let peakLive = baseline.heapUsed
    const sampler = setInterval(() => {
      if (measureLiveHeap) {
        collectGarbage()
        peakLive = Math.max(peakLive, process.memoryUsage().heapUsed)
      } else {
        peakRss = Math.max(peakRss, process.memoryUsage().rss)
      }
    }, measureLiveHeap ? 200 : 20)
    const started = performance.now()
    const batch = await studio.batches.create({ source: { kind: 'file', path: csv }, config: { pipeline: 'video' } })
    const ms = performance.now() - started
    clearInterval(sampler)
    await studio.close(0)
    return { batch, ms, baseline, peakRss, peakLive }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

console.log(`machine: node ${process.version}, ${process.platform}/${process.arch}`)
for (const rows of SIZES) {
  const speed = await importOnce(rows, false)
  const live = await importOnce(rows, true)
  const b = speed.batch
  console.log(
    `${rows.toLocaleString('en')} rows (${b.invalidRows} refused, e.g. "${b.errors[0]?.reason ?? ''}"): ` +
      `${(speed.ms / 1000).toFixed(2)} s, ${Math.round(b.totalRows / (speed.ms / 1000)).toLocaleString('en')} rows/s; ` +
      `RSS baseline ${(speed.baseline.rss / MB).toFixed(0)} MB, peak ${(speed.peakRss / MB).toFixed(0)} MB; ` +
      `live heap ${(live.baseline.heapUsed / MB).toFixed(1)} MB before, peak ${(live.peakLive / MB).toFixed(1)} MB during`
  )
}
