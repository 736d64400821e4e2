import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRowSource, RowSourceError } from '../../src/main/engine/batch/sources'
import { collect, makeTempDir, writeText } from './helpers/fs'

let dir: string
let cleanup: () => Promise<void>
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()))
afterAll(() => cleanup())

describe('CSV delimiters', () => {
  it.each([
    ['comma', ','],
    ['semicolon', ';'],
    ['tab', '\t']
  ] as const)('reads a %s-separated file', async (_name, d) => {
    const path = await writeText(dir, `delim-${_name}.csv`, `idea${d}language\nChats${d}fr\nDogs${d}en\n`)
    const source = await openRowSource(path)
    expect(source.format).toBe('csv')
    expect(source.delimiter).toBe(d)
    expect(source.headers).toEqual(['idea', 'language'])
    expect(await collect(source.rows)).toEqual([
      { rowNumber: 2, values: { idea: 'Chats', language: 'fr' } },
      { rowNumber: 3, values: { idea: 'Dogs', language: 'en' } }
    ])
  })

  it('ignores delimiters inside quotes when detecting (semicolon file with commas in text)', async () => {
    const path = await writeText(dir, 'quoted-commas.csv', 'idée;prix\n"Bonjour, le monde, encore";"1,5"\n"a, b, c, d";2\n')
    const source = await openRowSource(path)
    expect(source.delimiter).toBe(';')
    expect(await collect(source.rows)).toEqual([
      { rowNumber: 2, values: { idée: 'Bonjour, le monde, encore', prix: '1,5' } },
      { rowNumber: 3, values: { idée: 'a, b, c, d', prix: '2' } }
    ])
  })

  it('prefers the semicolon when French decimal commas appear as often', async () => {
    const path = await writeText(dir, 'decimal-commas.csv', 'sujet;durée\nUn;1,5\nDeux;2,5\n')
    const source = await openRowSource(path)
    expect(source.delimiter).toBe(';')
    expect((await collect(source.rows))[0]!.values).toEqual({ sujet: 'Un', durée: '1,5' })
  })

  it('reads a single-column file', async () => {
    const path = await writeText(dir, 'one-column.csv', 'idea\nfirst\nsecond\n')
    const source = await openRowSource(path)
    expect(source.headers).toEqual(['idea'])
    expect((await collect(source.rows)).map((r) => r.values.idea)).toEqual(['first', 'second'])
  })
})

describe('CSV encodings', () => {
  const FRENCH = 'idée;langue\nÉté à la plage, ça coûte 5 €;fr\nœuvre « déjà vue » — naïve;fr\n'
  const EXPECTED = [
    { rowNumber: 2, values: { idée: 'Été à la plage, ça coûte 5 €', langue: 'fr' } },
    { rowNumber: 3, values: { idée: 'œuvre « déjà vue » — naïve', langue: 'fr' } }
  ]

  it('reads UTF-8 without BOM', async () => {
    const source = await openRowSource(await writeText(dir, 'utf8.csv', FRENCH, 'utf8'))
    expect(await collect(source.rows)).toEqual(EXPECTED)
    expect(source.encoding).toBe('utf-8')
  })

  it('reads UTF-8 with BOM and keeps the BOM out of the first header', async () => {
    const source = await openRowSource(await writeText(dir, 'utf8-bom.csv', FRENCH, 'utf8-bom'))
    expect(source.headers).toEqual(['idée', 'langue'])
    expect(source.encoding).toBe('utf-8-bom')
    expect(await collect(source.rows)).toEqual(EXPECTED)
  })

  it('reads Windows-1252 as French Excel writes it (é è à ç œ € come out right)', async () => {
    const source = await openRowSource(await writeText(dir, 'cp1252.csv', FRENCH, 'win1252'))
    expect(source.headers).toEqual(['idée', 'langue'])
    expect(await collect(source.rows)).toEqual(EXPECTED)
    expect(source.encoding).toBe('windows-1252')
  })

  it('detects Windows-1252 even when the first accent comes after a long ASCII stretch', async () => {
    const ascii = Array.from({ length: 5000 }, (_, i) => `plain idea ${i};en`).join('\n')
    const path = await writeText(dir, 'late-accent.csv', `idea;language\n${ascii}\nCafé crème;fr\n`, 'win1252')
    const source = await openRowSource(path)
    expect(source.encoding).toBe('ascii') // nothing decided yet: the sample was all ASCII
    const rows = await collect(source.rows)
    expect(rows.at(-1)).toEqual({ rowNumber: 5002, values: { idea: 'Café crème', language: 'fr' } })
    expect(source.encoding).toBe('windows-1252')
  })

  it('reads UTF-16 with BOM (Excel "Unicode text")', async () => {
    const source = await openRowSource(await writeText(dir, 'utf16.txt', 'idée\tlangue\nÉté\tfr\n', 'utf16le-bom'))
    expect(source.delimiter).toBe('\t')
    expect(await collect(source.rows)).toEqual([{ rowNumber: 2, values: { idée: 'Été', langue: 'fr' } }])
  })

  it('reports a file that switches from UTF-8 to Windows-1252 midway, naming the row', async () => {
    const utf8Part = Buffer.from(`idea\nÉté\n${'x\n'.repeat(40_000)}`, 'utf8')
    const path = join(dir, 'mixed.csv')
    await writeFile(path, Buffer.concat([utf8Part, Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a])]))
    const source = await openRowSource(path)
    const error = await collect(source.rows).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(RowSourceError)
    expect((error as RowSourceError).code).toBe('ENCODING')
    expect((error as Error).message).toMatch(/mixed\.csv at row \d+: the file is not valid UTF-8/)
  })
})

describe('CSV structure', () => {
  it('keeps row numbers as the spreadsheet shows them across quoted newlines (records, not lines)', async () => {
    const text = 'idea,language\r\n"line one\r\nline two\r\nline three",fr\r\nsecond,en\r\n"a ""quoted"" word\nand more",de\r\nlast,it\r\n'
    const source = await openRowSource(await writeText(dir, 'newlines.csv', text))
    const rows = await collect(source.rows)
    expect(rows.map((r) => [r.rowNumber, r.values.idea])).toEqual([
      [2, 'line one\r\nline two\r\nline three'],
      [3, 'second'],
      [4, 'a "quoted" word\nand more'],
      [5, 'last']
    ])
  })

  it('skips empty rows but still counts them', async () => {
    const text = 'idea,language\nfirst,fr\n\n,\n  ,  \nafter blanks,en\n\n'
    const rows = await collect((await openRowSource(await writeText(dir, 'blank.csv', text))).rows)
    expect(rows.map((r) => [r.rowNumber, r.values.idea])).toEqual([
      [2, 'first'],
      [6, 'after blanks']
    ])
  })

  it('numbers the header by its position when the file starts with blank lines', async () => {
    const source = await openRowSource(await writeText(dir, 'leading-blank.csv', '\n\nidea\nx\n'))
    expect(source.headerRowNumber).toBe(3)
    expect((await collect(source.rows))[0]!.rowNumber).toBe(4)
  })

  it('handles ragged rows: missing cells are empty, extra cells are kept in `extra`', async () => {
    const text = 'idea,language,voice\nshort\nfull,fr,alloy\nlong,en,echo,surplus,,more,,\ntrailing,fr,nova,,\n'
    const rows = await collect((await openRowSource(await writeText(dir, 'ragged.csv', text))).rows)
    expect(rows).toEqual([
      { rowNumber: 2, values: { idea: 'short', language: '', voice: '' } },
      { rowNumber: 3, values: { idea: 'full', language: 'fr', voice: 'alloy' } },
      { rowNumber: 4, values: { idea: 'long', language: 'en', voice: 'echo' }, extra: ['surplus', '', 'more'] },
      { rowNumber: 5, values: { idea: 'trailing', language: 'fr', voice: 'nova' } }
    ])
  })

  it('makes empty and duplicate headers unique', async () => {
    const source = await openRowSource(await writeText(dir, 'headers.csv', 'title, ,Title,title,\na,b,c,d,e\n'))
    expect(source.headers).toEqual(['title', 'Column B', 'Title_2', 'title_3', 'Column E'])
    expect((await collect(source.rows))[0]!.values).toEqual({
      title: 'a',
      'Column B': 'b',
      Title_2: 'c',
      title_3: 'd',
      'Column E': 'e'
    })
  })

  it('keeps a header named __proto__ as an ordinary key', async () => {
    const source = await openRowSource(await writeText(dir, 'proto.csv', '__proto__,idea\nx,y\n'))
    const [row] = await collect(source.rows)
    expect(Object.keys(row!.values)).toEqual(['__proto__', 'idea'])
    expect(row!.values.idea).toBe('y')
  })

  it('reads a header-only file as zero rows and an empty file as an error', async () => {
    const headerOnly = await openRowSource(await writeText(dir, 'header-only.csv', 'idea,language\n'))
    expect(await collect(headerOnly.rows)).toEqual([])
    await expect(openRowSource(await writeText(dir, 'empty.csv', ''))).rejects.toMatchObject({ code: 'EMPTY' })
    await expect(openRowSource(await writeText(dir, 'blank-only.csv', '\n\n,,\n'))).rejects.toThrow(/is empty \(no header row\)/)
  })

  it('reports a quote that is never closed with the row where it starts', async () => {
    const path = await writeText(dir, 'unclosed.csv', 'idea,language\nok,fr\n"never closed,fr\nmore,en\n')
    // A small file fails while opening (the parser sees the end at once), a large one while iterating.
    const readAll = async (): Promise<unknown> => collect((await openRowSource(path)).rows)
    await expect(readAll()).rejects.toThrow(/unclosed\.csv at row 3: a quoted cell is never closed/)
  })

  it('accepts stray quotes inside unquoted cells (5" screen)', async () => {
    const rows = await collect((await openRowSource(await writeText(dir, 'stray-quote.csv', 'idea,size\nTV,5" screen\n'))).rows)
    expect(rows[0]!.values.size).toBe('5" screen')
  })
})

describe('row range and errors', () => {
  const lines = ['idea', ...Array.from({ length: 20 }, (_, i) => `idea ${i + 2}`)].join('\n')

  it('keeps only rows inside rowRange (spreadsheet numbers, inclusive)', async () => {
    const source = await openRowSource(await writeText(dir, 'range.csv', lines), { rowRange: { start: 5, end: 8 } })
    expect((await collect(source.rows)).map((r) => r.rowNumber)).toEqual([5, 6, 7, 8])
  })

  it('runs to the last row when rowRange has no end', async () => {
    const source = await openRowSource(await writeText(dir, 'range-open.csv', lines), { rowRange: { start: 19 } })
    expect((await collect(source.rows)).map((r) => r.values.idea)).toEqual(['idea 19', 'idea 20', 'idea 21'])
  })

  it('counts blank and multi-line rows in the range like the spreadsheet does', async () => {
    const text = 'idea\n"two\nlines"\n\nfour\nfive\n'
    const source = await openRowSource(await writeText(dir, 'range-blank.csv', text), { rowRange: { start: 3, end: 4 } })
    expect(await collect(source.rows)).toEqual([{ rowNumber: 4, values: { idea: 'four' } }])
  })

  it.each([
    [{ start: 1, end: 5 }, /rowRange\.start: must be 2 or more \(row 1 is the header row\)/],
    [{ start: 6, end: 5 }, /rowRange\.end: must be greater than or equal to start/],
    [{ start: 2.5 }, /rowRange\.start: must be a whole row number/]
  ])('rejects rowRange %j with a message naming the field', async (rowRange, message) => {
    const path = await writeText(dir, 'range-invalid.csv', lines)
    await expect(openRowSource(path, { rowRange })).rejects.toThrow(message)
  })

  it('explains a missing file, a folder, an .xls file and a sheet option on CSV', async () => {
    await expect(openRowSource(join(dir, 'nope.csv'))).rejects.toThrow(/file not found: .*nope\.csv/)
    await expect(openRowSource(dir)).rejects.toThrow(/is a folder/)
    const xls = join(dir, 'old.xls')
    await writeFile(xls, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]))
    await expect(openRowSource(xls)).rejects.toThrow(/Excel 97–2003 \(\.xls\).*save it as \.xlsx or CSV/)
    const csv = await writeText(dir, 'sheet-opt.csv', 'idea\nx\n')
    await expect(openRowSource(csv, { sheet: 'Ideas' })).rejects.toThrow(/sheet: .*CSV file/)
  })

  it('accepts {path} specs and file:// URLs', async () => {
    const path = await writeText(dir, 'spec.csv', 'idea\nx\n')
    expect((await openRowSource({ path })).headers).toEqual(['idea'])
    expect((await openRowSource(`file://${path}`)).headers).toEqual(['idea'])
  })

  it('stops with the abort reason when cancelled mid-read', async () => {
    const big = ['idea', ...Array.from({ length: 50_000 }, (_, i) => `row ${i}`)].join('\n')
    const controller = new AbortController()
    const source = await openRowSource(await writeText(dir, 'abort.csv', big), { signal: controller.signal })
    let seen = 0
    const run = (async () => {
      for await (const _row of source.rows) {
        if (++seen === 10) controller.abort(new Error('user cancelled'))
      }
    })()
    await expect(run).rejects.toThrow('user cancelled')
    expect(seen).toBe(10)
  })
})
