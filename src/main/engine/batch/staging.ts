import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import type { BatchSource } from '../../../shared/contract'
import { QueueError } from '../errors'
import { openRowSource, redactUrl, type NetworkPolicy, type RowSource } from './sources'

const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024
/**
 * A URL's rows are downloaded once and kept as this CSV. Its name says that the sheet the user
 * chose (an XLSX export has several) was already applied while downloading: reading the copy
 * with the sheet again would fail, a CSV having a single sheet.
 */
const URL_COPY = 'download.csv'

export interface StagedSource {
  file: string
  label: string
  folder: string
  /** The sheets of a downloaded XLSX (the copy itself is a CSV of the chosen one). */
  sheetNames?: string[] | undefined
}

/**
 * Keep a private copy of the rows in `folder`, so a resumed batch depends neither on the network
 * nor on a file the user moved.
 */
export async function stageSource(source: BatchSource, folder: string, sheet: string | undefined, network: NetworkPolicy): Promise<StagedSource> {
  await mkdir(folder, { recursive: true })
  if (source.kind === 'upload') {
    const bytes = Buffer.from(source.contentBase64, 'base64')
    if (bytes.length > UPLOAD_LIMIT_BYTES) throw new QueueError('bad_request', 'source: file is larger than 50 MB')
    const ext = extname(source.name).toLowerCase()
    if (ext !== '.csv' && ext !== '.xlsx' && ext !== '.tsv' && ext !== '.txt') {
      throw new QueueError('bad_request', `source.name: ${source.name} is not a CSV or XLSX file`)
    }
    const file = join(folder, `source${ext}`)
    await writeFile(file, bytes)
    return { file, label: basename(source.name), folder }
  }
  if (source.kind === 'file') {
    const ext = extname(source.path).toLowerCase() || '.csv'
    const file = join(folder, `source${ext}`)
    try {
      await copyFile(source.path, file)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new QueueError('not_found', `file not found: ${source.path}`)
      throw new QueueError('bad_request', `cannot read ${source.path} (${code ?? String(err)})`)
    }
    return { file, label: basename(source.path), folder }
  }
  // A URL (Google Sheets export, CSV or XLSX): download once through the row reader, on the chosen sheet.
  const file = join(folder, URL_COPY)
  const remote = await openRowSource(source.url, { network, ...(sheet ? { sheet } : {}) })
  try {
    await writeFile(file, await toCsv(remote))
    return { file, label: redactUrl(source.url), folder, sheetNames: remote.sheetNames }
  } finally {
    await remote.close()
  }
}

/** The sheet to read the private copy with: none for a download, where it was applied already. */
export function sheetOfCopy(file: string, sheet: string | null | undefined): string | undefined {
  return sheet && basename(file) !== URL_COPY ? sheet : undefined
}

/** Re-serialise downloaded rows as CSV for the batch's private copy. */
async function toCsv(source: RowSource): Promise<string> {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
  // Blank lines above the header too (an XLSX tab may start lower): row numbers stay the sheet's.
  const lines = [...Array<string>(source.headerRowNumber - 1).fill(''), source.headers.map(quote).join(',')]
  let expected = source.headerRowNumber + 1
  for await (const row of source.rows) {
    // Keep blank rows as blank lines so row numbers stay what the user sees in the sheet.
    while (expected < row.rowNumber) {
      lines.push('')
      expected++
    }
    lines.push(source.headers.map((h) => quote(row.values[h] ?? '')).join(','))
    expected++
  }
  return lines.join('\n') + '\n'
}
