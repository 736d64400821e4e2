/**
 * XLSX cell values (as exceljs hands them over) turned into the text the user expects to see:
 * numbers without binary float noise, dates in ISO form, rich text flattened, formulas replaced
 * by their cached result, errors as Excel shows them ("#N/A").
 */
export interface CellInfo {
  value: unknown
  /** The cell's number format; needed to recognise a date produced by a formula. */
  numFmt?: string | undefined
}

export function cellToString(cell: CellInfo, date1904 = false): string {
  return valueToString(cell.value, cell.numFmt, date1904)
}

function valueToString(value: unknown, numFmt: string | undefined, date1904: boolean): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') return formatCellNumber(value, numFmt, date1904)
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return formatDate(value)
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>
    if (Array.isArray(v.richText)) {
      return (v.richText as { text?: unknown }[]).map((run) => (typeof run.text === 'string' ? run.text : '')).join('')
    }
    if ('formula' in v || 'sharedFormula' in v) return valueToString(v.result, numFmt, date1904)
    if ('error' in v) return String(v.error)
    if ('hyperlink' in v || 'text' in v) return valueToString(v.text, numFmt, date1904)
  }
  return String(value)
}

/**
 * A stored number as its cell shows it: a date or a time when its format says so, an elapsed
 * time for `[h]:mm` formats (36:00, not 1900-01-01T12:00), else the number itself.
 */
export function formatCellNumber(n: number, numFmt: string | undefined, date1904: boolean): string {
  if (isElapsedFormat(numFmt)) return formatElapsed(n, numFmt!)
  if (!isDateFormat(numFmt)) return formatNumber(n)
  // Day 60 of the 1900 system is 29 February 1900, which Excel keeps from Lotus 1-2-3 and no calendar has.
  if (!date1904 && n >= 60 && n < 61) {
    const time = formatDate(excelSerialToDate(n - 60, false))
    return time === '00:00:00' ? '1900-02-29' : `1900-02-29T${time}`
  }
  return formatDate(excelSerialToDate(n, date1904))
}

/** `[h]`, `[m]` or `[s]`: a duration that goes past 24 h, not a time of day. */
export function isElapsedFormat(numFmt: string | undefined): boolean {
  return !!numFmt && /\[(h+|m+|s+)\]/i.test(numFmt.replace(/"[^"]*"/g, ''))
}

/** A duration in days as `[h]:mm:ss` shows it (minutes and seconds only as the format has them). */
function formatElapsed(days: number, numFmt: string): string {
  if (!Number.isFinite(days)) return ''
  const sign = days < 0 ? '-' : ''
  const totalSeconds = Math.round(Math.abs(days) * 86_400)
  const two = (x: number) => String(x).padStart(2, '0')
  const fmt = numFmt.replace(/"[^"]*"/g, '').toLowerCase()
  const withSeconds = /s/.test(fmt.replace(/\[s+\]/, ''))
  if (/\[h+\]/.test(fmt)) {
    const h = Math.floor(totalSeconds / 3600)
    const m = Math.floor((totalSeconds % 3600) / 60)
    return `${sign}${h}:${two(m)}${withSeconds ? `:${two(totalSeconds % 60)}` : ''}`
  }
  if (/\[m+\]/.test(fmt)) return `${sign}${Math.floor(totalSeconds / 60)}:${two(totalSeconds % 60)}`
  return `${sign}${totalSeconds}`
}

/** 0.1 + 0.2 is stored as 0.30000000000000004; Excel shows 15 significant digits, so do we. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return ''
  return String(Number(n.toPrecision(15)))
}

/**
 * Spreadsheet dates carry no time zone: exceljs builds them as UTC, so they are printed from
 * their UTC fields. A whole day prints as "2025-09-18", a time of day alone (serial < 1) as
 * "06:30:00", anything else as "2025-09-18T06:30:00".
 */
export function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return ''
  const iso = date.toISOString() // 2025-09-18T06:30:00.000Z
  const day = iso.slice(0, 10)
  const ms = date.getUTCMilliseconds()
  const time = iso.slice(11, ms ? 23 : 19)
  if (day === '1899-12-30' || day === '1904-01-01') return time
  if (time === '00:00:00') return day
  return `${day}T${time}`
}

export function excelSerialToDate(serial: number, date1904: boolean): Date {
  const epochOffsetDays = date1904 ? 24107 : 25569
  // The 1900 system counts a 29 February 1900 (day 60): days 1 to 59, before it, are one day later
  // than the count from 1899-12-30 says. Fractions of day 0 are times of day, left alone.
  const leapBug = !date1904 && serial >= 1 && serial < 60 ? 1 : 0
  return new Date(Math.round((serial + leapBug - epochOffsetDays) * 86_400_000))
}

/** Same rule as Excel: date/time tokens outside quoted literals and [colour]/[locale] sections. */
export function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false
  const stripped = numFmt.replace(/\[[^\]]*\]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, '')
  return /[dmyhs]/i.test(stripped) && !/^general$/i.test(stripped.trim())
}

/** Longest cell text quoted whole in a row's refusal; a longer one is cut (it may be pages long). */
const QUOTED_CELL_CHARS = 80

/** A cell as a refusal quotes it: `"text"`, or its start and its length when it is long. */
export function quoteCell(value: unknown): string {
  if (typeof value !== 'string' || value.length <= QUOTED_CELL_CHARS) return JSON.stringify(value)
  return `${JSON.stringify(value.slice(0, QUOTED_CELL_CHARS))}… (${value.length} characters)`
}
