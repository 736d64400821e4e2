import { unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import type { PipelineRegistry } from '../../src/main/engine/pipelines/registry'
import type { TestServices } from '../helpers/test-pipelines'
import { tempDir, until } from '../helpers/engine'
import { csvFile, labelledRows, useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

/** A pipeline that takes a language, as the built-in ones do (default en). */
function withLanguagePipeline(engine: ReturnType<typeof open>['engine']) {
  const registry = engine.pipelines as PipelineRegistry<TestServices>
  registry.register({
    name: 'spoken',
    title: 'Spoken',
    input: z.object({ idea: z.string().min(1), language: z.enum(['en', 'fr']).default('en') }),
    steps: [{ name: 'say', title: 'SAY', resource: 'cpu', estimateMs: 10, run: async () => ({ data: null }) }]
  })
}

const languages = (engine: ReturnType<typeof open>['engine'], batchId: string) =>
  engine.queue
    .list({ batchId })
    .sort((a, b) => a.title.localeCompare(b.title))
    .map((j) => [(j.payload as { idea: string }).idea, (j.payload as { language: string }).language])

describe('a batch row, as the sheet has it', () => {
  it('a French sheet without a language column queues French jobs; English rows stay English', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    withLanguagePipeline(engine)
    const file = csvFile(dir, 'idees.csv', [
      'idée',
      'Pourquoi les pieuvres ont trois cœurs et le sang bleu',
      'Why octopuses have three hearts and blue blood'
    ])
    const b = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'spoken' } })
    batches.startBatch(b.id)
    expect(languages(engine, b.id)).toEqual([
      ['Pourquoi les pieuvres ont trois cœurs et le sang bleu', 'fr'],
      ['Why octopuses have three hearts and blue blood', 'en']
    ])
  })

  it('a language column wins ("Français" reads fr), then the config’s language, then the text', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    withLanguagePipeline(engine)
    const withColumn = csvFile(dir, 'col.csv', ['idea,Langue', 'Why octopuses have three hearts,Français', 'Les baleines chantent la nuit,'])
    const b = await batches.create({ source: { kind: 'file', path: withColumn }, config: { pipeline: 'spoken' } })
    batches.startBatch(b.id)
    expect(languages(engine, b.id)).toEqual([
      ['Les baleines chantent la nuit', 'fr'],
      ['Why octopuses have three hearts', 'fr']
    ])
    const plain = csvFile(dir, 'plain.csv', ['idea', 'Les baleines chantent la nuit'])
    const c = await batches.create({ source: { kind: 'file', path: plain }, config: { pipeline: 'spoken', language: 'en' } })
    batches.startBatch(c.id)
    expect(languages(engine, c.id)).toEqual([['Les baleines chantent la nuit', 'en']])
  })

  it('pages the results table by status from the engine, and retries only the rows picked', async () => {
    const { engine, batches, dir } = open(tempDir(), 2)
    // Rows 3 and 5 fail (their step refuses their label); the others complete.
    writeFileSync(join(dir, 'fail-only-r3'), '')
    writeFileSync(join(dir, 'fail-only-r5'), '')
    const b = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'r.csv', labelledRows('r', 6)) }, config: { pipeline: 'one' } })
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    await until(() => batches.view(b.id).status === 'completed', 20_000, 'batch to finish')

    const all = batches.rowsPage(b.id, { offset: 0, limit: 4 })
    expect(all.total).toBe(6)
    expect(all.counts).toEqual({ completed: 4, failed: 2 })
    expect(all.rows.map((r) => [r.rowNumber, r.main, r.status])).toEqual([
      [2, 'r idea 2', 'completed'],
      [3, 'r idea 3', 'failed'],
      [4, 'r idea 4', 'completed'],
      [5, 'r idea 5', 'failed']
    ])
    expect(all.rows[1]!.error).toMatch(/only refused r3/)
    expect(batches.rowsPage(b.id, { offset: 4, limit: 4 }).rows.map((r) => r.rowNumber)).toEqual([6, 7])
    const failed = batches.rowsPage(b.id, { status: 'failed', offset: 0, limit: 100 })
    expect([failed.total, failed.rows.map((r) => r.rowNumber)]).toEqual([2, [3, 5]])

    // Retry row 3 only (row 4 is done and is left alone); it resumes and, its refusal gone, completes.
    const failedJob5 = failed.rows[1]!.jobId
    unlinkSync(join(dir, 'fail-only-r3'))
    batches.retryRows(b.id, [3, 4])
    await until(() => batches.rowsPage(b.id, { status: 'failed', offset: 0, limit: 10 }).total === 1, 20_000, 'row 3 to pass')
    const after = batches.rowsPage(b.id, { status: 'failed', offset: 0, limit: 10 })
    expect(after.rows.map((r) => [r.rowNumber, r.jobId])).toEqual([[5, failedJob5]])
    expect(() => batches.retryRows(b.id, [2])).toThrow(/none of these rows failed/)
  })
})
