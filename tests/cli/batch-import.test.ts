import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'

describe('studio batch: what the import summary tells the user', () => {
  it('names the columns no job gets, in text and in --json', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const file = join(dir, 'prio.csv')
    writeFileSync(file, 'idea,priority,draft,notes\nfirst idea here,5,oui,x\nurgent idea here,1,oui,y\n')
    const text = await run('batch', file, '--pipeline', 'one', '--detach')
    expect(text.code).toBe(0)
    expect(text.out).toContain('"prio.csv": 2 rows (0 refused)\n  ignored columns "draft", "notes": pipeline "one" has no field for them\n')
    const json = await run('--json', 'batch', file, '--pipeline', 'one', '--detach')
    expect(JSON.parse(json.out).ignoredColumns).toEqual(['draft', 'notes'])
    const status = await run('batch', 'status', JSON.parse(json.out).id)
    expect(status.out).toContain('  columns    ignored columns "draft", "notes": pipeline "one" has no field for them')
  })
})

describe('studio batch: errors about the source name the file the user gave', () => {
  it('an empty file, a broken quote and a missing file are reported by their own name, with a code saying why', async () => {
    const dir = tempDir()
    const run = cli(dir)
    writeFileSync(join(dir, 'empty.csv'), '')
    writeFileSync(join(dir, 'quote.csv'), 'idea\n"never closed\n')
    const empty = await run('batch', join(dir, 'empty.csv'), '--pipeline', 'one', '--detach')
    expect(empty.code).toBe(1)
    expect(empty.err).toContain('empty.csv is empty (no header row)')
    const quote = await run('batch', join(dir, 'quote.csv'), '--pipeline', 'one', '--detach')
    expect(quote.code).toBe(1)
    expect(quote.err).toMatch(/quote\.csv at row 2/)
    for (const err of [empty.err, quote.err]) expect(err).not.toMatch(/source\.csv|batches[/\\]/)
    const missing = await run('--json', 'batch', join(dir, 'nope.csv'), '--pipeline', 'one', '--detach')
    expect(missing.code).toBe(1)
    expect(JSON.parse(missing.err)).toEqual({ error: { code: 'not_found', message: `file not found: ${join(dir, 'nope.csv')}` } })
  })
})

describe('studio batch: a sheet with no row to run is refused, and leaves nothing behind', () => {
  it('a range past the last row, a header-only file and an unreadable file: an error, exit 1, no batch', async () => {
    const dir = tempDir()
    const data = join(dir, 'data')
    const run = cli(data)
    const ten = join(dir, 'ten.csv')
    writeFileSync(ten, ['idea', ...Array.from({ length: 10 }, (_, i) => `idea ${i + 2}`)].join('\n') + '\n')
    writeFileSync(join(dir, 'header.csv'), 'idea,label\n')
    writeFileSync(join(dir, 'empty.csv'), '')

    const past = await run('batch', ten, '--rows', '50-60', '--pipeline', 'one', '--detach')
    expect(past).toMatchObject({ code: 1, out: '' })
    expect(past.err).toBe('studio: no data in rows 50–60: ten.csv has data in rows 2–11\n')
    const open = await run('--json', 'batch', ten, '--rows', '12', '--pipeline', 'one', '--detach')
    expect(JSON.parse(open.err)).toEqual({ error: { code: 'bad_request', message: 'no data from row 12 on: ten.csv has data in rows 2–11' } })
    const header = await run('batch', join(dir, 'header.csv'), '--pipeline', 'one', '--detach')
    expect(header.code).toBe(1)
    expect(header.err).toBe('studio: header.csv has no data rows (only a header row)\n')
    expect((await run('batch', join(dir, 'empty.csv'), '--pipeline', 'one', '--detach')).code).toBe(1)
    expect((await run('batch', join(dir, 'nope.csv'), '--pipeline', 'one', '--detach')).code).toBe(1)

    expect((await run('batch', 'list')).out).toBe('no batches\n')
    // Nor a private copy of the rows in the data folder.
    expect(readdirSync(join(data, 'batches'))).toEqual([])
    // A range inside the sheet still works.
    const inside = await run('batch', ten, '--rows', '10-60', '--pipeline', 'one', '--detach')
    expect(inside.out).toContain('"ten.csv": 2 rows (0 refused)')
  })
})
