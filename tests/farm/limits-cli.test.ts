/**
 * `studio farm limits` as a real process of the built CLI on a real PostgreSQL: it shows that the
 * farm sets none (each worker's settings apply), sets and clears limits, prints them with --json,
 * refuses a malformed or out-of-range limit naming the option (and writes nothing), refuses its
 * options on other farm commands, asks for `studio farm init` on a database without the farm's
 * schema, and `studio farm status` shows the limits with what runs in each lane.
 */
import { describe, expect, it } from 'vitest'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { builtStudio } from '../helpers/cli'
import { useFreshDatabases, usePostgres } from '../helpers/postgres'

const freshDatabase = useFreshDatabases(usePostgres())

const studio = (url: string, ...args: string[]) => builtStudio(['--queue-url', url, 'farm', ...args])

describe('studio farm limits', () => {
  it('shows, sets and clears the limits every worker holds to; status shows them', async () => {
    const url = await freshDatabase()
    const uninitialised = await studio(url, 'limits')
    expect(uninitialised.code).toBe(1)
    expect(uninitialised.err).toContain('studio farm init')
    await farmInit(url)

    const none = await studio(url, 'limits')
    expect(none).toMatchObject({ code: 0 })
    expect(none.out).toContain("farm limits: none (each worker applies its own settings' limits)")

    const set = await studio(url, 'limits', '--set', 'music=5/2000', '--set', 'llm=4')
    expect(set.code).toBe(0)
    expect(set.out).toContain('music: 5 at a time, 2 s apart; 0 running')
    expect(set.out).toContain('llm: 4 at a time; 0 running')

    const cleared = await studio(url, '--json', 'limits', '--clear', 'llm', '--set', 'music=3/500')
    expect(cleared.code).toBe(0)
    expect(JSON.parse(cleared.out)).toEqual({ limits: [{ resource: 'music', concurrency: 3, minIntervalMs: 500, running: 0 }] })

    const status = await studio(url, '--json', 'status')
    expect(JSON.parse(status.out).limits).toEqual([{ resource: 'music', concurrency: 3, minIntervalMs: 500, running: 0 }])
    expect((await studio(url, 'status')).out).toContain('music: 3 at a time, 500 ms apart; 0 running')
  }, 120_000)

  it('refuses a bad limit naming the option, and writes nothing; its options belong to it alone', async () => {
    const url = await freshDatabase()
    await farmInit(url)
    await studio(url, 'limits', '--set', 'music=2')
    for (const [spec, why] of [
      ['music', 'resource=concurrency'],
      ['music=0', 'concurrency: a whole number from 1 to 1000'],
      ['music=2/-1', 'resource=concurrency'],
      ['Music=2', 'resource: a lower-case name'],
      ['music=2/999999999', 'minIntervalMs']
    ] as const) {
      const bad = await studio(url, '--json', 'limits', '--set', spec)
      expect(bad.code, spec).toBe(1)
      const error = JSON.parse(bad.err).error
      expect(error.code).toBe('invalid-limit')
      expect(error.message, spec).toContain(`--set "${spec}"`)
      expect(error.message, spec).toContain(why)
    }
    const after = await studio(url, '--json', 'limits')
    expect(JSON.parse(after.out).limits).toEqual([{ resource: 'music', concurrency: 2, minIntervalMs: 0, running: 0 }])
    const misplaced = await studio(url, 'status', '--set', 'music=1')
    expect(misplaced.code).toBe(2)
    expect(misplaced.err).toContain('--set is for `studio farm limits` only')
  }, 120_000)
})
