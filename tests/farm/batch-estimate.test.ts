/**
 * A batch's estimate on a farm, with the built CLI (`studio batch <sheet> --estimate --queue-url`)
 * and a window of `studio serve --queue-url` (batch/estimate), on a real PostgreSQL farm with real
 * `studio farm worker` processes:
 *  - with no worker alive the time is unknown (null) and the answer says why, in JSON and in text;
 *  - with workers alive the work is the farm's measured step durations (from jobs its workers ran)
 *    and the time spreads it over the live workers' slots: 2 with one worker of concurrency 2,
 *    4 with two (half the time); the window answers the same figures;
 *  - the JSON has the local `--estimate`'s keys, and nothing is queued.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BatchEstimate } from '../../src/shared/estimate'
import type { BatchView } from '../../src/shared/types'
import { builtStudio, type StudioRun } from '../helpers/cli'
import { tempDir, until } from '../helpers/engine'
import { startWorker, useFarm, waitFor, workerId } from '../helpers/farm-worker'
import { useServeOnFarm } from '../helpers/serve-farm'

const farm = useFarm()
const serveOnFarm = useServeOnFarm(() => farm.dataDir)

const onFarm = (...args: string[]) => builtStudio([...args, '--queue-url', farm.url], { STUDIO_DATA_DIR: farm.dataDir })
const json = <T>(r: StudioRun): T => {
  expect(r, r.err).toMatchObject({ code: 0 })
  return JSON.parse(r.out) as T
}

/** Eight ready rows and one refused (a ragged row). */
const CSV = ['prompt,notes', ...Array.from({ length: 8 }, (_, i) => `A line about the number ${i + 1},x`), 'broken,row,here'].join('\n') + '\n'

function sheet(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'studio-farm-estimate-sheet-')), 'ideas.csv')
  writeFileSync(file, CSV)
  return file
}

const upload = { kind: 'upload', name: 'ideas.csv', contentBase64: Buffer.from(CSV).toString('base64') }

/** Live workers (fresh heartbeat, not leaving) as the farm counts them. */
async function liveWorkers(): Promise<number> {
  const { rows } = await farm.user.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM workers WHERE heartbeat_at >= $1 AND NOT stopping', [Date.now() - 15_000])
  return rows[0]!.n
}

describe('studio batch --estimate --queue-url', () => {
  it('with no worker alive, the time is unknown and the answer says why (CLI and window); nothing is queued', async () => {
    expect(await liveWorkers()).toBe(0)
    const file = sheet()
    const e = json<BatchEstimate>(await onFarm('batch', file, '--pipeline', 'text', '--estimate', '--json'))
    expect(e).toMatchObject({ pipeline: 'text', rows: 8, refused: 1, wallClockMs: null, timeUnknown: 'no-live-workers', costKnown: true })
    expect(e.workMs).toBeGreaterThan(0)

    const text = await onFarm('batch', file, '--pipeline', 'text', '--estimate')
    expect(text, text.err).toMatchObject({ code: 0 })
    expect(text.out).toContain('8 rows of pipeline "text" would be queued (1 refused)')
    expect(text.out).toContain('time  unknown: no worker is running on the farm (studio farm worker)')
    expect(text.out).toContain('nothing was queued')

    const { window } = await serveOnFarm(farm.url, { STUDIO_FARM_RETRY_MS: '300' })
    await until(async () => ((await window.call('farm/queue', {})).value as { connected: boolean }).connected, 60_000, 'the window to reach the farm')
    const answered = await window.call('batch/estimate', { source: upload, config: { pipeline: 'text' } })
    expect(answered.error).toBeUndefined()
    expect(answered.value).toEqual(e)

    expect((await farm.user.pool.query('SELECT count(*)::int AS n FROM batches')).rows[0]).toEqual({ n: 0 })
    expect((await farm.user.pool.query('SELECT count(*)::int AS n FROM jobs')).rows[0]).toEqual({ n: 0 })
  }, 180_000)

  it('times the rows with the farm’s step durations over its live workers’ slots: half the time with two workers as with one', async () => {
    const file = sheet()
    const a = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(a)
    await workerId(a)
    // Jobs run on the farm give it measured step durations (the local studio has none: the pipeline's guesses).
    const ran = json<BatchView>(await onFarm('batch', file, '--pipeline', 'text', '--json'))
    expect(ran).toMatchObject({ status: 'completed', doneRows: 8 })
    const { rows: measured } = await farm.user.pool.query<{ name: string; avg: number }>(
      `SELECT s.name, avg(s.duration_ms)::float8 AS avg FROM steps s JOIN jobs j ON j.id = s.job_id
        WHERE j.batch_id = $1 AND s.status = 'completed' AND NOT s.fallback GROUP BY s.name`,
      [ran.id]
    )
    expect(measured.length).toBeGreaterThan(0)
    const perRow = Math.round(measured.reduce((sum, s) => sum + s.avg, 0))
    // Some work, or halving it would prove nothing.
    expect(perRow).toBeGreaterThan(0)

    const one = json<BatchEstimate>(await onFarm('batch', file, '--pipeline', 'text', '--estimate', '--json'))
    expect(one).toMatchObject({ pipeline: 'text', rows: 8, refused: 1, timeUnknown: null, workMs: 8 * perRow })
    expect(one.wallClockMs).toBe(Math.round(Math.max((8 * perRow) / 2, perRow)))

    const b = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(b)
    await workerId(b)
    await waitFor(async () => (await liveWorkers()) === 2, 60_000, 'both workers to be alive')
    const two = json<BatchEstimate>(await onFarm('batch', file, '--pipeline', 'text', '--estimate', '--json'))
    expect(two).toMatchObject({ rows: 8, refused: 1, timeUnknown: null, workMs: 8 * perRow, costUsd: one.costUsd })
    expect(two.wallClockMs).toBe(Math.round(Math.max((8 * perRow) / 4, perRow)))
    expect(Math.abs(two.wallClockMs! * 2 - one.wallClockMs!)).toBeLessThanOrEqual(2)

    // The window on the farm answers the same figures.
    const { window } = await serveOnFarm(farm.url, { STUDIO_FARM_RETRY_MS: '300' })
    await until(async () => ((await window.call('farm/queue', {})).value as { connected: boolean }).connected, 60_000, 'the window to reach the farm')
    const answered = await window.call('batch/estimate', { source: upload, config: { pipeline: 'text' } })
    expect(answered.error).toBeUndefined()
    expect(answered.value).toEqual(two)

    // The local --estimate's keys, field for field.
    const local = json<BatchEstimate>(await builtStudio(['batch', file, '--pipeline', 'text', '--estimate', '--json'], { STUDIO_DATA_DIR: tempDir('studio-farm-estimate-local-') }))
    expect(Object.keys(two).sort()).toEqual(Object.keys(local).sort())
    expect(local).toMatchObject({ rows: 8, refused: 1, timeUnknown: null, costUsd: two.costUsd })
    // This computer never ran the pipeline: its figure is the pipeline's guesses, not the farm's measures.
    expect(local.workMs).not.toBe(two.workMs)
    // Nothing queued by the estimates: the one batch is the one that ran.
    expect((await farm.user.pool.query('SELECT count(*)::int AS n FROM batches')).rows[0]).toEqual({ n: 1 })
  }, 300_000)
})
