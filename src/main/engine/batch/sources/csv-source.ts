import { Readable, pipeline } from 'node:stream'
import type { CsvError } from 'csv-parse'
import { detectDelimiter, type CsvDelimiter } from './delimiter'
import { RowSourceError } from './errors'
import { isBlankRow, makeUniqueHeaders } from './headers'
import { positionInRange, type RowRange } from './row-range'
import { AutoDecoder, type DetectedEncoding } from './text-decoder'
import type { SourceRow } from './types'
import { trimTrailingBlanks } from './xlsx-source'
import { lazyPackage } from '../../lazy-package'

const csv = lazyPackage<typeof import('csv-parse')>('csv-parse')

/** Enough text to see the header and a few dozen records, even with long quoted cells. */
const SAMPLE_CHARS = 64 * 1024
const SAMPLE_LINES = 60
/** A record this large means a quote was never closed and the parser is swallowing the file. */
const MAX_RECORD_CHARS = 4 * 1024 * 1024

export interface CsvRows {
  headers: string[]
  headerRowNumber: number
  delimiter: CsvDelimiter
  encoding(): DetectedEncoding
  rows: AsyncIterable<SourceRow>
}

/**
 * Stream a CSV: bytes → text (encoding detected) → records (delimiter detected) → rows.
 * Row numbers count records, not physical lines, so a cell with line breaks takes one row
 * number, as in Excel or Google Sheets; empty records are skipped but still counted.
 */
export async function readCsvRows(
  bytes: Readable,
  { origin, rowRange }: { origin: string; rowRange: RowRange | undefined }
): Promise<CsvRows> {
  const decoder = new AutoDecoder()
  const text = pipeline(bytes, decoder, () => undefined)
  const textChunks = text[Symbol.asyncIterator]() as AsyncIterator<string>

  const sample: string[] = []
  let sampleChars = 0
  let sampleLines = 0
  let textDone = false
  while (sampleChars < SAMPLE_CHARS && sampleLines < SAMPLE_LINES) {
    const next = await textChunks.next().catch((err: unknown) => Promise.reject(asCsvError(err, origin, undefined)))
    if (next.done) {
      textDone = true
      break
    }
    sample.push(next.value)
    sampleChars += next.value.length
    sampleLines += countNewlines(next.value)
  }
  const delimiter = detectDelimiter(sample.join(''), { complete: textDone })

  async function* replayText(): AsyncGenerator<string> {
    yield* sample
    if (textDone) return
    for (;;) {
      const next = await textChunks.next()
      if (next.done) return
      yield next.value
    }
  }

  const parser = csv().parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS
  })
  const records = pipeline(Readable.from(replayText()), parser, () => undefined)
  const recordIterator = records[Symbol.asyncIterator]() as AsyncIterator<string[]>

  // Every record counts toward row numbers, blank or not: that is what the spreadsheet shows.
  let recordCount = 0
  const nextRecord = async (): Promise<string[] | undefined> => {
    try {
      const next = await recordIterator.next()
      if (next.done) return undefined
      recordCount++
      return next.value
    } catch (err) {
      throw asCsvError(err, origin, recordCount)
    }
  }

  let headerCells: string[] | undefined
  for (let record = await nextRecord(); record; record = await nextRecord()) {
    if (!isBlankRow(record)) {
      headerCells = record
      break
    }
  }
  if (!headerCells) {
    records.destroy()
    throw new RowSourceError('EMPTY', `${origin} is empty (no header row)`)
  }
  const headerRowNumber = recordCount
  const headers = makeUniqueHeaders(headerCells)

  async function* rows(): AsyncGenerator<SourceRow> {
    try {
      for (let record = await nextRecord(); record; record = await nextRecord()) {
        const position = positionInRange(recordCount, rowRange)
        if (position === 'after') return
        if (position === 'before' || isBlankRow(record)) continue
        yield toSourceRow(recordCount, record, headers)
      }
    } finally {
      records.destroy()
    }
  }

  return { headers, headerRowNumber, delimiter, encoding: () => decoder.encoding, rows: rows() }
}

function toSourceRow(rowNumber: number, cells: string[], headers: string[]): SourceRow {
  const values = Object.fromEntries(headers.map((name, i) => [name, cells[i] ?? '']))
  const extra = trimTrailingBlanks(cells.slice(headers.length))
  return extra.length ? { rowNumber, values, extra } : { rowNumber, values }
}

function countNewlines(text: string): number {
  let count = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++
  return count
}

/** Parser and decoder errors rewritten to name the row where reading stopped. */
function asCsvError(err: unknown, origin: string, rowsRead: number | undefined): unknown {
  if (err instanceof Error && err.name === 'AbortError') return err
  const where = rowsRead === undefined ? '' : ` at row ${rowsRead + 1}`
  if (err instanceof RowSourceError) {
    if (err.code !== 'ENCODING' || rowsRead === undefined) return err
    return new RowSourceError('ENCODING', `${origin}${where}: ${err.message}`, { cause: err.cause })
  }
  if (err instanceof csv().CsvError) {
    const row = typeof err.records === 'number' ? ` at row ${err.records + 1}` : where
    return new RowSourceError('CSV_SYNTAX', `${origin}${row}: ${explainCsvError(err)}`, { cause: err })
  }
  return err
}

function explainCsvError(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted cell is never closed (missing ")'
    case 'CSV_MAX_RECORD_SIZE':
      return 'a row is larger than 4 MB, probably a quote that is never closed'
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'unexpected character after a closing quote'
    default:
      return err.message
  }
}
