import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { batchResultsCsv, jobHistoryCsv } from '../../src/main/engine/batch/export'
import type { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import type { TestServices } from '../helpers/test-pipelines'
import { tempDir, until } from '../helpers/engine'
import { csvFile, useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

/** Like the built-in text pipeline: one `generate` step that writes the text and counts its words, no `path` in its output. */
function withTextPipeline(engine: ReturnType<typeof open>['engine']) {
  const registry = engine.pipelines as PipelineRegistry<TestServices>
  const input = registry.get('one')!.input
  registry.register({
    name: 'texty',
    title: 'Text',
    input,
    steps: [
      {
        name: 'generate',
        title: 'GENERATE',
        resource: 'cpu',
        estimateMs: 10,
        async run(ctx) {
          const text = `À propos de ${String((ctx.input as { idea: string }).idea)}`
          const file = await ctx.writeArtifact('text.txt', text)
          return { data: { text, words: text.split(/\s+/).length }, files: { text: file }, cost: 0.002 }
        }
      }
    ]
  })
}

/** Split exported CSV text into cells (the test data holds no quoted commas). */
const table = (csv: string) => csv.replace(/\r\n$/, '').split('\r\n').map((line) => line.split(','))

describe('batch status and CSV exports of a text batch', () => {
  it('shows the output file and word count, and exports them with a UTF-8 BOM and the job history columns', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    withTextPipeline(engine)
    const b = await batches.create({ name: 'idées', source: { kind: 'file', path: csvFile(dir, 't.csv', ['idea', 'crème brûlée', 'thé']) }, config: { pipeline: 'texty' } })
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    await until(() => batches.view(b.id).status === 'completed', 5000, 'batch to complete')

    const last = batches.view(b.id).lastResult!
    expect(last.outputPath).toMatch(/text\.txt$/)
    expect(readFileSync(last.outputPath!, 'utf8')).toMatch(/^À propos de /)
    expect(last.wordCount).toBe(last.rowNumber === 2 ? 5 : 4)

    const results = batchResultsCsv(engine.stores.batchReports, b.id)
    // The row's own cells come back beside its results, so the file can be pasted next to the sheet.
    expect(results.startsWith('\uFEFFrow,idea,status,job_id,output,word_count,')).toBe(true)
    const rows = table(results.slice(1))
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[5], r[7], r[8]])).toEqual([
      ['2', 'crème brûlée', 'completed', '5', '0.002', 'true'],
      ['3', 'thé', 'completed', '4', '0.002', 'true']
    ])
    for (const r of rows.slice(1)) expect(existsSync(r[4]!)).toBe(true)

    const history = jobHistoryCsv(engine.stores.batchReports, b.id)
    expect(history.charCodeAt(0)).toBe(0xfeff)
    const [header, ...jobs] = table(history.slice(1))
    expect(header).toEqual(['id', 'project', 'type', 'title', 'status', 'priority', 'retries', 'created_at', 'started_at', 'completed_at', 'duration_ms', 'cost_usd', 'cost_known', 'error'])
    expect(jobs.map((j) => [j[2], j[3], j[4], j[6], j[11], j[12], j[13]])).toEqual([
      ['texty', 'crème brûlée · #2', 'completed', '0', '0.002', 'true', ''],
      ['texty', 'thé · #3', 'completed', '0', '0.002', 'true', '']
    ])
    for (const j of jobs) {
      expect(Date.parse(j[9]!)).toBeGreaterThanOrEqual(Date.parse(j[8]!))
      expect(Number(j[10])).toBeGreaterThanOrEqual(0)
    }
  })

  it('marks a row whose job was deleted in the results export', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    const b = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'd.csv', ['idea', 'gone']) }, config: { pipeline: 'one' } })
    batches.startBatch(b.id)
    engine.queue.remove(engine.queue.list({ batchId: b.id })[0]!.id)
    expect(table(batchResultsCsv(engine.stores.batchReports, b.id).slice(1))[1]!.slice(0, 5)).toEqual(['2', 'gone', 'job deleted', '', ''])
  })
})
