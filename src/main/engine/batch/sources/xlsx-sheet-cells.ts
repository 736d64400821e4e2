import type { Readable } from 'node:stream'
import type { SaxesParser, SaxesTagPlain } from 'saxes'
import { cellToString, formatCellNumber } from './cell-value'
import { columnLetter } from './headers'
import { lazyPackage } from '../../lazy-package'

const saxes = lazyPackage<{ SaxesParser: typeof SaxesParser }>('saxes')

/** A cell whose value is an Excel error (#DIV/0!, #N/A…), most often a formula's result. */
export interface CellError {
  /** The cell's address as Excel shows it ("C4"). */
  ref: string
  column: number
  error: string
  formula: boolean
}

export interface SheetRow {
  /** The row number written in the file (Excel's), or the next one when the writer left it out. */
  number: number
  /** Cell text by column, "" for an empty cell. */
  cells: string[]
  errors: CellError[]
}

export interface SheetContext {
  /** The workbook's shared strings, as exceljs's part parser caches them. */
  sharedStrings: readonly unknown[]
  /** A cell style's number format (what tells a date, a duration, a number apart). */
  numFmtOf(styleId: number): string | undefined
  date1904: boolean
}

interface OpenCell {
  column: number
  style: number
  type: string
  formula: boolean
  value: string | undefined
  inline: string | undefined
}

/**
 * The rows of one worksheet part, streamed: each cell's stored value read by its type, so a
 * formula's cached result comes out as the formula's result. exceljs's streaming reader parsed
 * every formula result as a number and then dropped the falsy ones: 0 and FALSE came out "",
 * TRUE "1", and #DIV/0! became NaN, then "" — a priority 0 silently became 10.
 */
export async function* readSheetRows(part: Readable, context: SheetContext): AsyncGenerator<SheetRow> {
  const parser = new (saxes().SaxesParser)()
  let failure: Error | undefined
  parser.on('error', (err) => {
    failure ??= err
  })
  let pending: SheetRow[] = []
  let row: SheetRow | undefined
  let lastRowNumber = 0
  let cell: OpenCell | undefined
  let nextColumn = 1
  // Text is captured only inside <v> and inside <is>'s <t> (not the phonetic runs under <rPh>).
  let capture: 'v' | 't' | undefined
  let inPhonetic = false

  parser.on('opentag', (tag: SaxesTagPlain) => {
    switch (tag.name) {
      case 'row': {
        const r = Number(tag.attributes.r)
        lastRowNumber = Number.isInteger(r) && r > 0 ? r : lastRowNumber + 1
        row = { number: lastRowNumber, cells: [], errors: [] }
        nextColumn = 1
        break
      }
      case 'c': {
        if (!row) break
        const ref = typeof tag.attributes.r === 'string' ? tag.attributes.r : ''
        const column = columnOf(ref) ?? nextColumn
        nextColumn = column + 1
        const style = Number(tag.attributes.s ?? 0)
        cell = { column, style: Number.isInteger(style) ? style : 0, type: String(tag.attributes.t ?? 'n'), formula: false, value: undefined, inline: undefined }
        break
      }
      case 'f':
        if (cell) cell.formula = true
        break
      case 'v':
        if (cell) {
          capture = 'v'
          cell.value = ''
        }
        break
      case 'is':
        if (cell) cell.inline = ''
        break
      case 'rPh':
        inPhonetic = true
        break
      case 't':
        if (cell && cell.inline !== undefined && !inPhonetic) capture = 't'
        break
    }
  })
  parser.on('text', (text) => {
    if (!cell) return
    if (capture === 'v') cell.value += text
    else if (capture === 't') cell.inline += text
  })
  parser.on('closetag', (tag: SaxesTagPlain) => {
    switch (tag.name) {
      case 'v':
      case 't':
        capture = undefined
        break
      case 'rPh':
        inPhonetic = false
        break
      case 'c':
        if (row && cell) storeCell(row, cell, context)
        cell = undefined
        break
      case 'row':
        if (row) pending.push(row)
        row = undefined
        break
    }
  })

  for await (const text of utf8Text(part)) {
    parser.write(text)
    if (failure) throw failure
    const ready = pending
    pending = []
    yield* ready
  }
  parser.close()
  if (failure) throw failure
  yield* pending
}

function storeCell(row: SheetRow, cell: OpenCell, context: SheetContext): void {
  const index = cell.column - 1
  while (row.cells.length < index) row.cells.push('')
  const ref = `${columnLetter(cell.column)}${row.number}`
  const raw = cell.value
  let text: string
  switch (cell.type) {
    case 's': {
      const shared = context.sharedStrings[Number(raw)]
      text = raw === undefined || raw === '' ? '' : cellToString({ value: shared })
      break
    }
    case 'inlineStr':
      text = cell.inline ?? raw ?? ''
      break
    case 'str':
      text = raw ?? ''
      break
    case 'b':
      text = raw === undefined || raw.trim() === '' ? '' : Number(raw) !== 0 ? 'TRUE' : 'FALSE'
      break
    case 'e':
      text = raw ?? ''
      if (raw) row.errors.push({ ref, column: cell.column, error: raw, formula: cell.formula })
      break
    case 'd': // an ISO 8601 date, as Strict OOXML and some writers store them
      text = raw ?? ''
      break
    default: {
      const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw)
      text = Number.isNaN(n) ? (raw ?? '') : formatCellNumber(n, context.numFmtOf(cell.style), context.date1904)
    }
  }
  row.cells[index] = text
}

/** "C4" → 3; undefined when the reference is missing or not a cell address. */
function columnOf(ref: string): number | undefined {
  const m = /^([A-Z]{1,3})\d*$/i.exec(ref)
  if (!m) return undefined
  let n = 0
  for (const ch of m[1]!.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64)
  return n
}

/**
 * A zip part's bytes as text, with one decoder for the whole part: a character split between two
 * chunks is joined, not replaced by U+FFFD twice (exceljs decodes each chunk on its own, which
 * garbled one accent or emoji every 16 KB of shared strings); bytes that are not UTF-8 at all are
 * an error, never silently replaced.
 */
export async function* utf8Text(part: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const decode = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder.decode(bytes, { stream })
    } catch {
      throw new Error('a part of the workbook is not valid UTF-8 XML')
    }
  }
  for await (const chunk of part) {
    const text = decode(chunk as Buffer, true)
    if (text) yield text
  }
  const rest = decode(new Uint8Array(0), false)
  if (rest) yield rest
}
