import { describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { tempDir } from '../helpers/engine'
import { shortJobId } from '../../src/shared/job-id'

describe('studio cancel|retry|rm|priority on many jobs', () => {
  it('several ids and --status filters, a line per job, --json with per-id outcomes; single ids unchanged', async () => {
    const run = cli(tempDir())
    const ids: string[] = []
    for (let i = 0; i < 4; i++) ids.push((await run('add', 'one', '--input', `{"idea":"n${i}"}`)).out.trim())

    const prio = await run('priority', shortJobId(ids[0]!), ids[1]!, '2')
    expect(prio.code).toBe(0)
    expect(prio.out).toBe(`${ids[0]} priority set\n${ids[1]} priority set\n2 priority set, 0 skipped\n`)

    const cancelled = await run('--json', 'cancel', ids[0]!, ids[1]!, 'nope1234')
    expect(cancelled.code).toBe(1) // one was skipped: a script can tell
    expect(JSON.parse(cancelled.out)).toEqual({
      done: 2,
      skipped: 1,
      results: [
        { id: ids[0], outcome: 'done' },
        { id: ids[1], outcome: 'done' },
        { id: 'nope1234', outcome: 'skipped', code: 'not_found', reason: 'no job with id nope1234' }
      ]
    })

    const retried = await run('retry', '--status', 'cancelled')
    expect(retried.out).toContain('2 queued again, 0 skipped')

    const all = await run('cancel', '--status', 'pending')
    expect(all.code).toBe(0)
    expect(all.out.trim().split('\n').at(-1)).toBe('4 cancelled, 0 skipped')

    const none = await run('priority', '--status', 'pending', '3')
    expect(none.out).toBe('no job matched\n')

    const rm = await run('--json', 'rm', '--status', 'completed,cancelled')
    expect(JSON.parse(rm.out).done).toBe(4)
    expect(JSON.parse((await run('list', '--json')).out)).toEqual([])

    // The single-id forms answer exactly as before.
    const id = (await run('add', 'one', '--input', '{}')).out.trim()
    expect((await run('cancel', id.slice(0, 6))).out).toBe(`${id} cancelled\n`)
    expect((await run('rm', id.slice(0, 6))).out).toBe(`removed ${id} "One step"\n`)
  })

  it('bad filters and mixes are usage errors naming what is wrong', async () => {
    const run = cli(tempDir())
    const id = (await run('add', 'one', '--input', '{}')).out.trim()
    const bad = await run('cancel', '--status', 'done')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/--status must be one of pending, processing, paused, completed, failed, cancelled .*got "done"/)
    expect((await run('rm', id, '--status', 'pending')).err).toMatch(/give job ids or --status, not both/)
    expect((await run('priority', '--status', 'pending', 'high')).err).toMatch(/priority must be a whole number from 1 to 10, got "high"/)
    expect((await run('priority', '--status', 'pending', '12')).err).toMatch(/priority/)
  })
})
