import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir, until } from '../helpers/engine'
import { callsOf } from '../helpers/test-pipelines'
import { csvFile, labelledRows, useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

/** The batch's jobs in each status, by row label. */
function statuses(engine: ReturnType<typeof open>['engine'], batchId: string): Record<string, string> {
  return Object.fromEntries(engine.queue.list({ batchId }).map((j) => [j.title.replace(/^.* · #/, 'row '), j.status]))
}

describe('a batch never stays stuck in "running"', () => {
  it('retrying the failed rows of a paused batch resumes it, and it completes', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    writeFileSync(join(dir, 'fail-only-r2'), '')
    writeFileSync(join(dir, 'hold'), '')
    const b = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'r.csv', labelledRows('r', 3)) }, config: { pipeline: 'one', mapping: { label: 'label' } } })
    engine.db.prepare("UPDATE batch_rows SET input = json_set(input, '$.holdWhile', json('{\"only\":\"hold\"}')) WHERE batch_id = ? AND row_number = 3").run(b.id)
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    await until(() => batches.view(b.id).failedRows === 1 && batches.view(b.id).currentRows[0] === 3, 5000, 'row 2 failed, row 3 running')
    batches.pause(b.id)
    rmSync(join(dir, 'hold'))
    await until(() => engine.queue.list({ batchId: b.id, status: 'processing' }).length === 0, 5000, 'row 3 to finish')
    expect(statuses(engine, b.id)).toEqual({ 'row 2': 'failed', 'row 3': 'completed', 'row 4': 'paused' })

    rmSync(join(dir, 'fail-only-r2'))
    expect(batches.retryFailed(b.id).status).toBe('running')
    await until(() => batches.view(b.id).status === 'completed', 5000, 'the retried batch to complete without a separate resume')
    expect(batches.view(b.id)).toMatchObject({ doneRows: 3, failedRows: 0, progress: 100 })
    expect(() => batches.resume(b.id)).toThrow(/batch is completed, not paused/)
  })

  it('a row whose job was deleted counts as failed ("job deleted"), lets the batch finish, and can be retried', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    const b = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'd.csv', labelledRows('d', 3)) }, config: { pipeline: 'one', mapping: { label: 'label' } } })
    batches.startBatch(b.id)
    const row2 = engine.queue.list({ batchId: b.id }).find((j) => j.title.endsWith('#2'))!
    engine.queue.remove(row2.id)
    batches.start()
    engine.pool.start()
    await until(() => batches.view(b.id).status === 'completed', 5000, 'the batch to complete despite the deleted job')
    const v = batches.view(b.id)
    expect(v).toMatchObject({ doneRows: 2, failedRows: 1, progress: 100 })
    expect(v.finishedAt).not.toBeNull()
    expect(v.errors).toEqual([{ rowNumber: 2, reason: 'row 2: job deleted', jobId: null }])

    batches.retryFailed(b.id)
    await until(() => batches.view(b.id).status === 'completed', 5000, 'the retried row to run')
    expect(batches.view(b.id)).toMatchObject({ doneRows: 3, failedRows: 0, errors: [] })
    expect(callsOf(dir).filter((c) => c === 'd2:only')).toHaveLength(1)
  })

  it('deleting a running batch job from the queue is noticed at once', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    writeFileSync(join(dir, 'hold'), '')
    const b = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'x.csv', labelledRows('x', 1)) }, config: { pipeline: 'one', mapping: { label: 'label' } } })
    engine.db.prepare("UPDATE batch_rows SET input = json_set(input, '$.holdWhile', json('{\"only\":\"hold\"}')) WHERE batch_id = ?").run(b.id)
    const announced: string[] = []
    engine.events.on('batch.changed', (e) => announced.push(e.batch.status))
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    await until(() => batches.view(b.id).currentRows.length === 1, 5000, 'the row to run')
    engine.queue.remove(engine.queue.list({ batchId: b.id })[0]!.id)
    await until(() => announced.at(-1) === 'completed', 2000, 'the batch to be announced completed')
    rmSync(join(dir, 'hold'))
  })

  it('completion is recorded before the engine closes (`studio run --until-idle` after `batch --detach`)', async () => {
    const dir = tempDir()
    const first = open(dir, 1)
    const b = await first.batches.create({ source: { kind: 'file', path: csvFile(dir, 'u.csv', labelledRows('u', 6)) }, config: { pipeline: 'one', mapping: { label: 'label' } } })
    first.batches.startBatch(b.id)
    await first.engine.close(100)

    // What `studio run --until-idle` does: start, wait for the pool to go idle, close.
    const second = open(dir, 1)
    second.batches.start()
    second.engine.pool.start()
    await second.engine.pool.whenIdle()
    second.batches.stop()
    await second.engine.close(100)

    const after = open(dir, 1)
    const v = after.batches.view(b.id)
    expect(v).toMatchObject({ status: 'completed', doneRows: 6, progress: 100 })
    expect(v.finishedAt).not.toBeNull()
  })
})

describe('resetting a batch', () => {
  it('refuses a running batch, then forgets results so Start runs every row again from scratch', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    writeFileSync(join(dir, 'hold'), '')
    const lines = [...labelledRows('z', 3), ',empty']
    const b = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'z.csv', lines) }, config: { pipeline: 'one', mapping: { label: 'label' }, intensity: 1.2 } })
    engine.db.prepare("UPDATE batch_rows SET input = json_set(input, '$.holdWhile', json('{\"only\":\"hold\"}')) WHERE batch_id = ? AND row_number = 3").run(b.id)
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    await until(() => batches.view(b.id).currentRows[0] === 3, 5000, 'row 3 to hold')
    expect(() => batches.reset(b.id)).toThrow(/batch is running; pause or stop it first, then reset it/)

    batches.stopBatch(b.id)
    await until(() => engine.queue.list({ batchId: b.id, status: ['pending', 'processing', 'paused'] }).length === 0, 5000, 'no open job')
    // What the stop cancelled is counted, so the progress adds up (done + failed + refused + cancelled).
    const stopped = batches.view(b.id)
    expect(stopped.cancelledRows).toBeGreaterThan(0)
    expect(stopped.progress).toBeCloseTo(((stopped.doneRows + stopped.failedRows + stopped.invalidRows + stopped.cancelledRows) / 4) * 100, 0)
    rmSync(join(dir, 'hold'))
    const reset = batches.reset(b.id)
    expect(reset).toMatchObject({ status: 'idle', doneRows: 0, failedRows: 0, invalidRows: 1, totalRows: 4, progress: 25, startedAt: null, finishedAt: null, lastResult: null })
    expect(reset.metrics).toMatchObject({ costUsd: 0, avgRowMs: null, errorRate: 0, alert: false })
    // As when it was created: only the invalid row is settled (1 of 4), with its reason.
    expect(reset.errors.map((e) => e.rowNumber)).toEqual([5])
    expect(reset.config.intensity).toBe(1.2)

    batches.startBatch(b.id)
    await until(() => batches.view(b.id).status === 'completed', 5000, 'the reset batch to run again')
    const v = batches.view(b.id)
    expect(v).toMatchObject({ doneRows: 3, failedRows: 0, invalidRows: 1, progress: 100 })
    expect(v.startedAt).toBeGreaterThanOrEqual(reset.updatedAt)
    // Row 2 had finished before the reset: from scratch means it ran again.
    expect(callsOf(dir).filter((c) => c === 'z2:only')).toHaveLength(2)

    // A completed batch can be reset too; a paused one has its waiting jobs cancelled.
    expect(batches.reset(b.id)).toMatchObject({ status: 'idle', doneRows: 0 })
    batches.startBatch(b.id)
    batches.pause(b.id)
    const pausedReset = batches.reset(b.id)
    expect(pausedReset.status).toBe('idle')
    await until(() => engine.queue.list({ batchId: b.id, status: ['pending', 'processing', 'paused'] }).length === 0, 5000, 'paused jobs cancelled')
  })

  it('names the batch it cannot find', () => {
    const { batches } = open()
    expect(() => batches.reset('nope')).toThrow(/no batch with id nope/)
  })
})
