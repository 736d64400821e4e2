import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRowSource, RowSourceError } from '../../src/main/engine/batch/sources'
import { collect, makeTempDir } from './helpers/fs'

let dir: string
let cleanup: () => Promise<void>
let workbookPath: string

beforeAll(async () => {
  ;({ dir, cleanup } = await makeTempDir())
  workbookPath = join(dir, 'ideas.xlsx')
  const workbook = new ExcelJS.Workbook()

  const ideas = workbook.addWorksheet('Idées')
  ideas.addRow(['Idée', 'Langue', 'Prix', 'Date', 'Double', 'Texte riche', 'Lien', 'Actif', 'Erreur', 'Jour calculé'])
  ideas.addRow([
    'Été à la plage',
    'fr',
    0.1 + 0.2,
    new Date(Date.UTC(2025, 8, 18)),
    { formula: 'C2*2', result: 0.6000000000000001 },
    { richText: [{ text: 'gras ' , font: { bold: true } }, { text: 'et normal' }] },
    { text: 'le site', hyperlink: 'https://example.com' },
    true,
    { error: '#N/A' },
    { formula: 'D2+1', result: new Date(Date.UTC(2025, 8, 19)) }
  ])
  ideas.getCell('D2').numFmt = 'dd/mm/yyyy'
  ideas.getCell('J2').numFmt = 'dd/mm/yyyy'
  // Row 3 left empty on purpose; row 4 has a time of day, a big integer and a cell past the last header.
  ideas.getRow(4).values = ['Deuxième', 'en', 1234567, new Date(Date.UTC(2025, 0, 2, 6, 30)), 42]
  ideas.getCell('D4').numFmt = 'yyyy-mm-dd hh:mm'
  ideas.getCell('L4').value = 'beyond the headers'
  ideas.addRow(['Troisième', 'de'])

  const other = workbook.addWorksheet('Other tab')
  other.addRow(['topic'])
  other.addRow(['from the second sheet'])

  await workbook.xlsx.writeFile(workbookPath)
})
afterAll(() => cleanup())

describe('XLSX', () => {
  it('reads the first sheet by default, with values as the user sees them', async () => {
    const source = await openRowSource(workbookPath)
    expect(source.format).toBe('xlsx')
    expect(source.sheet).toBe('Idées')
    expect(source.sheetNames).toEqual(['Idées', 'Other tab'])
    expect(source.headers).toEqual([
      'Idée',
      'Langue',
      'Prix',
      'Date',
      'Double',
      'Texte riche',
      'Lien',
      'Actif',
      'Erreur',
      'Jour calculé'
    ])
    const rows = await collect(source.rows)
    expect(rows[0]).toEqual({
      rowNumber: 2,
      values: {
        Idée: 'Été à la plage',
        Langue: 'fr',
        Prix: '0.3',
        Date: '2025-09-18',
        Double: '0.6',
        'Texte riche': 'gras et normal',
        Lien: 'le site',
        Actif: 'TRUE',
        Erreur: '#N/A',
        'Jour calculé': '2025-09-19'
      },
      // An error value is kept as Excel shows it, and flagged: a row that uses the column is refused.
      cellErrors: [{ column: 'Erreur', reason: 'I2: the cell holds the error #N/A' }]
    })
    // Row 3 is empty: skipped, and row numbers keep matching Excel.
    expect(rows[1]).toMatchObject({
      rowNumber: 4,
      values: { Idée: 'Deuxième', Prix: '1234567', Date: '2025-01-02T06:30:00', Double: '42', Actif: '' },
      extra: ['', 'beyond the headers']
    })
    expect(rows[2]).toMatchObject({ rowNumber: 5, values: { Idée: 'Troisième', Langue: 'de', Prix: '' } })
    expect(rows).toHaveLength(3)
  })

  it('reads a named sheet, forgiving case and spaces', async () => {
    const source = await openRowSource(workbookPath, { sheet: ' other TAB ' })
    expect(source.sheet).toBe('Other tab')
    expect(await collect(source.rows)).toEqual([{ rowNumber: 2, values: { topic: 'from the second sheet' } }])
  })

  it('names the available sheets when the requested one does not exist', async () => {
    const error = await openRowSource(workbookPath, { sheet: 'Ideas' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RowSourceError)
    expect((error as RowSourceError).code).toBe('SHEET_NOT_FOUND')
    expect((error as Error).message).toBe(`sheet "Ideas" not found in ${workbookPath}; available sheets: "Idées", "Other tab"`)
  })

  it('applies rowRange with the sheet’s own row numbers', async () => {
    const source = await openRowSource(workbookPath, { rowRange: { start: 3, end: 4 } })
    expect((await collect(source.rows)).map((r) => r.rowNumber)).toEqual([4])
  })

  it('skips a hidden first tab by default', async () => {
    const path = join(dir, 'hidden-first.xlsx')
    const workbook = new ExcelJS.Workbook()
    const hidden = workbook.addWorksheet('Lookup')
    hidden.state = 'hidden'
    hidden.addRow(['code'])
    workbook.addWorksheet('Visible').addRow(['idea'])
    await workbook.xlsx.writeFile(path)
    const source = await openRowSource(path)
    expect(source.sheet).toBe('Visible')
    expect(source.headers).toEqual(['idea'])
  })

  it('reads any tab of a workbook with many tabs, whatever order its parts are stored in', async () => {
    // exceljs (and other writers) store the sheet list after the sheets: a one-pass read of the
    // zip lost it as soon as it waited on a few tabs, and every read of such a file failed.
    const path = join(dir, 'many-tabs.xlsx')
    const workbook = new ExcelJS.Workbook()
    for (let tab = 1; tab <= 12; tab++) workbook.addWorksheet(`Tab ${tab}`).addRows([['topic'], [`idea ${tab}`]])
    await workbook.xlsx.writeFile(path)

    const first = await openRowSource(path)
    expect(first.sheetNames).toHaveLength(12)
    expect(await collect(first.rows)).toEqual([{ rowNumber: 2, values: { topic: 'idea 1' } }])
    const last = await openRowSource(path, { sheet: 'tab 12' })
    expect(last.sheet).toBe('Tab 12')
    expect(await collect(last.rows)).toEqual([{ rowNumber: 2, values: { topic: 'idea 12' } }])
  })

  it('reads a workbook written by the streaming writer (different part order, inline strings)', async () => {
    const path = join(dir, 'streamed.xlsx')
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: true })
    const sheet = writer.addWorksheet('Data')
    sheet.addRow(['idea', 'n']).commit()
    for (let i = 0; i < 500; i++) sheet.addRow([`idée ${i}`, i / 10]).commit()
    sheet.commit()
    await writer.commit()
    const rows = await collect((await openRowSource(path)).rows)
    expect(rows).toHaveLength(500)
    expect(rows[3]).toEqual({ rowNumber: 5, values: { idea: 'idée 3', n: '0.3' } })
  })

  it('stops cleanly when the consumer breaks out of a large sheet', async () => {
    const path = join(dir, 'large.xlsx')
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet('Rows')
    sheet.addRow(['idea', 'n'])
    for (let i = 0; i < 5000; i++) sheet.addRow([`idée ${i}`, i])
    await workbook.xlsx.writeFile(path)

    const source = await openRowSource(path)
    const seen: number[] = []
    for await (const row of source.rows) {
      seen.push(row.rowNumber)
      if (seen.length === 3) break
    }
    expect(seen).toEqual([2, 3, 4])
    const ranged = await openRowSource(path, { rowRange: { start: 4000, end: 4001 } })
    expect((await collect(ranged.rows)).map((r) => r.values.idea)).toEqual(['idée 3998', 'idée 3999'])
  })

  it('reports a damaged file as an Excel read error naming it', async () => {
    const { writeFile } = await import('node:fs/promises')
    const path = join(dir, 'broken.xlsx')
    await writeFile(path, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]))
    const readAll = async (): Promise<unknown> => collect((await openRowSource(path)).rows)
    await expect(readAll()).rejects.toThrow(/could not read .*broken\.xlsx as an Excel file \(damaged, or not really \.xlsx\)/)
  })
})
