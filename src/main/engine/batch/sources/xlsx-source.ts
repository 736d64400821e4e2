import { Readable } from 'node:stream'
import type ExcelJSModule from 'exceljs'
import { RowSourceError, clipText } from './errors'
import { isBlankRow, makeUniqueHeaders } from './headers'
import { positionInRange, type RowRange } from './row-range'
import type { SourceRow } from './types'
import { openXlsxArchive, resolveTarget, type XlsxArchive } from './xlsx-archive'
import { readSheetRows, utf8Text, type SheetContext, type SheetRow } from './xlsx-sheet-cells'
import { lazyPackage } from '../../lazy-package'

const excel = lazyPackage<typeof ExcelJSModule>('exceljs')

const WORKBOOK_PART = 'xl/workbook.xml'
const WORKBOOK_RELS_PART = 'xl/_rels/workbook.xml.rels'
/** Relationship types end with the same name in transitional and strict OOXML files. */
const isRelationship = (rel: Relationship, type: string): boolean => rel.Type.endsWith(`/relationships/${type}`)

interface Relationship {
  Id: string
  Type: string
  Target: string
}
interface SheetModel {
  name: string
  id: number
  rId: string
  state?: string
}
/** A worksheet of the workbook, in tab order, with the zip part that holds its cells. */
interface WorksheetPart {
  name: string
  id: number
  state: string | undefined
  partName: string
}

/**
 * The part parsers of exceljs's streaming reader, used one part at a time. Its own `parse()` makes
 * one streaming pass over the zip and drops entries when it awaits between them (exceljs#3064):
 * with a few tabs, or a slow temp folder, xl/workbook.xml — stored last by exceljs and others — was
 * lost and every read failed. These parsers are what that pass calls; their typings are left out.
 */
interface WorkbookParts {
  workbookRels?: Relationship[]
  model?: { sheets?: SheetModel[] }
  properties?: { model?: { date1904?: boolean } }
  _parseRels(part: Readable): Promise<void>
  _parseWorkbook(part: Readable): Promise<void>
  _parseSharedStrings(part: Readable): AsyncGenerator<unknown>
  _parseStyles(part: Readable): Promise<void>
  sharedStrings?: unknown[]
  styles?: { getStyleModel(id: number): { numFmt?: string } | null | undefined }
}

export interface XlsxRows {
  headers: string[]
  headerRowNumber: number
  sheet: string
  sheetNames: string[]
  rows: AsyncIterable<SourceRow>
}

/**
 * Read one sheet of an XLSX file. The zip is read through its central directory, which sits at the
 * end of the file, so the whole (compressed) file is read first; the sheet's cells are then
 * streamed row by row, so a large sheet never sits in memory as a workbook. Row numbers come from
 * the file itself, so they match Excel even across empty rows.
 */
export async function readXlsxRows(
  bytes: Readable,
  { origin, sheet, rowRange }: { origin: string; sheet: string | undefined; rowRange: RowRange | undefined }
): Promise<XlsxRows> {
  let part: Readable | undefined
  try {
    const archive = await openXlsxArchive(await readAll(bytes))
    const workbook = await readWorkbookParts(archive, origin)
    const worksheets = worksheetParts(workbook)
    const names = worksheets.map((w) => w.name)
    const found = pickSheet(worksheets, sheet, origin)
    part = await archive.open(found.partName)
    if (!part) throw new RowSourceError('XLSX_READ', `${origin} is damaged: the cells of sheet "${found.name}" are missing`)
    const context = sheetContext(workbook)
    const rowIterator = readSheetRows(part, context)
    const sheetPart = part
    const release = async (): Promise<void> => {
      await rowIterator.return(undefined).catch(() => undefined)
      sheetPart.destroy()
    }

    let header: SheetRow | undefined
    for (;;) {
      const next = await rowIterator.next()
      if (next.done) break
      if (!isBlankRow(next.value.cells)) {
        header = next.value
        break
      }
    }
    if (!header) {
      await release()
      // The first tab is often a cover or an empty "Sheet1": say which tabs hold the rows.
      const others = await sheetsWithData(archive, context, worksheets.filter((w) => w !== found))
      const hint = others.length ? `; ${others.length === 1 ? 'this sheet has' : 'these sheets have'} data: ${others.map((n) => `"${clipText(n)}"`).join(', ')} (choose the sheet)` : ''
      throw new RowSourceError('EMPTY', `sheet "${clipText(found.name)}" of ${origin} is empty (no header row)${hint}`)
    }
    const headerCells = header.cells
    const headers = makeUniqueHeaders(headerCells)

    async function* rows(): AsyncGenerator<SourceRow> {
      try {
        for (;;) {
          const next = await rowIterator.next()
          if (next.done) return
          const position = positionInRange(next.value.number, rowRange)
          if (position === 'after') return
          if (position === 'before') continue
          if (isBlankRow(next.value.cells)) continue
          yield toSourceRow(next.value, headers)
        }
      } catch (err) {
        throw asXlsxError(err, origin)
      } finally {
        await release()
      }
    }

    return { headers, headerRowNumber: header.number, sheet: found.name, sheetNames: names, rows: rows() }
  } catch (err) {
    part?.destroy()
    throw asXlsxError(err, origin)
  }
}

/** The whole input; its errors (a download failing midway) reject. */
async function readAll(bytes: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of bytes) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The workbook's sheet list, relationships, shared strings and styles: what every cell needs. */
async function readWorkbookParts(archive: XlsxArchive, origin: string): Promise<WorkbookParts> {
  const workbook = new (excel().stream.xlsx.WorkbookReader)(undefined as unknown as string, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles carry the number formats that say a number is a date.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore'
  }) as unknown as WorkbookParts
  const book = await archive.open(WORKBOOK_PART)
  if (!book) throw new RowSourceError('XLSX_READ', `${origin} is a zip file but not an Excel workbook (no ${WORKBOOK_PART})`)
  await workbook._parseWorkbook(asText(book))
  const rels = await archive.open(WORKBOOK_RELS_PART)
  if (rels) await workbook._parseRels(asText(rels))

  // Shared strings and styles are found through the workbook's relationships; the usual names
  // are the fallback for writers that leave them out.
  const related = (type: string, usual: string): string => {
    const rel = workbook.workbookRels?.find((r) => isRelationship(r, type))
    return rel ? resolveTarget('xl', rel.Target) : usual
  }
  const strings = await archive.open(related('sharedStrings', 'xl/sharedStrings.xml'))
  if (strings) for await (const _ of workbook._parseSharedStrings(asText(strings)));
  const styles = await archive.open(related('styles', 'xl/styles.xml'))
  if (styles) await workbook._parseStyles(asText(styles))
  return workbook
}

/** A part handed to exceljs's parsers as decoded text, which they take as is (see utf8Text). */
function asText(part: Readable): Readable {
  return Readable.from(utf8Text(part))
}

/** The workbook's worksheets in tab order (chart sheets, which hold no cells, left out). */
function worksheetParts(workbook: WorkbookParts): WorksheetPart[] {
  const sheets = workbook.model?.sheets ?? []
  const rels = workbook.workbookRels ?? []
  const parts: WorksheetPart[] = []
  for (const sheet of sheets) {
    const rel = rels.find((r) => r.Id === sheet.rId)
    // Without relationships, exceljs's own convention: sheetId n is xl/worksheets/sheetn.xml.
    if (rel && !isRelationship(rel, 'worksheet')) continue
    const partName = rel ? resolveTarget('xl', rel.Target) : `xl/worksheets/sheet${sheet.id}.xml`
    parts.push({ name: sheet.name, id: sheet.id, state: sheet.state, partName })
  }
  return parts
}

/** The requested sheet, or the first visible one in tab order. */
function pickSheet(worksheets: WorksheetPart[], wanted: string | undefined, origin: string): WorksheetPart {
  const names = worksheets.map((w) => w.name)
  if (wanted === undefined) {
    const first = worksheets.find((w) => !w.state || w.state === 'visible') ?? worksheets[0]
    if (!first) throw new RowSourceError('EMPTY', `${origin} contains no worksheet`)
    return first
  }
  const name = matchName(wanted, names)
  const found = worksheets.find((w) => w.name === name)
  if (!found) throw sheetNotFound(wanted, names, origin)
  return found
}

/** What each cell needs to be read: shared strings, number formats, the date system. */
function sheetContext(workbook: WorkbookParts): SheetContext {
  return {
    sharedStrings: workbook.sharedStrings ?? [],
    numFmtOf: (styleId) => workbook.styles?.getStyleModel(styleId)?.numFmt ?? undefined,
    date1904: workbook.properties?.model?.date1904 ?? false
  }
}

/** The names of the sheets among `candidates` that have at least one non-empty row. */
async function sheetsWithData(archive: XlsxArchive, context: SheetContext, candidates: WorksheetPart[]): Promise<string[]> {
  const names: string[] = []
  for (const sheet of candidates.slice(0, 50)) {
    const part = await archive.open(sheet.partName)
    if (!part) continue
    try {
      for await (const row of readSheetRows(part, context)) {
        if (!isBlankRow(row.cells)) {
          names.push(sheet.name)
          break
        }
      }
    } catch {
      // A damaged other sheet is no reason to hide the answer about this one.
    } finally {
      part.destroy()
    }
  }
  return names
}

/** Exact name first, then ignoring case and surrounding spaces ("ideas " finds "Ideas"). */
function matchName(wanted: string, names: string[]): string | undefined {
  if (names.includes(wanted)) return wanted
  const loose = wanted.trim().toLowerCase()
  return names.find((n) => n.trim().toLowerCase() === loose)
}

function sheetNotFound(wanted: string, names: string[], origin: string): RowSourceError {
  const list = names.map((n) => `"${clipText(n)}"`).join(', ')
  return new RowSourceError('SHEET_NOT_FOUND', `sheet "${clipText(wanted)}" not found in ${origin}; available sheets: ${list}`)
}

function toSourceRow(row: SheetRow, headers: string[]): SourceRow {
  const { cells } = row
  const values = Object.fromEntries(headers.map((name, i) => [name, cells[i] ?? '']))
  const extra = trimTrailingBlanks(cells.slice(headers.length))
  const errors = row.errors
    .filter((e) => e.column <= headers.length)
    .map((e) => ({ column: headers[e.column - 1]!, reason: `${e.ref}: ${e.formula ? 'the formula gives' : 'the cell holds the error'} ${clipText(e.error, 40)}` }))
  return { rowNumber: row.number, values, ...(extra.length ? { extra } : {}), ...(errors.length ? { cellErrors: errors } : {}) }
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
