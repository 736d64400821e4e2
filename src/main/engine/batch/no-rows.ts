import { openRowSource, type RowRange } from './sources'

export interface NoRowsContext {
  /** The batch's private copy of the rows. */
  file: string
  /** The user's file name or URL, for the message. */
  label: string
  /** Sheet to open the copy with (none for a download, where it was applied already). */
  sheet: string | undefined
  /** The sheet the user chose, for the message. */
  sheetName: string | null
  rowRange: RowRange | undefined
}

/**
 * Why an import found no row to queue: the sheet has only its header, or the rows the user asked
 * for miss every row it has. The second case reads the sheet again without the range, to tell the
 * user which rows do exist — once, and only when the batch is being refused anyway.
 */
export async function noRowsReason(c: NoRowsContext): Promise<string> {
  const where = c.sheetName ? `sheet "${c.sheetName}" of ${c.label}` : c.label
  const source = await openRowSource(c.file, { label: c.label, ...(c.sheet ? { sheet: c.sheet } : {}) })
  let first: number | undefined
  let last: number | undefined
  try {
    for await (const row of source.rows) {
      first ??= row.rowNumber
      last = row.rowNumber
    }
  } finally {
    await source.close()
  }
  if (first === undefined || last === undefined || !c.rowRange) return `${where} has no data rows (only a header row)`
  const asked = c.rowRange.end === undefined ? `from row ${c.rowRange.start} on` : `in rows ${c.rowRange.start}–${c.rowRange.end}`
  const has = first === last ? `row ${first}` : `rows ${first}–${last}`
  return `no data ${asked}: ${where} has data in ${has}`
}
