import { describe, expect, it } from 'vitest'
import type { BatchView, EngineEvent } from '../../src/shared/types'
import { until } from '../helpers/engine'
import { csvFile, labelledRows, useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

describe('a running batch while the whole queue is paused', () => {
  it('has no end time, and gets one back, announced, when the queue resumes', async () => {
    const { engine, batches, dir } = open()
    // Enough rows that the batch is still running when the queue is paused and resumed.
    const file = csvFile(dir, 'rows.csv', labelledRows('p', 300))
    const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'one' } })
    const announced: BatchView[] = []
    engine.events.subscribe((e: EngineEvent) => {
      if (e.type === 'batch.changed' && e.batch.id === created.id) announced.push(e.batch)
    })
    batches.start()
    batches.startBatch(created.id)
    engine.pool.start()
    // Two rows done: the average per row, and with it an end time, is known.
    await until(() => batches.view(created.id).doneRows >= 2 && batches.view(created.id).status === 'running', 10_000, 'rows to finish')

    engine.queue.setQueuePaused(true)
    expect(batches.view(created.id).estimatedEndAt).toBeNull()
    await until(() => announced.at(-1)?.estimatedEndAt === null, 5_000, 'the paused view to be announced')

    engine.queue.setQueuePaused(false)
    await until(() => typeof announced.at(-1)?.estimatedEndAt === 'number', 5_000, 'an end time again')
  })
})
