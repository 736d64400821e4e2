export type CsvDelimiter = ',' | ';' | '\t'

/** Preference on a tie: a tab or semicolon that appears consistently is deliberate, while commas also show up as French decimal separators. */
const CANDIDATES: readonly CsvDelimiter[] = ['\t', ';', ',']
const MAX_SAMPLE_RECORDS = 50

/**
 * Guess the delimiter from the first records of the file. Delimiters inside quotes are ignored.
 * The winner is the candidate found in the header whose count is the same on the most records
 * (then the one splitting the header into more columns). A file with a single column has no
 * delimiter at all: comma is returned, which makes no difference to the result.
 *
 * `complete` says whether `sample` is the whole file; when it is not, the last record may be cut
 * short and is left out.
 */
export function detectDelimiter(sample: string, { complete }: { complete: boolean }): CsvDelimiter {
  const records = countPerRecord(sample, complete)
  const header = records[0]
  if (!header) return ','

  let best: { delimiter: CsvDelimiter; consistency: number; columns: number } | undefined
  for (const delimiter of CANDIDATES) {
    const columns = header[delimiter]
    if (columns === 0) continue
    const consistency = records.filter((counts) => counts[delimiter] === columns).length / records.length
    if (!best || consistency > best.consistency || (consistency === best.consistency && columns > best.columns)) {
      best = { delimiter, consistency, columns }
    }
  }
  return best?.delimiter ?? ','
}

type Counts = Record<CsvDelimiter, number>

/** Candidate counts for each non-blank record, walking quotes so that `"a;b"` counts nothing. */
function countPerRecord(sample: string, complete: boolean): Counts[] {
  const records: Counts[] = []
  let counts: Counts = { ',': 0, ';': 0, '\t': 0 }
  let inQuotes = false
  let hasContent = false

  const endRecord = (): void => {
    if (hasContent) records.push(counts)
    counts = { ',': 0, ';': 0, '\t': 0 }
    hasContent = false
  }

  for (let i = 0; i < sample.length && records.length < MAX_SAMPLE_RECORDS; i++) {
    const ch = sample[i]!
    if (ch === '"') {
      // A doubled quote inside a quoted field toggles twice: net effect nil, as it should be.
      inQuotes = !inQuotes
      hasContent = true
    } else if (inQuotes) {
      continue
    } else if (ch === '\n' || ch === '\r') {
      endRecord()
    } else if (ch === ',' || ch === ';' || ch === '\t') {
      counts[ch]++
      hasContent = true
    } else if (ch !== ' ') {
      hasContent = true
    }
  }
  if (complete && records.length < MAX_SAMPLE_RECORDS && !inQuotes) endRecord()
  return records
}
