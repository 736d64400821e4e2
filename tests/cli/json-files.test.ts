import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'

const BOM = '\uFEFF'

describe('JSON files given to the CLI', () => {
  it('--input-file and --config read files saved with a byte order mark (Windows Notepad)', async () => {
    const dir = tempDir()
    const run = cli(dir)
    writeFileSync(join(dir, 'bom.json'), BOM + '{"idea":"bom"}')
    const added = await run('add', 'one', '--input-file', join(dir, 'bom.json'))
    expect(added.err).toBe('')
    expect(JSON.parse((await run('show', added.out.trim(), '--json')).out).payload.idea).toBe('bom')

    writeFileSync(join(dir, 'ten.csv'), 'idea\nfirst\nsecond\n')
    writeFileSync(join(dir, 'cfg.json'), BOM + '{"pipeline":"one"}')
    const batch = await run('--json', 'batch', join(dir, 'ten.csv'), '--config', join(dir, 'cfg.json'), '--detach')
    expect(batch.err).toBe('')
    expect(JSON.parse(batch.out)).toMatchObject({ totalRows: 2, config: { pipeline: 'one' } })
  })

  it('a file that is not JSON is called so, under the option the user gave', async () => {
    const dir = tempDir()
    const run = cli(dir)
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{"idea": ')
    const added = await run('add', 'one', '--input-file', broken)
    expect(added.code).toBe(2)
    expect(added.err).toContain(`studio: --input-file: ${broken} is not valid JSON: `)
    writeFileSync(join(dir, 'ten.csv'), 'idea\nfirst\n')
    const batch = await run('batch', join(dir, 'ten.csv'), '--config', broken, '--pipeline', 'one', '--detach')
    expect(batch.code).toBe(2)
    expect(batch.err).toContain(`--config: ${broken} is not valid JSON: `)
    expect(batch.err).not.toContain('cannot read')
  })
})
