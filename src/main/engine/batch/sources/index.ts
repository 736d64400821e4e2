/**
 * Spreadsheet rows for batches: CSV/XLSX files, CSV URLs and Google Sheets links, streamed.
 *
 *   const source = await openRowSource('https://docs.google.com/spreadsheets/d/<id>/edit#gid=0', { signal })
 *   const mapping = resolveMapping(source.headers, config.mapping, { schema: pipeline.input })
 *   for await (const row of source.rows) {
 *     const result = mapRow(row, mapping, pipeline.input) // { ok, rowNumber, input } | { ok: false, rowNumber, reason }
 *   }
 *
 * Conventions:
 *  - rowNumber is the row number the spreadsheet shows: header = 1, first data row = 2. CSV rows
 *    are counted as records, so a cell with line breaks does not shift later numbers.
 *  - Blank rows are skipped but counted. Cells are strings; a row shorter than the header gets ""
 *    for the missing cells; non-empty cells beyond the last header are reported in `row.extra`
 *    (never under invented column names, which would not match anything the user mapped).
 *  - Blank header cells become "Column C" (their spreadsheet letter); repeated ones "title_2".
 */
export { openRowSource, DEFAULT_TIMEOUT_MS } from './open-row-source'
export type { OpenRowSourceOptions, ReadProgress, RowSource, RowSourceFormat, RowSourceSpec, SourceRow } from './types'
export { RowSourceError, type RowSourceErrorCode } from './errors'
export { rowRangeSchema, type RowRange } from './row-range'
export { toCsvDownloadUrl, isGoogleSheetsUrl } from './google-sheets'
export { redactUrl } from './redact-url'
export { ANY_ADDRESS, PUBLIC_ADDRESSES_ONLY, type NetworkPolicy } from './address-policy'
export type { CsvDelimiter } from './delimiter'
export type { DetectedEncoding } from './text-decoder'
export {
  resolveMapping,
  mapRow,
  mapRows,
  MappingError,
  KNOWN_FIELDS,
  type ColumnMapping,
  type ResolvedMapping,
  type MappedRow
} from './mapping'
