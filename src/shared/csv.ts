/**
 * CSV for spreadsheet apps (RFC 4180: quotes when needed, CRLF rows), with a formula guard: a cell
 * starting with = + - @ opens as text, never as a formula. Shared by the engine's exports and the
 * app's own.
 *
 * `delimiter: ';'` is what Excel expects where the decimal separator is a comma (France, most of
 * Europe): with commas, the whole file opens in one column there. Numbers then take a decimal
 * comma too (0,0125), or Excel would read them as text or dates.
 */
export type CsvDelimiter = ',' | ';'

export function csvText(rows: ReadonlyArray<ReadonlyArray<unknown>>, delimiter: CsvDelimiter = ','): string {
  const cell = (v: unknown): string => {
    let s =
      v === null || v === undefined
        ? ''
        : typeof v === 'number' && delimiter === ';'
          ? String(v).replace('.', ',')
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v)
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
    // ';' is quoted whatever the delimiter (a reader may guess either); ',' only where it delimits,
    // so that a decimal comma leaves a number unquoted.
    return (delimiter === ',' ? /[",;\n\r]/ : /[";\n\r]/).test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return rows.map((r) => r.map(cell).join(delimiter)).join('\r\n')
}

/** The delimiter a spreadsheet app expects for the user's language (see csvText). */
export function csvDelimiterFor(locale: string): CsvDelimiter {
  return /^(fr|de|es|it|pt|nl|ru|pl|tr|sv|da|nb|fi|cs)\b/.test(locale) ? ';' : ','
}
