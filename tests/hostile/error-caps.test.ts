import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useBatchEngine } from '../batch/helpers/batches'
import { writeXlsx } from './helpers/xlsx'

const open = useBatchEngine()

/** The database's size with its write-ahead log: what the refused import left behind. */
function dbBytes(dir: string): number {
  const size = (f: string) => {
    try {
      return statSync(join(dir, f)).size
    } catch {
      return 0
    }
  }
  return size('studio.db') + size('studio.db-wal')
}

describe('a refused import quotes and keeps little, whatever the file holds', () => {
  it('a 3 MB CSV header: a short error, and studio.db no larger', async () => {
    const { batches, dir, engine } = open()
    engine.db.pragma('wal_checkpoint(TRUNCATE)')
    const before = dbBytes(dir)
    const file = join(dir, 'huge-header.csv')
    writeFileSync(file, `${'h'.repeat(3 * 1024 * 1024)},other\nvalue,v\n`)
    const err = (await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'one' } }).catch((e: Error) => e)) as Error
    expect(err.message).toContain('available columns: "hhhh')
    expect(err.message).toContain(`… (${3 * 1024 * 1024} characters)`)
    expect(err.message.length).toBeLessThan(2_100)
    engine.db.pragma('wal_checkpoint(TRUNCATE)')
    expect(dbBytes(dir) - before).toBeLessThan(512 * 1024)
  })

  it('a 20 MB shared-string header in a small .xlsx: a short error, and studio.db no larger', async () => {
    const { batches, dir, engine } = open()
    engine.db.pragma('wal_checkpoint(TRUNCATE)')
    const before = dbBytes(dir)
    const file = join(dir, 'huge-header.xlsx')
    await writeXlsx(file, {
      sharedStrings: ['x'.repeat(20 * 1024 * 1024), 'value'],
      sheets: [{ name: 'Sheet1', rows: '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>' }]
    })
    expect(statSync(file).size).toBeLessThan(200 * 1024)
    const err = (await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'one' } }).catch((e: Error) => e)) as Error
    expect(err.message).toContain('available columns: "xxxx')
    expect(err.message.length).toBeLessThan(2_100)
    engine.db.pragma('wal_checkpoint(TRUNCATE)')
    expect(dbBytes(dir) - before).toBeLessThan(512 * 1024)
  })
})
