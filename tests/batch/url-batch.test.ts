import ExcelJS from 'exceljs'
import { afterEach, describe, expect, it } from 'vitest'
import { ANY_ADDRESS } from '../../src/main/engine/batch/sources'
import { startServer, type TestServer } from './helpers/http-server'
import { useBatchEngine } from './helpers/batches'

const open = useBatchEngine()
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A Sheets-style XLSX export: a first tab the user does not want, then the ideas one, its header on row 2. */
async function workbookBytes(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  const notes = workbook.addWorksheet('Notes')
  notes.addRow(['remark'])
  notes.addRow(['not an idea'])
  const ideas = workbook.addWorksheet('Idées')
  ideas.getRow(2).values = ['idea', 'label']
  ideas.getRow(3).values = ['Un phare à l’aube', 'x3']
  ideas.getRow(5).values = ['Des baleines', 'x5']
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

describe('a batch from an XLSX link with --sheet', () => {
  it('reads the chosen sheet of the download, keeping the sheet\u2019s row numbers', async () => {
    const bytes = await workbookBytes()
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': XLSX_TYPE }).end(bytes))
    const url = `${server.origin}/spreadsheets/d/abc123/export?format=xlsx`
    const { engine, batches } = open()

    const preview = await batches.preview({ kind: 'url', url }, 'Idées', { pipeline: 'one' }, { network: ANY_ADDRESS })
    expect(preview.sheets).toEqual(['Notes', 'Idées'])
    expect(preview.sampleRows.map((r) => [r.rowNumber, r.values.idea])).toEqual([
      [3, 'Un phare à l’aube'],
      [5, 'Des baleines']
    ])

    const b = await batches.create({ source: { kind: 'url', url }, sheet: 'Idées', config: { pipeline: 'one' } }, { network: ANY_ADDRESS })
    expect(b).toMatchObject({ status: 'idle', totalRows: 2, invalidRows: 0, sheet: 'Idées', errors: [] })
    batches.startBatch(b.id)
    expect(engine.queue.list({ batchId: b.id }).map((j) => [j.title, (j.payload as { idea: string }).idea])).toEqual([
      ['Un phare à l’aube · #3', 'Un phare à l’aube'],
      ['Des baleines · #5', 'Des baleines']
    ])
  })

  it('names the sheet that is not in the download', async () => {
    const bytes = await workbookBytes()
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': XLSX_TYPE }).end(bytes))
    const { batches } = open()
    await expect(
      batches.create({ source: { kind: 'url', url: `${server.origin}/export?format=xlsx` }, sheet: 'Ideas', config: { pipeline: 'one' } }, { network: ANY_ADDRESS })
    ).rejects.toThrow(/sheet.*"Ideas".*Notes.*Idées/)
  })
})
