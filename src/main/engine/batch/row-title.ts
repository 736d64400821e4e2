const MAX_TITLE = 120

/**
 * A row's job is titled by what the row is about — its idea (the pipeline's main field), else
 * its first non-empty cell — with the row number as a detail ("Why octopuses… · #3"), so the
 * queue reads as the sheet does. "#3" reads the same in every language.
 */
export function rowTitle(main: unknown, cellsJson: string | null, batchName: string, rowNumber: number): string {
  let text = typeof main === 'string' ? main.trim() : ''
  if (!text && cellsJson) {
    const cells = JSON.parse(cellsJson) as Record<string, string>
    text = Object.values(cells).find((c) => typeof c === 'string' && c.trim() !== '')?.trim() ?? ''
  }
  text = text.replace(/\s+/g, ' ')
  if (text.length > MAX_TITLE) text = `${text.slice(0, MAX_TITLE - 1).trimEnd()}…`
  return `${text || batchName} · #${rowNumber}`
}
