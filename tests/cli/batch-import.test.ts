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
