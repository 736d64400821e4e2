import { Readable } from 'node:stream'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { detectDelimiter } from '../../src/main/engine/batch/sources/delimiter'
import { AutoDecoder } from '../../src/main/engine/batch/sources/text-decoder'

async function decode(bytes: Buffer, chunkSize: number): Promise<{ text: string; encoding: string }> {
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize))
  const decoder = new AutoDecoder()
  Readable.from(chunks).pipe(decoder)
  let text = ''
  for await (const part of decoder) text += part as string
  return { text, encoding: decoder.encoding }
}

const SAMPLE = 'idée;prix\nÉté à 5 €;œuvre ça\n'

describe('AutoDecoder', () => {
  it.each([1, 2, 3, 7, 1024])('decodes UTF-8 split into %i-byte chunks (sequences cut across chunks)', async (size) => {
    expect(await decode(Buffer.from(SAMPLE, 'utf8'), size)).toEqual({ text: SAMPLE, encoding: 'utf-8' })
  })

  it.each([1, 2, 1024])('decodes Windows-1252 split into %i-byte chunks', async (size) => {
    expect(await decode(iconv.encode(SAMPLE, 'win1252'), size)).toEqual({ text: SAMPLE, encoding: 'windows-1252' })
  })

  it.each([1, 2, 1024])('strips a UTF-8 BOM split into %i-byte chunks', async (size) => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)])
    expect(await decode(bytes, size)).toEqual({ text: SAMPLE, encoding: 'utf-8-bom' })
  })

  it('decides on a Windows-1252 accent in the very last byte', async () => {
    expect(await decode(iconv.encode('idea\ncafé', 'win1252'), 1024)).toEqual({ text: 'idea\ncafé', encoding: 'windows-1252' })
  })

  it('keeps pure ASCII as "ascii" (nothing to decide)', async () => {
    expect(await decode(Buffer.from('a,b\n1,2\n'), 3)).toEqual({ text: 'a,b\n1,2\n', encoding: 'ascii' })
  })
})

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', true, ','],
    ['a;b;c\n1;2;3\n', true, ';'],
    ['a\tb\tc\n1\t2\t3\n', true, '\t'],
    ['"x;y",b\n"1;2",3\n', true, ','],
    ['titre;description\n"Un, deux, trois";"a, b"\n', true, ';'],
    ['only\none\ncolumn\n', true, ','],
    ['', true, ','],
    // Incomplete sample: the cut-off last record must not vote.
    ['a;b\n1;2\n3;4\n"cut, off, here, ,,,', false, ';'],
    // A quoted header containing the other candidate.
    ['"name, full";age\nBob;3\n', true, ';']
  ])('%j → %j', (sample, complete, expected) => {
    expect(detectDelimiter(sample, { complete })).toBe(expected)
  })
})
