import type { NetworkPolicy } from './address-policy'
import type { RowRange } from './row-range'
import type { DetectedEncoding } from './text-decoder'
import type { CsvDelimiter } from './delimiter'

/** Where the rows come from: a local path, an http(s) URL (Google Sheets links are converted), or either as a string. */
export type RowSourceSpec = string | { path: string } | { url: string }

export interface OpenRowSourceOptions {
  /** Cancels the download/read; iteration then rejects with the signal's reason. */
  signal?: AbortSignal
  /**
   * What messages call the source, when reading a private copy of the user's file: their file's
   * name, not a path inside the data folder they never chose. Default: the path or URL.
   */
  label?: string
  /** XLSX only: sheet (tab) name. Default: the first visible sheet. */
  sheet?: string
  /** Spreadsheet row numbers to keep (header is row 1). Reading stops after `end`. */
  rowRange?: RowRange
  /** URLs only: per-attempt limit for the response to start, and for silence between body chunks. Default 10 s. */
  timeoutMs?: number
  /** URLs only: attempts for network errors, timeouts and 5xx (default 3), with exponential backoff from `retryDelayMs` (default 500 ms). */
  attempts?: number
  retryDelayMs?: number
  /**
   * URLs only: which addresses may be reached (resolved address, every redirect). Default: public
   * internet addresses only; the CLI passes ANY_ADDRESS when asked with --allow-private-urls.
   */
  network?: NetworkPolicy
}

export type RowSourceFormat = 'csv' | 'xlsx'

export interface SourceRow {
  /** Spreadsheet row number as the user sees it (header = 1). Counts records, not physical lines. */
  rowNumber: number
  /** Cell text by header name; a missing trailing cell is "". */
  values: Record<string, string>
  /** Non-empty cells to the right of the last header (ragged row), in order; absent when there are none. */
  extra?: string[]
  /** Cells whose value is an error (a formula giving #DIV/0!), by column: a row using one is refused. */
  cellErrors?: { column: string; reason: string }[]
}

export interface ReadProgress {
  bytesRead: number
  /** File size or Content-Length; undefined when the server does not say. */
  totalBytes: number | undefined
}

export interface RowSource {
  /** Header names, trimmed and made unique ("Column C" for a blank header, "title_2" for a repeat). */
  readonly headers: string[]
  readonly format: RowSourceFormat
  /** File path or URL (query secrets hidden), for messages. */
  readonly origin: string
  /** Row number of the header row (1 unless the sheet starts with blank rows). */
  readonly headerRowNumber: number
  /** CSV: detected so far ("ascii" until the first non-ASCII byte decides between UTF-8 and Windows-1252). */
  readonly encoding: DetectedEncoding | undefined
  readonly delimiter: CsvDelimiter | undefined
  /** XLSX: the sheet read, and every sheet name in tab order. */
  readonly sheet: string | undefined
  readonly sheetNames: string[] | undefined
  /** Data rows (blank rows skipped, range applied). Single use: iterate once. */
  readonly rows: AsyncIterable<SourceRow>
  progress(): ReadProgress
  /** Release the file/connection without reading further (also done when iteration ends or breaks). */
  close(): Promise<void>
}
