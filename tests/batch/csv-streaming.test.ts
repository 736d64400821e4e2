import { createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openRowSource } from '../../src/main/engine/batch/sources'
import { makeTempDir } from './helpers/fs'

const ROWS = 100_000
let dir: string
let cleanup: () => Promise<void>
let path: string

beforeAll(async () => {
  ;({ dir, cleanup } = await makeTempDir())
  path = join(dir, 'big.csv')
  const out = createWriteStream(path)
  out.write('idée;langue;notes\r\n')
  for (let i = 0; i < ROWS; i++) {
    // Every 1000th row has a quoted cell spanning two lines: one record, one row number.
    const notes = i % 1000 === 0 ? '"première ligne\r\nseconde ligne"' : `note ${i}`
    if (!out.write(`Idée numéro ${i} à développer;fr;${notes}\r\n`)) await once(out, 'drain')
  }
  out.end()
  await finished(out)
})
afterAll(() => cleanup())

it('streams a 100 000-row CSV: rows arrive while the file is still being read, all are counted', async () => {
  const { size } = await stat(path)
  const source = await openRowSource(path)
  expect(source.headers).toEqual(['idée', 'langue', 'notes'])

  let count = 0
  let bytesReadAtFirstRow: number | undefined
  let lastRowNumber = 0
  for await (const row of source.rows) {
    if (count === 0) bytesReadAtFirstRow = source.progress().bytesRead
    count++
    lastRowNumber = row.rowNumber
  }

  expect(count).toBe(ROWS)
  expect(lastRowNumber).toBe(ROWS + 1)
  expect(source.progress()).toEqual({ bytesRead: size, totalBytes: size })
  // The first row was handed out after reading a small fraction of the file, not all of it.
  expect(bytesReadAtFirstRow).toBeGreaterThan(0)
  expect(bytesReadAtFirstRow!).toBeLessThan(size / 4)
})

it('stops reading at the end of rowRange instead of scanning the rest of the file', async () => {
  const { size } = await stat(path)
  const source = await openRowSource(path, { rowRange: { start: 10, end: 20 } })
  const numbers: number[] = []
  for await (const row of source.rows) numbers.push(row.rowNumber)
  expect(numbers).toEqual(Array.from({ length: 11 }, (_, i) => i + 10))
  expect(source.progress().bytesRead).toBeLessThan(size / 4)
})

it('releases the file when the consumer breaks out early', async () => {
  const source = await openRowSource(path)
  for await (const row of source.rows) {
    if (row.rowNumber === 5) break
  }
  const before = source.progress().bytesRead
  await new Promise((r) => setTimeout(r, 50))
  expect(source.progress().bytesRead).toBe(before)
})
