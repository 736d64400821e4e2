/**
 * A running batch while another process holds the database (an import, a cleanup, a backup
 * tool) past the busy timeout: its periodic top-up meets the lock. The engine must not fail,
 * and the batch goes on once the lock is gone.
 */
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { databaseFile } from '../../src/main/engine/engine'
import { until } from '../helpers/engine'
import { csvFile, labelledRows, useBatchEngine } from './helpers/batches'

const open = useBatchEngine()

describe('a running batch during a database lock', () => {
  it('waits, then finishes every row', async () => {
    const { engine, batches, dir } = open()
    engine.db.pragma('busy_timeout = 50')
    const created = await batches.create({ source: { kind: 'file', path: csvFile(dir, 'rows.csv', labelledRows('l', 40)) }, config: { pipeline: 'one' } })
    batches.start()
    batches.startBatch(created.id)
    engine.pool.start()
    await until(() => batches.view(created.id).doneRows >= 2, 10_000, 'rows to run')

    const other = new Database(databaseFile(dir))
    try {
      other.pragma('busy_timeout = 5000')
      other.exec('BEGIN IMMEDIATE')
      await new Promise((r) => setTimeout(r, 2_600)) // past the batches' 2 s sweep
      other.exec('COMMIT')
    } finally {
      other.close()
    }
    await until(() => batches.view(created.id).status === 'completed', 20_000, 'the batch to finish')
    expect(batches.view(created.id).doneRows).toBe(40)
  }, 30_000)
})
