/**
 * The CSV and XLSX importers with generated files, through the command API as a dropped file
 * arrives (`batch/preview`, `batch/create` with an upload): random bytes, random tables written
 * as CSV with quotes, delimiters, line breaks and several encodings, and exceljs workbooks with
 * random cells. Each file is read or refused clearly (never `internal`, never a throw); a refused
 * file creates no batch; readable tables come back with their headers.
 */
import ExcelJS from 'exceljs'
import fc from 'fast-check'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch, type Handlers } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { BatchPreview } from '../../src/shared/types'
import { tempDir } from '../helpers/engine'
import { longTorture } from '../helpers/seeded'

let studio: Studio
let handlers: Handlers
beforeAll(() => {
  studio = openStudio({ dataDir: tempDir('studio-hostile-imports-'), concurrency: 1, env: {} })
  handlers = studioHandlers(studio)
})
afterAll(async () => {
  await studio.close(100)
})

const runs = (n: number) => (longTorture ? n * 10 : n)
const seedParams = () => (process.env.STUDIO_TORTURE_SEED ? { seed: Number(process.env.STUDIO_TORTURE_SEED) } : {})
const upload = (name: string, bytes: Uint8Array) => ({ kind: 'upload', name, contentBase64: Buffer.from(bytes).toString('base64') })
const batchCount = () => (studio.db.prepare('SELECT COUNT(*) AS n FROM batches').get() as { n: number }).n

/** Preview then create (left idle): each answers or refuses without `internal`; a refused create leaves no batch. */
async function importOnce(name: string, bytes: Uint8Array): Promise<BatchPreview | null> {
  const preview = await dispatch(handlers, 'batch/preview', { source: upload(name, bytes), config: { pipeline: 'text' } })
  if (!preview.ok) expect(preview.error.code, `preview ${name}: ${preview.error.message}`).not.toBe('internal')
  const before = batchCount()
  const created = await dispatch(handlers, 'batch/create', { source: upload(name, bytes), config: { pipeline: 'text' }, start: false })
  if (!created.ok) {
    expect(created.error.code, `create ${name}: ${created.error.message}`).not.toBe('internal')
    expect(batchCount(), `create ${name} was refused, yet a batch stayed`).toBe(before)
  }
  return preview.ok ? (preview.value as BatchPreview) : null
}

/** Cell text with what makes CSV hard: quotes, delimiters, line breaks, accents, emoji, spaces. */
const cellText = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9 ]{0,12}$/),
  fc.constantFrom('"', '""', 'a,b', 'a;b', 'tab\there', 'line\nbreak', 'crlf\r\nbreak', ' spaced ', 'Été', 'naïve café', '日本語', '🎬', "O'Brien", '=1+1', '#N/A', '0', '-0', '1e5', 'TRUE', '')
)
/** A header cell: non-empty, distinct from the others (made so by a suffix). */
const headerText = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9 ]{0,10}$/)

function toCsv(rows: string[][], delimiter: string): string {
  const quote = (c: string) => (/["\r\n]/.test(c) || c.includes(delimiter) || c !== c.trim() ? `"${c.replace(/"/g, '""')}"` : c)
  return rows.map((r) => r.map(quote).join(delimiter)).join('\r\n') + '\r\n'
}

describe('importers with generated files', () => {
  it('random bytes named .csv or .xlsx: read or refused clearly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), fc.constantFrom('rows.csv', 'rows.xlsx', 'rows.tsv', 'rows'), async (bytes, name) => {
        await importOnce(name, bytes)
      }),
      { numRuns: runs(80), ...seedParams() }
    )
  })

  it('random tables as CSV (quotes, delimiters, line breaks; UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252): the headers come back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((cols) =>
          fc.tuple(fc.array(headerText, { minLength: cols, maxLength: cols }), fc.array(fc.array(cellText, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 6 }))
        ),
        fc.constantFrom(',', ';', '\t'),
        fc.constantFrom('utf8', 'utf8-bom', 'utf16le-bom', 'win1252'),
        async ([rawHeaders, rows], delimiter, encoding) => {
          // The first column is the text pipeline's prompt, so that the mapping finds it.
          const headers = rawHeaders.map((h, i) => (i === 0 ? 'prompt' : `${h.trim() || 'h'}${i}`))
          // A row that is all empty is skipped by design; keep one real value per row.
          const body = rows.map((r) => [`row${rows.indexOf(r)}`, ...r.slice(1)].slice(0, headers.length))
          let text = toCsv([headers, ...body], delimiter)
          if (encoding === 'win1252') text = text.replace(/[^\u0000-\u00ff€]/g, '?')
          const bytes =
            encoding === 'utf8'
              ? Buffer.from(text)
              : encoding === 'utf8-bom'
                ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
                : encoding === 'utf16le-bom'
                  ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
                  : iconv.encode(text, 'win1252')
          const preview = await importOnce('rows.csv', bytes)
          expect(preview, `${encoding} ${JSON.stringify(delimiter)}: ${JSON.stringify(text).slice(0, 300)}`).not.toBeNull()
          expect(preview!.headers).toEqual(headers)
          // The rows shown come back cell for cell (spaces around a value aside).
          for (const sample of preview!.sampleRows) {
            const row = body[sample.rowNumber - 2]!
            const expected = Object.fromEntries(headers.map((h, i) => [h, encoding === 'win1252' ? row[i]!.replace(/[^\u0000-\u00ff€]/g, '?') : row[i]!]))
            for (const h of headers) expect(sample.values[h]?.trim() ?? '', `row ${sample.rowNumber}, ${h}`).toBe(expected[h]!.trim())
          }
        }
      ),
      { numRuns: runs(60), ...seedParams() }
    )
  })

  it('exceljs workbooks with random cells (numbers, text, booleans, dates, formulas, errors, rich text, empty sheets): read or refused clearly', async () => {
    const cell = fc.oneof(
      cellText,
      fc.double({ noNaN: false }),
      fc.integer(),
      fc.boolean(),
      fc.date({ min: new Date(Date.UTC(1899, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }),
      fc.constant(null),
      fc.record({ formula: fc.constantFrom('1+1', '1=2', 'A1', 'NA()', '1/0'), result: fc.oneof(fc.integer(), fc.boolean(), fc.constant(0), fc.string({ maxLength: 5 }), fc.constant({ error: '#DIV/0!' })) }, { noNullPrototype: true }),
      fc.constant({ error: '#VALUE!' }),
      fc.record({ richText: fc.array(fc.record({ text: cellText }, { noNullPrototype: true }), { minLength: 1, maxLength: 3 }) }, { noNullPrototype: true })
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        async (sheets) => {
          const workbook = new ExcelJS.Workbook()
          sheets.forEach((rows, i) => {
            const sheet = workbook.addWorksheet(`Sheet ${i + 1}`)
            for (const row of rows) sheet.addRow(row as ExcelJS.CellValue[])
          })
          const bytes = new Uint8Array(await workbook.xlsx.writeBuffer())
          await importOnce('book.xlsx', bytes)
        }
      ),
      { numRuns: runs(40), ...seedParams() }
    )
  })

  // Regression: A UTF-16LE CSV without a BOM is read as Windows-1252 (fixed).
  it('a UTF-16LE CSV without a BOM: its headers come back, or it is refused; never NUL-filled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 4 }), async (cells) => {
        const text = toCsv([['prompt', 'other'], ...cells.map((c) => [c, c])], ',')
        const preview = await importOnce('rows.csv', Buffer.from(text, 'utf16le'))
        if (preview) expect(preview.headers).toEqual(['prompt', 'other'])
      }),
      { numRuns: 10, ...seedParams() }
    )
  })

  // Regression: XLSX formula cells lose falsy results (fixed).
  it('a formula cell reads as its cached result, falsy ones included', async () => {
    // Every case each run (a sample of three could miss the falsy ones and pass by luck).
    for (const [result, shown] of [[0, '0'], [false, 'FALSE'], [7, '7']] as const) {
      const workbook = new ExcelJS.Workbook()
      const sheet = workbook.addWorksheet('Ideas')
      sheet.addRow(['prompt', 'n'])
      sheet.addRow(['a haiku', { formula: 'A1', result } as ExcelJS.CellValue])
      const preview = await importOnce('book.xlsx', new Uint8Array(await workbook.xlsx.writeBuffer()))
      expect(preview!.sampleRows[0]!.values.n, `=A1 cached ${String(result)}`).toBe(shown)
    }
  })

  it('the database is intact after all of it', () => {
    expect(studio.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })
})
