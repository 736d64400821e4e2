/**
 * Turn the header row into names that can key a record: trimmed, never empty, never repeated.
 * Empty headers become "Column C" (the letter the user sees in the spreadsheet); a repeated
 * name gets a suffix ("title", "title_2") so no column silently overwrites another.
 */
export function makeUniqueHeaders(rawCells: readonly string[]): string[] {
  const used = new Set<string>()
  const headers: string[] = []
  rawCells.forEach((raw, index) => {
    const base = raw.trim() || `Column ${columnLetter(index + 1)}`
    let name = base
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}_${n}`
    used.add(name.toLowerCase())
    headers.push(name)
  })
  return headers
}

/** 1 → "A", 27 → "AA", as spreadsheets label columns. */
export function columnLetter(columnNumber: number): string {
  let n = columnNumber
  let letters = ''
  while (n > 0) {
    const rem = (n - 1) % 26
    letters = String.fromCharCode(65 + rem) + letters
    n = Math.floor((n - 1) / 26)
  }
  return letters
}

/** A row counts as empty when every cell is blank: it is skipped but still numbered. */
export function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '')
}
