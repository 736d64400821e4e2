import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { failureAlert } from '../../src/main/engine/batch/alert'
import { tempDir, until } from '../helpers/engine'
import { csvFile, labelledRows, useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

const rows = (failed: number, completed: number) => [...Array<string>(failed).fill('failed'), ...Array<string>(completed).fill('completed')]

describe('the 20 % failure alert (seed 4)', () => {
  it('waits for 5 finished rows, and fires only above 20 % of the last 20', () => {
    expect(failureAlert(rows(1, 0))).toBe(false)
    expect(failureAlert(rows(4, 0))).toBe(false)
    expect(failureAlert(rows(2, 3))).toBe(true)
    // Exactly 20 % is the threshold, not above it.
    expect(failureAlert(rows(4, 16))).toBe(false)
    expect(failureAlert(rows(5, 15))).toBe(true)
    // Only the newest 20 count: 4 failures among them, older ones forgotten.
    expect(failureAlert([...rows(4, 16), ...rows(10, 0)])).toBe(false)
  })

  it('does not alarm on a batch whose first and only finished row failed', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    writeFileSync(join(dir, 'fail-only-a2'), '')
    const b = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'a.csv', labelledRows('a', 1)) }, config: { pipeline: 'one', mapping: { label: 'label' } } })
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    await until(() => batches.view(b.id).status === 'completed', 5000, 'batch to complete')
    expect(batches.view(b.id)).toMatchObject({ failedRows: 1, metrics: { errorRate: 1, alert: false } })
  })

  it('looks at the last 20 finished rows of a batch, not at its whole history', async () => {
    const { engine, batches, dir } = open(tempDir(), 1)
    // 25 rows run in row order; the first 6 fail: 24 % overall, but none among the last 20.
    for (let n = 2; n <= 7; n++) writeFileSync(join(dir, `fail-only-w${n}`), '')
    const b = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'w.csv', labelledRows('w', 25)) }, config: { pipeline: 'one', mapping: { label: 'label' } } })
    batches.start()
    engine.pool.start()
    batches.startBatch(b.id)
    // While the failures are recent (from 5 to 21 finished rows), the alert is up.
    await until(() => batches.view(b.id).metrics.alert, 20_000, 'the alert while failures are recent')
    await until(() => batches.view(b.id).status === 'completed', 20_000, 'batch to complete')
    const v = batches.view(b.id)
    expect(v).toMatchObject({ doneRows: 19, failedRows: 6 })
    expect(v.metrics.errorRate).toBeCloseTo(0.24)
    expect(v.metrics.alert).toBe(false)
  })
})
