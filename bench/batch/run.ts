/**
 * Batch import throughput and memory: a 100 000-row CSV (Windows-1252, semicolons, some quoted
 * multi-line cells) streamed through openRowSource + mapRow. Prints figures only.
 *   node --import tsx bench/batch/run.ts [rows]
 * The CSV is written by a child process so that the measured process starts clean.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { finished } from 'node:stream/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import iconv from 'iconv-lite'
import { z } from 'zod'
import { mapRow, openRowSource, resolveMapping } from '../../src/main/engine/batch/sources'

const GENERATE_FLAG = '--generate'
const ROWS = Number(process.argv[process.argv[2] === GENERATE_FLAG ? 4 : 2] ?? 100_000)
const MB = 1024 * 1024

/** A full GC before measuring, so the baseline does not carry the CSV generator's garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

const inputSchema = z.object({
  idea: z.string().min(1),
  language: z.enum(['fr', 'en']).default('fr'),
  voice: z.string().optional(),
  duration: z.number().int().min(5).max(600).default(60)
})

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path)
  const write = async (line: string): Promise<void> => {
    if (!out.write(iconv.encode(line, 'win1252'))) await once(out, 'drain')
  }
  await write('Idée;Langue;Voix;Durée;Notes\r\n')
  for (let i = 0; i < ROWS; i++) {
    const notes = i % 100 === 0 ? '"première ligne\r\nseconde ligne; avec « guillemets »"' : `note numéro ${i} — coût 5 €`
    const idea = i % 997 === 0 ? '' : `Idée n°${i} : l'été à la plage, ça coûte cher`
    await write(`${idea};${i % 2 ? 'fr' : 'en'};alloy;${30 + (i % 90)};${notes}\r\n`)
  }
  out.end()
  await finished(out)
}

async function generateInChild(path: string): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [GENERATE_FLAG, path, String(ROWS)], { stdio: 'inherit' })
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`CSV generator exited with code ${code}`)
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'batch-bench-'))
  try {
    const path = join(dir, 'rows.csv')
    await generateInChild(path)
    const { size } = await stat(path)
    collectGarbage()
    const baselineRss = process.memoryUsage().rss
    const baselineHeap = process.memoryUsage().heapUsed
    let peakRss = baselineRss
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }, 20)

    const started = process.hrtime.bigint()
    const source = await openRowSource(path)
    const mapping = resolveMapping(source.headers, undefined, { schema: inputSchema })
    let ok = 0
    let rejected = 0
    let firstReason = ''
    for await (const row of source.rows) {
      const result = mapRow(row, mapping, inputSchema)
      if (result.ok) ok++
      else {
        rejected++
        firstReason ||= result.reason
      }
      if ((ok + rejected) % 5000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    clearInterval(sampler)
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    // Live memory (after a full GC) tells a leak from the GC's slack in RSS.
    collectGarbage()
    const endHeap = process.memoryUsage().heapUsed

    const total = ok + rejected
    console.log(`file:         ${(size / MB).toFixed(1)} MB, ${ROWS} rows, encoding ${source.encoding}, delimiter ${JSON.stringify(source.delimiter)}`)
    console.log(`rows:         ${total} read, ${ok} mapped, ${rejected} rejected (e.g. "${firstReason}")`)
    console.log(`time:         ${seconds.toFixed(2)} s`)
    console.log(`throughput:   ${Math.round(total / seconds).toLocaleString('en-US')} rows/s, ${(size / MB / seconds).toFixed(1)} MB/s`)
    console.log(
      `RSS:          baseline ${(baselineRss / MB).toFixed(0)} MB, peak ${(peakRss / MB).toFixed(0)} MB ` +
        `(+${((peakRss - baselineRss) / MB).toFixed(0)} MB while importing; target: peak < 200 MB)`
    )
    console.log(`live heap:    ${(baselineHeap / MB).toFixed(1)} MB before, ${(endHeap / MB).toFixed(1)} MB after (full GC both times)`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === GENERATE_FLAG) await writeCsv(process.argv[3]!)
else await main()
