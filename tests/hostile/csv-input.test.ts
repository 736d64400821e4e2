import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useBatchEngine } from '../batch/helpers/batches'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'

const open = useBatchEngine()

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le')
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!]
  return le
}

describe('CSV files that are not what they seem', () => {
  it.each([
    ['utf-16le', (t: string) => Buffer.from(t, 'utf16le')],
    ['utf-16be', utf16be]
  ])('a %s CSV without a BOM is read as UTF-16, not as Windows-1252', async (encoding, encode) => {
    const { batches, dir } = open()
    const file = join(dir, 'unicode.csv')
    writeFileSync(file, encode('idea\tlabel\r\ncafé crème\tr2\r\nœufs brouillés\tr3\r\n'))
    const preview = await batches.preview({ kind: 'file', path: file }, undefined, { pipeline: 'one' })
    expect(preview.headers).toEqual(['idea', 'label'])
    expect(preview.encoding).toBe(encoding)
    const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'one' } })
    expect(created).toMatchObject({ totalRows: 2, invalidRows: 0 })
  })

  it('a binary file renamed .csv is "not a CSV or XLSX file", and no control byte reaches the message', async () => {
    const dir = tempDir()
    const file = join(dir, 'photo.csv')
    writeFileSync(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x1b]), Buffer.from('[31m'), randomBytes(4000)]))
    const r = await cli(dir)('batch', file, '--pipeline', 'one')
    expect(r.code).toBe(1)
    expect(r.err).toContain(`photo.csv is not a CSV or XLSX file: its first bytes are binary data, not text`)
    expect(r.err.slice(0, -1)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
  })
})
