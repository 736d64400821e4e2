import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { openRowSource } from '../../src/main/engine/batch/sources'
import type { SourceRow } from '../../src/main/engine/batch/sources/types'
import { useBatchEngine } from '../batch/helpers/batches'
import { tempDir } from '../helpers/engine'
import { str, writeXlsx } from './helpers/xlsx'

const open = useBatchEngine()

async function rowsOf(file: string, sheet?: string): Promise<SourceRow[]> {
  const source = await openRowSource(file, sheet ? { sheet } : {})
  const rows: SourceRow[] = []
  for await (const row of source.rows) rows.push(row)
  return rows
}

/** A workbook written by exceljs with formulas and their cached results, as Excel saves them. */
async function formulaWorkbook(dir: string): Promise<string> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('Ideas')
  ws.addRow(['idea', 'priority', 'music', 'loud', 'note', 'images'])
  ws.addRow(['zero and false', { formula: '1-1', result: 0 }, { formula: '1=2', result: false }, { formula: '1=1', result: true }, { formula: '"x"&""', result: '' }, { formula: '2-2', result: 0 }])
  ws.addRow(['division', 3, 'no', 'no', { formula: '1/0', result: { error: '#DIV/0!' } }, 1])
  ws.addRow(['not available', { formula: 'NA()', result: { error: '#N/A' } }, 'no', 'no', 'fine', 2])
  ws.addRow(['value error', 2, 'no', 'no', 'fine', { formula: '"a"+1', result: { error: '#VALUE!' } }])
  const file = join(dir, 'formulas.xlsx')
  await wb.xlsx.writeFile(file)
  return file
}

describe('XLSX cells read as Excel shows them', () => {
  it("a formula's cached 0, FALSE and TRUE are read as such, not as \"\" and \"1\"", async () => {
    const rows = await rowsOf(await formulaWorkbook(tempDir()))
    expect(rows[0]!.values).toEqual({ idea: 'zero and false', priority: '0', music: 'FALSE', loud: 'TRUE', note: '', images: '0' })
    expect(rows[0]!.cellErrors).toBeUndefined()
  })

  it('a formula error is a row error naming the cell; a priority of 0 is refused, not turned into 10', async () => {
    const { batches, dir } = open()
    const file = await formulaWorkbook(dir)
    const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'one', mapping: { idea: 'idea', note: 'note', images: 'images' } } })
    expect(created.totalRows).toBe(4)
    const reasons = Object.fromEntries(created.errors.map((e) => [e.rowNumber, e.reason]))
    expect(reasons[2]).toContain('column "priority": must be a whole number from 1 (runs first) to 10 (got "0")')
    expect(reasons[3]).toBe('row 3: E3: the formula gives #DIV/0!')
    expect(reasons[4]).toBe('row 4: B4: the formula gives #N/A')
    expect(reasons[5]).toBe('row 5: F5: the formula gives #VALUE!')
    expect(created.invalidRows).toBe(4)
  })

  it('an error in a column no job uses does not refuse the row', async () => {
    const { batches, dir } = open()
    const file = join(dir, 'unused-error.xlsx')
    await writeXlsx(file, {
      sheets: [{ name: 'S', rows: `<row r="1">${str('A1', 'idea')}${str('B1', 'scratch')}</row><row r="2">${str('A2', 'a fox')}<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>` }]
    })
    const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'one', mapping: { idea: 'idea' } } })
    expect(created).toMatchObject({ totalRows: 1, invalidRows: 0 })
  })

  it('dates before 1900-03-01 (LibreOffice, Excel for Mac) are not a day early; [h]:mm durations are durations', async () => {
    const dir = tempDir()
    const file = join(dir, 'dates.xlsx')
    const date = (ref: string, serial: number, style = 1) => `<c r="${ref}" s="${style}"><v>${serial}</v></c>`
    await writeXlsx(file, {
      numFmts: ['yyyy-mm-dd', '[h]:mm', '[h]:mm:ss', '[mm]:ss', 'h:mm'],
      sheets: [
        {
          name: 'S',
          rows:
            `<row r="1">${str('A1', 'idea')}${str('B1', 'd1')}${str('C1', 'd59')}${str('D1', 'd60')}${str('E1', 'd61')}${str('F1', 'd45000')}</row>` +
            `<row r="2">${str('A2', 'dates')}${date('B2', 1)}${date('C2', 59)}${date('D2', 60)}${date('E2', 61)}${date('F2', 45000)}</row>` +
            `<row r="3">${str('A3', 'durations')}${date('B3', 1.5, 2)}${date('C3', 0.0625, 3)}${date('D3', 2.5 / 1440, 4)}${date('E3', 0.25, 5)}<c r="F3" s="2"><f>B3*2</f><v>3</v></c></row>`
        }
      ]
    })
    const [dates, durations] = await rowsOf(file)
    expect(dates!.values).toEqual({ idea: 'dates', d1: '1900-01-01', d59: '1900-02-28', d60: '1900-02-29', d61: '1900-03-01', d45000: '2023-03-15' })
    expect(durations!.values).toEqual({ idea: 'durations', d1: '36:00', d59: '1:30:00', d60: '2:30', d61: '06:00:00', d45000: '72:00' })
  })

  it('an empty first sheet names the sheets that have data', async () => {
    const { batches, dir } = open()
    const file = join(dir, 'tabs.xlsx')
    const data = [`<row r="1">${str('A1', 'idea')}</row>`, ...Array.from({ length: 341 }, (_, i) => `<row r="${i + 2}">${str(`A${i + 2}`, `idea ${i}`)}</row>`)].join('')
    await writeXlsx(file, {
      sheets: [
        { name: 'Cover', rows: '' },
        { name: 'Blank', rows: '<row r="1"></row>' },
        { name: 'Data', rows: data }
      ]
    })
    const err = (await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'one' } }).catch((e: Error) => e)) as Error
    expect(err.message).toContain('sheet "Cover" of tabs.xlsx is empty (no header row); this sheet has data: "Data" (choose the sheet)')
    const created = await batches.create({ source: { kind: 'file', path: file }, sheet: 'Data', config: { pipeline: 'one' } })
    expect(created.totalRows).toBe(341)
  })
})

describe('XLSX text across the reading chunks', () => {
  it('accents and emoji that straddle two chunks of a large sheet are read whole', async () => {
    const file = join(tempDir(), 'accents.xlsx')
    const text = (i: number) => `Été ✓ 😀 n°${i} à la plage`
    const rows = [`<row r="1">${str('A1', 'idea')}</row>`, ...Array.from({ length: 5_000 }, (_, i) => `<row r="${i + 2}">${str(`A${i + 2}`, text(i))}</row>`)]
    await writeXlsx(file, { sheets: [{ name: 'S', rows: rows.join('') }] })
    const read = await rowsOf(file)
    expect(read).toHaveLength(5_000)
    expect(read.filter((r, i) => r.values.idea !== text(i))).toEqual([])
  })
})

describe('XLSX shared strings across the reading chunks', () => {
  it('accents and emoji in a large shared-string table are read whole', async () => {
    const file = join(tempDir(), 'shared.xlsx')
    const text = (i: number) => `Été ✓ 😀 n°${i} à la plage`
    const strings = ['idea', ...Array.from({ length: 5_000 }, (_, i) => text(i))]
    const rows = strings.map((_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>${i}</v></c></row>`)
    await writeXlsx(file, { sharedStrings: strings, sheets: [{ name: 'S', rows: rows.join('') }] })
    const read = await rowsOf(file)
    expect(read).toHaveLength(5_000)
    expect(read.filter((r, i) => r.values.idea !== text(i)).slice(0, 3)).toEqual([])
  })
})

describe('XLSX bytes that are not UTF-8', () => {
  it('a sheet holding invalid UTF-8 is refused, not read with U+FFFD', async () => {
    const file = join(tempDir(), 'latin1.xlsx')
    await writeXlsx(file, {
      sheets: [{ name: 'S', rows: `<row r="1">${str('A1', 'idea')}</row><row r="2"><c r="A2" t="inlineStr"><is><t>caf RAW</t></is></c></row>` }],
      rawFirstSheetBytes: Buffer.from([0xe9])
    })
    const read = rowsOf(file)
    await expect(read).rejects.toThrow(/latin1\.xlsx.*not valid UTF-8/)
  })
})
