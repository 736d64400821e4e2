/**
 * The batch dashboard's "ends at": rows that wait for one another (a rate-limited provider, a
 * shared ffmpeg slot) finish at the pace the batch really goes, not at their run time divided by
 * the pool's slots. And a batch whose every row was refused does not read "0 % errors".
 */
import { describe, expect, it } from 'vitest'
import { defaultResourceLimits } from '../../src/main/engine/pool/pool'
import { until } from '../helpers/engine'
import { csvFile, labelledRows, useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

describe("a running batch's end time", () => {
  it('follows the pace rows actually finish at', async () => {
    const { engine, batches, dir } = open()
    // Two slots, but the resource lets one job start every 120 ms: rows queue behind each other.
    engine.pool.limiter.setLimits({ ...defaultResourceLimits(), cpu: { concurrency: 2, minIntervalMs: 120 } })
    const created = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'rows.csv', labelledRows('e', 30)) }, config: { pipeline: 'one' } })
    batches.start()
    batches.startBatch(created.id)
    engine.pool.start()
    await until(() => batches.view(created.id).doneRows >= 10, 15_000, 'ten rows')

    const at = Date.now()
    const seen = batches.view(created.id)
    const remaining = seen.totalRows - seen.doneRows - seen.failedRows - seen.invalidRows - seen.cancelledRows
    expect(remaining).toBeGreaterThan(0)
    // The limiter starts one row every 120 ms at most, so rows finish at least ~120 ms apart
    // however fast or loaded the machine; the run time over the slots (a few ms per row here)
    // would announce an end almost at once. A floor the limiter guarantees, not a wall-clock
    // comparison (the pace arithmetic itself is tested in src/main/engine/batch/view.test.ts).
    const announcedMs = seen.estimatedEndAt! - at
    expect(announcedMs).toBeGreaterThan(remaining * 120 * 0.75)
  })
})

describe("a batch's error rate", () => {
  it('counts refused rows: every row refused is 100 % errors', async () => {
    const { engine, batches, dir } = open()
    // The "one" pipeline's label must be text; a priority outside 1–10 is refused at import.
    const lines = ['idea,label,priority', ...[2, 3, 4].map((n) => `idea ${n},l${n},99`)]
    const created = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'bad.csv', lines) }, config: { pipeline: 'one' } })
    batches.start()
    batches.startBatch(created.id)
    engine.pool.start()
    await until(() => batches.view(created.id).status === 'completed', 10_000, 'the batch to settle')
    expect(batches.view(created.id)).toMatchObject({ invalidRows: 3, doneRows: 0, metrics: { errorRate: 1 } })
  })
})
