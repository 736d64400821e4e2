import type { Readable } from 'node:stream'
import ExcelJS from 'exceljs'
import { cellToString } from './cell-value'
import { RowSourceError } from './errors'
import { isBlankRow, makeUniqueHeaders } from './headers'
import { positionInRange, type RowRange } from './row-range'
import type { SourceRow } from './types'

/** The parts of exceljs's streaming reader that its typings leave out. */
interface SheetModel {
  name: string
  state?: string
}
interface StreamingWorkbook extends AsyncIterable<StreamingSheet> {
  model?: { sheets?: SheetModel[] }
  properties?: { model?: { date1904?: boolean } }
}
interface StreamingSheet extends AsyncIterable<StreamingRow> {
  name: string
  iterator?: { destroy?: () => void }
}
interface StreamingRow {
  number: number
  eachCell(options: { includeEmpty: boolean }, callback: (cell: { value: unknown; numFmt?: string }, column: number) => void): void
}

export interface XlsxRows {
  headers: string[]
  headerRowNumber: number
  sheet: string
  sheetNames: string[]
  rows: AsyncIterable<SourceRow>
}

/**
 * Read one sheet of an XLSX file with exceljs's streaming reader, so a large sheet never sits in
 * memory as a workbook (exceljs parks sheets that come before the shared strings in temp files).
 * Row numbers come from the file itself, so they match Excel even across empty rows.
 */
export async function readXlsxRows(
  bytes: Readable,
  { origin, sheet, rowRange }: { origin: string; sheet: string | undefined; rowRange: RowRange | undefined }
): Promise<XlsxRows> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(bytes, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles carry the number formats that say a number is a date.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore'
  }) as unknown as StreamingWorkbook
  const sheets = workbook[Symbol.asyncIterator]()
  // exceljs pipes the input into its unzipper with .pipe(), which does not forward errors: a
  // download failing midway would leave it waiting forever. Race every read against the input.
  const inputFailed = failureOf(bytes)
  const pull = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, inputFailed])

  try {
    const found = await findSheet(sheets, workbook, origin, sheet, pull)
    const date1904 = workbook.properties?.model?.date1904 ?? false
    const rowIterator = found.reader[Symbol.asyncIterator]()

    let header: StreamingRow | undefined
    let headerCells: string[] = []
    for (;;) {
      const next = await pull(rowIterator.next())
      if (next.done) break
      const cells = rowCells(next.value, date1904)
      if (!isBlankRow(cells)) {
        header = next.value
        headerCells = cells
        break
      }
    }
    if (!header) {
      await sheets.return?.()
      throw new RowSourceError('EMPTY', `sheet "${found.name}" of ${origin} is empty (no header row)`)
    }
    const headers = makeUniqueHeaders(headerCells)

    async function* rows(): AsyncGenerator<SourceRow> {
      try {
        for (;;) {
          const next = await pull(rowIterator.next())
          if (next.done) return
          const position = positionInRange(next.value.number, rowRange)
          if (position === 'after') return
          if (position === 'before') continue
          const cells = rowCells(next.value, date1904)
          if (isBlankRow(cells)) continue
          yield toSourceRow(next.value.number, cells, headers)
        }
      } catch (err) {
        throw asXlsxError(err, origin)
      } finally {
        // Close the sheet's own reader first (it may hold a temp-file stream), then the workbook's.
        await rowIterator.return?.().catch(() => undefined)
        await sheets.return?.().catch(() => undefined)
      }
    }

    return { headers, headerRowNumber: header.number, sheet: found.name, sheetNames: found.names, rows: rows() }
  } catch (err) {
    throw asXlsxError(err, origin)
  }
}

/** Pick the requested sheet, or the first visible one in tab order (the zip's order can differ). */
async function findSheet(
  sheets: AsyncIterator<StreamingSheet>,
  workbook: StreamingWorkbook,
  origin: string,
  wanted: string | undefined,
  pull: <T>(promise: Promise<T>) => Promise<T>
): Promise<{ reader: StreamingSheet; name: string; names: string[] }> {
  const seen: string[] = []
  for (;;) {
    const next = await pull(sheets.next())
    if (next.done) break
    const reader = next.value
    const model = workbook.model?.sheets ?? []
    const names = model.length ? model.map((s) => s.name) : [...seen, reader.name]
    seen.push(reader.name)
    const target = wanted === undefined ? firstVisible(model) ?? reader.name : matchName(wanted, names)
    if (target === undefined && model.length) throw sheetNotFound(wanted!, names, origin)
    if (reader.name === target) return { reader, name: reader.name, names }
    // A skipped sheet parked in a temp file still holds an open read stream: close it.
    reader.iterator?.destroy?.()
  }
  if (wanted !== undefined) throw sheetNotFound(wanted, seen, origin)
  throw new RowSourceError('EMPTY', `${origin} contains no worksheet`)
}

/** Rejects when the input stream errors or closes before its end. */
function failureOf(bytes: Readable): Promise<never> {
  const failed = new Promise<never>((_, reject) => {
    bytes.once('error', reject)
    bytes.once('close', () => {
      if (!bytes.readableEnded) reject(bytes.errored ?? new Error('the input closed before the end of the file'))
    })
  })
  failed.catch(() => undefined) // observed through Promise.race; never an unhandled rejection
  return failed
}

function firstVisible(model: SheetModel[]): string | undefined {
  return (model.find((s) => !s.state || s.state === 'visible') ?? model[0])?.name
}

/** Exact name first, then ignoring case and surrounding spaces ("ideas " finds "Ideas"). */
function matchName(wanted: string, names: string[]): string | undefined {
  if (names.includes(wanted)) return wanted
  const loose = wanted.trim().toLowerCase()
  return names.find((n) => n.trim().toLowerCase() === loose)
}

function sheetNotFound(wanted: string, names: string[], origin: string): RowSourceError {
  const list = names.map((n) => `"${n}"`).join(', ')
  return new RowSourceError('SHEET_NOT_FOUND', `sheet "${wanted}" not found in ${origin}; available sheets: ${list}`)
}

function rowCells(row: StreamingRow, date1904: boolean): string[] {
  const cells: string[] = []
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    while (cells.length < column - 1) cells.push('')
    cells[column - 1] = cellToString({ value: cell.value, numFmt: cell.numFmt }, date1904)
  })
  return cells
}

function toSourceRow(rowNumber: number, cells: string[], headers: string[]): SourceRow {
  const values = Object.fromEntries(headers.map((name, i) => [name, cells[i] ?? '']))
  const extra = trimTrailingBlanks(cells.slice(headers.length))
  return extra.length ? { rowNumber, values, extra } : { rowNumber, values }
}

export function trimTrailingBlanks(cells: string[]): string[] {
  let end = cells.length
  while (end > 0 && cells[end - 1]!.trim() === '') end--
  return cells.slice(0, end)
}

function asXlsxError(err: unknown, origin: string): unknown {
  if (err instanceof RowSourceError || (err instanceof Error && err.name === 'AbortError')) return err
  const message = err instanceof Error ? err.message : String(err)
  return new RowSourceError('XLSX_READ', `could not read ${origin} as an Excel file (damaged, or not really .xlsx): ${message}`, {
    cause: err
  })
}
