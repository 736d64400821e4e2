import { describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'

describe('studio eta and list while the queue is paused', () => {
  it('say the queue is paused instead of giving end times, and give times again after resume', async () => {
    const run = cli(tempDir())
    for (let i = 0; i < 4; i++) expect((await run('add', 'one', '--input', '{"label":"x"}')).code).toBe(0)
    await run('pause')

    const eta = await run('eta')
    expect(eta.out).toBe('whole queue: paused, nothing starts until it is resumed (studio resume); 4 jobs waiting\n')
    expect(JSON.parse((await run('eta', '--json')).out)).toMatchObject({ paused: true, totalMs: null })
    const rows = (await run('list')).out.trim().split('\n').slice(1)
    expect(rows).toHaveLength(4)
    for (const row of rows) expect(row).toMatch(/ pending .* paused {2,}One step$/)

    await run('resume')
    expect((await run('eta')).out).toMatch(/^whole queue: \d+ms with 2 workers \(4 jobs\)$/m)
    expect((await run('list')).out).not.toMatch(/paused/)
  })
})
