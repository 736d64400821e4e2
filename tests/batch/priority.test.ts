import { describe, expect, it } from 'vitest'
import { csvFile, useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

describe('a sheet\'s "priority" column', () => {
  it("gives each row's job its priority, queues the most urgent rows first, and refuses bad values by row and column", async () => {
    // One worker: the batch keeps only two rows in the queue, so which two it picks is visible.
    const { engine, batches, dir } = open(undefined, 1)
    const file = csvFile(dir, 'prio.csv', [
      'idea,Priorité',
      'first idea,',
      'second idea,11',
      'third idea,high',
      'fourth idea,5',
      'urgent idea,1'
    ])
    const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'one' } })
    expect(created.totalRows).toBe(5)
    expect(created.errors.map((e) => e.reason)).toEqual([
      'row 3: column "Priorité": must be a whole number from 1 (runs first) to 10 (got "11")',
      'row 4: column "Priorité": must be a whole number from 1 (runs first) to 10 (got "high")'
    ])
    batches.startBatch(created.id)
    const queued = engine.queue.list({ batchId: created.id })
    expect(queued.map((j) => [j.title, j.priority]).sort()).toEqual([
      ['fourth idea · #5', 5],
      ['urgent idea · #6', 1]
    ])
    // Once those are done (cancelled here), the row whose cell was empty follows, at the queue's default.
    for (const job of queued) engine.queue.cancel(job.id)
    batches.feed(created.id)
    expect(engine.queue.list({ batchId: created.id, status: 'pending' }).map((j) => [j.title, j.priority])).toEqual([['first idea · #2', 10]])
  })
})
