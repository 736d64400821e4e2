import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { term } from '../../src/cli/format'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'

/** Anything a terminal would act on: C0 (but the line break), DEL, C1, bidi overrides. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
const HOSTILE = 'nice\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\r\u009b1m\u202eevil'

describe('no raw control characters from data reach the terminal', () => {
  it('escapes them visibly, keeping line breaks only where asked', () => {
    expect(term('a\u001b[31mb\nc\td\u202e')).toBe('a\\x1b[31mb\\nc\\td\\u202e')
    expect(term('a\u0007\nb', { lines: true })).toBe('a\\x07\nb')
    expect(term('café 😀 ✓')).toBe('café 😀 ✓')
  })

  it('`list`, `show`, `logs` and `rm` print a hostile title and prompt escaped; --json keeps them exact', async () => {
    const run = cli(tempDir())
    const id = (await run('add', 'one', '--input', JSON.stringify({ idea: HOSTILE }), '--title', HOSTILE)).out.trim()
    await run('run', '--until-idle')
    for (const argv of [['list'], ['show', id], ['logs', id], ['list', '--text', 'nice']]) {
      const r = await run(...argv)
      expect(r.code, argv.join(' ')).toBe(0)
      expect(r.out, argv.join(' ')).not.toMatch(RAW_CONTROL)
      expect(r.err).not.toMatch(RAW_CONTROL)
    }
    expect((await run('list')).out).toContain('nice\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred\\x0d\\x9b1m\\u202eevil')
    const json = JSON.parse((await run('list', '--json')).out) as { title: string }[]
    expect(json[0]!.title).toBe(HOSTILE)
    const rm = await run('rm', id)
    expect(rm.out).not.toMatch(RAW_CONTROL)
  })

  it('a column name with escapes is escaped in the "available columns" error and in batch output', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const file = join(dir, 'sheet.csv')
    writeFileSync(file, `\u001b]0;x\u0007col,other\u001b[5m\nvalue,v\n`)
    const r = await run('batch', file, '--pipeline', 'one', '--config', writeConfig(dir, { mapping: { idea: 'missing' } }))
    expect(r.code).toBe(1)
    expect(r.err).toContain('available columns')
    expect(r.err).toContain('\\x1b]0;x\\x07col')
    expect(r.err.slice(0, -1)).not.toMatch(RAW_CONTROL)
  })
})

function writeConfig(dir: string, config: unknown): string {
  const file = join(dir, 'config.json')
  writeFileSync(file, JSON.stringify(config))
  return file
}
