import { writeFileSync } from 'node:fs'
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
