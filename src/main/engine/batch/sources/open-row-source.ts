import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { openFileBytes, peekBytes, sniffFormat, type ByteSource, type PeekedBytes } from './byte-source'
import { readCsvRows } from './csv-source'
import { RowSourceError } from './errors'
import { isGoogleSheetsUrl, toCsvDownloadUrl } from './google-sheets'
import { PUBLIC_ADDRESSES_ONLY, type NetworkPolicy } from './address-policy'
import { httpGet } from './http-fetch'
import { redactUrl } from './redact-url'
import { rowRangeSchema } from './row-range'
import type { OpenRowSourceOptions, RowSource, RowSourceSpec, SourceRow } from './types'
import { readXlsxRows } from './xlsx-source'

export const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_ATTEMPTS = 3
const DEFAULT_RETRY_DELAY_MS = 500
/** Enough to tell XLSX from CSV from an HTML page. */
const SNIFF_BYTES = 1024

const specSchema = z.union([
  z.string().trim().min(1, { error: 'must be a file path or an http(s) URL' }),
  z.strictObject({ path: z.string().min(1, { error: 'must not be empty' }) }),
  z.strictObject({ url: z.string().min(1, { error: 'must not be empty' }) })
])

const optionsSchema = z.strictObject({
  signal: z.instanceof(AbortSignal).optional(),
  sheet: z.string().trim().min(1, { error: 'must not be empty' }).optional(),
  label: z.string().trim().min(1, { error: 'must not be empty' }).optional(),
  rowRange: rowRangeSchema.optional(),
  timeoutMs: z.number().int().min(1).max(600_000, { error: 'must be at most 10 minutes' }).optional(),
  attempts: z.number().int().min(1).max(10).optional(),
  retryDelayMs: z.number().int().min(0).max(60_000).optional(),
  network: z.custom<NetworkPolicy>((v) => typeof v === 'object' && v !== null && typeof (v as NetworkPolicy).allowPrivate === 'boolean').optional()
})

type Location = { kind: 'file'; path: string } | { kind: 'url'; url: string }

const GOOGLE_SHARING_HINT = 'in Google Sheets use Share → General access → "Anyone with the link" (Viewer)'
const NOT_FOUND_HINT = 'the sheet does not exist or is not shared publicly'

/**
 * Open a spreadsheet (CSV or XLSX file, http(s) CSV/XLSX URL, Google Sheets link) and read its
 * header row. Rows are then streamed from `rows`; nothing is read ahead beyond a small sample.
 * Errors a person can act on (missing file, unshared sheet, wrong sheet name, timeout) are
 * RowSourceError with a message naming the file or URL; cancellation rejects with the signal's reason.
 */
export async function openRowSource(spec: RowSourceSpec, options: OpenRowSourceOptions = {}): Promise<RowSource> {
  const location = parseSpec(spec)
  const opts = parseOptions(options)
  const { signal } = opts

  const origin = opts.label ?? (location.kind === 'file' ? location.path : redactUrl(location.url))
  const bytes = await openBytes(location, opts)
  let peeked: PeekedBytes
  try {
    peeked = await peekBytes(bytes, SNIFF_BYTES)
  } catch (err) {
    bytes.destroy()
    throw err
  }

  try {
    const format = sniffFormat(peeked.head)
    if (format === 'html') {
      throw new RowSourceError(
        'NOT_SHARED',
        `${origin} returned a web page instead of a spreadsheet: the sheet is probably not shared publicly` +
          (location.kind === 'url' && isGoogleSheetsUrl(location.url) ? `; ${GOOGLE_SHARING_HINT}` : '')
      )
    }
    if (format === 'xls') {
      throw new RowSourceError(
        'UNSUPPORTED_FORMAT',
        `${origin} is an old Excel 97–2003 (.xls) file; save it as .xlsx or CSV and try again`
      )
    }
    if (format === 'binary') {
      throw new RowSourceError('UNSUPPORTED_FORMAT', `${origin} is not a CSV or XLSX file: its first bytes are binary data, not text`)
    }
    if (peeked.head.length === 0) throw new RowSourceError('EMPTY', `${origin} is empty (no header row)`)

    const progress = (): { bytesRead: number; totalBytes: number | undefined } => ({
      bytesRead: peeked.bytesRead(),
      totalBytes: bytes.totalBytes
    })
    const close = async (): Promise<void> => peeked.destroy()

    if (format === 'xlsx') {
      const xlsx = await readXlsxRows(peeked.stream, { origin, sheet: opts.sheet, rowRange: opts.rowRange })
      return {
        format: 'xlsx',
        origin,
        headers: xlsx.headers,
        headerRowNumber: xlsx.headerRowNumber,
        encoding: undefined,
        delimiter: undefined,
        sheet: xlsx.sheet,
        sheetNames: xlsx.sheetNames,
        rows: releasingOnEnd(xlsx.rows, peeked, signal),
        progress,
        close
      }
    }

    if (opts.sheet !== undefined) {
      throw new RowSourceError(
        'INVALID_OPTIONS',
        `sheet: ${origin} is a CSV file, which has a single sheet; for one tab of a Google Sheet, use that tab's link (#gid=…)`
      )
    }
    const csv = await readCsvRows(peeked.stream, { origin, rowRange: opts.rowRange })
    return {
      format: 'csv',
      origin,
      headers: csv.headers,
      headerRowNumber: csv.headerRowNumber,
      get encoding() {
        return csv.encoding()
      },
      delimiter: csv.delimiter,
      sheet: undefined,
      sheetNames: undefined,
      rows: releasingOnEnd(csv.rows, peeked, signal),
      progress,
      close
    }
  } catch (err) {
    peeked.destroy()
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err
    throw err
  }
}

function parseSpec(spec: RowSourceSpec): Location {
  const parsed = specSchema.safeParse(spec)
  if (!parsed.success) {
    throw new RowSourceError('INVALID_OPTIONS', `source: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  }
  const value = parsed.data
  const raw = typeof value === 'string' ? value : 'url' in value ? value.url : undefined
  if (raw === undefined) return { kind: 'file', path: (value as { path: string }).path }
  if (/^https?:\/\//i.test(raw)) {
    try {
      new URL(raw)
    } catch {
      throw new RowSourceError('INVALID_OPTIONS', `source: "${raw}" is not a valid URL`)
    }
    return { kind: 'url', url: toCsvDownloadUrl(raw) }
  }
  if (/^file:\/\//i.test(raw)) return { kind: 'file', path: fileURLToPath(raw) }
  if (typeof value !== 'string' || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new RowSourceError('INVALID_OPTIONS', `source: only local files and http(s) URLs are supported (got "${redactUrl(raw)}")`)
  }
  return { kind: 'file', path: raw }
}

type ParsedOptions = z.output<typeof optionsSchema>

function parseOptions(options: OpenRowSourceOptions): ParsedOptions {
  const parsed = optionsSchema.safeParse(options)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const field = issue.path.join('.') || 'options'
  throw new RowSourceError('INVALID_OPTIONS', `${field}: ${issue.message}`)
}

async function openBytes(location: Location, opts: ParsedOptions): Promise<ByteSource> {
  if (location.kind === 'file') return openFileBytes(location.path, opts.signal)
  return httpGet(location.url, {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    attempts: opts.attempts ?? DEFAULT_ATTEMPTS,
    retryDelayMs: opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    signal: opts.signal,
    network: opts.network ?? PUBLIC_ADDRESSES_ONLY,
    field: 'source.url',
    accept: 'text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;q=0.9, */*;q=0.5',
    notFoundHint: isGoogleSheetsUrl(location.url) ? `${NOT_FOUND_HINT}; ${GOOGLE_SHARING_HINT}` : `${NOT_FOUND_HINT}; check the link`
  })
}

/**
 * The rows, releasing the file or connection however iteration ends (finished, broken out of,
 * failed), and stopping promptly when the signal fires.
 */
async function* releasingOnEnd(
  rows: AsyncIterable<SourceRow>,
  peeked: PeekedBytes,
  signal: AbortSignal | undefined
): AsyncGenerator<SourceRow> {
  const onAbort = (): void => peeked.destroy()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    for await (const row of rows) {
      signal?.throwIfAborted()
      yield row
    }
    // Destroying the input on abort can end the parser quietly: never pass that off as the last row.
    signal?.throwIfAborted()
  } catch (err) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err
    throw err
  } finally {
    signal?.removeEventListener('abort', onAbort)
    peeked.destroy()
  }
}
