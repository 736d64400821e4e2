import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createHandlers, dispatch } from '../../src/main/api/handlers'
import { firstInvalidUtf8 } from '../../src/cli/input-file'
import { cli } from '../helpers/cli'
import { openTestEngine, tempDir } from '../helpers/engine'

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)

describe('CLI input files and JSON arguments', () => {
  it('`--input-file /dev/zero` is refused at once: only regular files are read', async () => {
    const run = cli(tempDir())
    const started = Date.now()
    const r = await run('add', 'one', '--input-file', '/dev/zero')
    expect(r.code).toBe(2)
    expect(r.err).toContain('--input-file: /dev/zero is not a regular file')
    expect(Date.now() - started).toBeLessThan(10_000)
    const config = await run('batch', 'x.csv', '--config', '/dev/zero')
    expect(config.err).toContain('--config: /dev/zero is not a regular file')
  })

  it('an input file over the size cap is refused, naming the cap', async () => {
    const dir = tempDir()
    const file = join(dir, 'big.json')
    writeFileSync(file, `{"idea":"${'x'.repeat(17 * 1024 * 1024)}"}`)
    const r = await cli(dir)('add', 'one', '--input-file', file)
    expect(r.code).toBe(2)
    expect(r.err).toContain(`--input-file: ${file} is larger than 16 MB`)
  })

  it('invalid UTF-8 in an input file or an argument is refused, not replaced by U+FFFD', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const file = join(dir, 'latin1.json')
    writeFileSync(file, Buffer.concat([Buffer.from('{"idea":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]))
    const r = await run('add', 'one', '--input-file', file)
    expect(r.code).toBe(2)
    expect(r.err).toContain(`--input-file: ${file} is not valid UTF-8 text (at byte 12)`)
    // What Node makes of invalid bytes in argv.
    const arg = await run('add', 'one', '--input', '{"idea":"caf\uFFFD"}')
    expect(arg.code).toBe(2)
    expect(arg.err).toContain('--input holds bytes that are not valid UTF-8')
    expect(JSON.parse((await run('list', '--json')).out)).toHaveLength(0)
    // Notepad's "Unicode" (UTF-16 with a BOM) is text, read as such.
    const utf16 = join(dir, 'unicode.json')
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"idea":"thé"}', 'utf16le')]))
    expect((await run('add', 'one', '--input-file', utf16)).code).toBe(0)
  })

  it('finds the first invalid UTF-8 byte: overlong forms, surrogates, cut sequences', () => {
    expect(firstInvalidUtf8(Buffer.from('héllo ✓ 😀'))).toBe(Buffer.byteLength('héllo ✓ 😀'))
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80]))).toBe(1)
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xed, 0xa0, 0x80]))).toBe(1)
    expect(firstInvalidUtf8(Buffer.from([0x41, 0x42, 0xe2, 0x9c]))).toBe(2)
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0)
  })

  it('JSON nested 5 000 levels is "too deeply nested", through the CLI and through dispatch', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const r = await run('add', 'one', '--input', nested(5_000))
    expect(r.code).toBe(2)
    expect(r.err).toContain('--input: a is nested more than 200 levels deep (too deeply nested)')
    const file = join(dir, 'deep.json')
    writeFileSync(file, nested(100_000))
    expect((await run('batch', 'x.csv', '--config', file)).err).toContain('too deeply nested')
    expect((await run('settings', '--set', nested(5_000))).code).not.toBe(0)
    const engine = openTestEngine()
    try {
      for (const depth of [5_000, 200_000]) {
        const answer = await dispatch(createHandlers(engine), 'jobs/enqueue', { type: 'one', input: JSON.parse(nested(depth)) })
        expect(answer).toEqual({ ok: false, error: { code: 'bad_request', message: 'jobs/enqueue: input is nested more than 200 levels deep (too deeply nested)' } })
      }
      const fine = await dispatch(createHandlers(engine), 'jobs/enqueue', { type: 'one', input: JSON.parse(nested(50)) })
      expect(fine.ok).toBe(true)
    } finally {
      await engine.close(0)
    }
  })
})

describe('smaller CLI answers', () => {
  it('`priority <id> -5` says the priority must be 1–10, as does 0, 11 and 2.5', async () => {
    const run = cli(tempDir())
    const id = (await run('add', 'one', '--input', '{}')).out.trim()
    for (const p of ['-5', '0', '11', '2.5', 'high']) {
      const r = await run('priority', id, p)
      expect(r.code, p).toBe(2)
      expect(r.err).toContain(`priority must be a whole number from 1 to 10 (1 runs first), got "${p}"`)
    }
    expect((await run('priority', id, '3')).out).toContain('priority 3')
  })

  it('`batch file:///…/ideas.csv` reads the file; `batch export --out /missing/dir/x.csv` names --out', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const file = join(dir, 'idées ok.csv')
    writeFileSync(file, 'idea\nfirst\n')
    const created = await run('batch', pathToFileURL(file).href, '--pipeline', 'one', '--detach', '--json')
    expect(created.err).toBe('')
    expect(created.code).toBe(0)
    const id = (JSON.parse((await run('batch', 'list', '--json')).out) as { id: string }[])[0]!.id
    const out = await run('batch', 'export', id, '--out', join(dir, 'missing', 'x.csv'), '--json')
    expect(out.code).toBe(1)
    expect(JSON.parse(out.err)).toEqual({
      error: { code: 'bad_request', message: `--out: cannot write ${join(dir, 'missing', 'x.csv')}: the folder ${join(dir, 'missing')} does not exist` }
    })
  })
})
