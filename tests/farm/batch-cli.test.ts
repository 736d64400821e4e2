/**
 * `studio batch … --queue-url` with the built CLI, each command its own process, on a real
 * PostgreSQL farm with real `studio farm worker` processes:
 *  - a sheet read on this machine becomes a batch on the farm that the workers run to completion,
 *    the command following it and printing (--json) the same view, field for field, as the same
 *    sheet run by the local `studio batch` (times and ids aside);
 *  - list, status, pause, resume, stop and retry act on the farm's batch and print its view;
 *  - export writes the local export's columns and rows; --estimate answers from the farm
 *    (tests/farm/batch-estimate.test.ts times it) and queues nothing.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BatchView } from '../../src/shared/types'
import { builtStudio, type StudioRun } from '../helpers/cli'
import { tempDir } from '../helpers/engine'
import { startWorker, useFarm, waitFor, workerId } from '../helpers/farm-worker'

const farm = useFarm()

const onFarm = (...args: string[]) => builtStudio([...args, '--queue-url', farm.url], { STUDIO_DATA_DIR: farm.dataDir })
const json = <T>(r: StudioRun): T => {
  expect(r, r.err).toMatchObject({ code: 0 })
  return JSON.parse(r.out) as T
}

function sheet(rows: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'studio-farm-batch-sheet-')), 'ideas.csv')
  // A ragged row (three cells for two columns) is refused at import, as locally.
  writeFileSync(file, ['prompt,notes', ...rows.map((r) => `${r},x`), 'broken,row,here'].join('\n') + '\n')
  return file
}

/** A view without what differs from run to run (ids, times, durations, the history's times). */
function comparable(v: BatchView) {
  return {
    name: v.name,
    status: v.status,
    source: v.source,
    config: v.config,
    ignoredColumns: v.ignoredColumns,
    totalRows: v.totalRows,
    doneRows: v.doneRows,
    failedRows: v.failedRows,
    invalidRows: v.invalidRows,
    cancelledRows: v.cancelledRows,
    progress: v.progress,
    currentRows: v.currentRows,
    errors: v.errors,
    importing: v.importing,
    lastResult: v.lastResult && { rowNumber: typeof v.lastResult.rowNumber, hasPath: typeof v.lastResult.outputPath, words: typeof v.lastResult.wordCount },
    metrics: { ...v.metrics, avgRowMs: typeof v.metrics.avgRowMs, avgStepMs: Object.keys(v.metrics.avgStepMs) },
    history: v.history.length > 0,
    keys: Object.keys(v).sort()
  }
}

describe('studio batch --queue-url', () => {
  it('creates a batch from a sheet read here; the farm’s workers run it; the command follows it and prints what the local command prints', async () => {
    const file = sheet(['A line about the sea', 'A line about the hills', 'A line about rain', 'A line about wind', 'A line about snow'])
    const localData = tempDir('studio-farm-batch-local-')
    const localRun = await builtStudio(['batch', file, '--pipeline', 'text', '--json'], { STUDIO_DATA_DIR: localData })
    const local = json<BatchView>(localRun)
    expect(local).toMatchObject({ status: 'completed', doneRows: 5, invalidRows: 1 })

    const a = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    const b = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(a, b)
    await Promise.all([workerId(a), workerId(b)])
    const ran = await onFarm('batch', file, '--pipeline', 'text', '--json')
    const remote = json<BatchView>(ran)
    expect(comparable(remote)).toEqual(comparable(local))
    // Every ready row got exactly one job, on the farm.
    const jobs = await farm.user.pool.query<{ n: number; rows: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT r.row_number)::int AS rows FROM jobs j JOIN batch_rows r ON r.job_id = j.id WHERE j.batch_id = $1`,
      [remote.id]
    )
    expect(jobs.rows[0]).toEqual({ n: 5, rows: 5 })
    // Its rows' results read back as the local ones do: a page of the results table, by status too.
    const status = json<BatchView>(await onFarm('batch', 'status', remote.id.slice(0, 8), '--json'))
    expect(comparable(status)).toEqual(comparable(remote))
    const list = json<BatchView[]>(await onFarm('batch', 'list', '--json'))
    expect(list.map((v) => v.id)).toContain(remote.id)
    // The text form, as locally.
    const text = await onFarm('batch', 'status', remote.id)
    expect(text.code).toBe(0)
    expect(text.out).toContain('5/6 done, 0 failed, 1 refused')
    // The export: the same columns and rows as the local one (ids, paths, durations and times aside).
    const exported = async (run: Promise<StudioRun>) => {
      const r = await run
      expect(r.code, r.err).toBe(0)
      // Row, its cells, status, word count, cost, cost known, error: not the job's id, file, duration or time.
      return r.out.split('\r\n').map((line) => line.split(';').filter((_, i) => ![4, 5, 7, 10].includes(i)).join(';'))
    }
    expect(await exported(onFarm('batch', 'export', remote.id, '--delimiter', ';'))).toEqual(await exported(builtStudio(['batch', 'export', local.id, '--delimiter', ';'], { STUDIO_DATA_DIR: localData })))
    const history = await onFarm('batch', 'export', remote.id, '--history')
    expect(history.out.trim().split('\r\n')).toHaveLength(6)
  }, 300_000)

  it('pause, resume, stop and retry act on the farm’s batch; the workers then run what is left', async () => {
    const file = sheet(Array.from({ length: 8 }, (_, i) => `Idea ${i + 1} for a line`))
    // No worker yet: the batch waits on the farm, a few rows queued (the window), the rest ready.
    const created = json<BatchView>(await onFarm('batch', file, '--pipeline', 'text', '--detach', '--json', '--name', 'Eight ideas'))
    expect(created).toMatchObject({ name: 'Eight ideas', status: 'running', totalRows: 9, invalidRows: 1 })
    const queued = async () => (await farm.user.pool.query<{ status: string }>('SELECT status FROM jobs WHERE batch_id = $1', [created.id])).rows.map((r) => r.status)
    expect((await queued()).length).toBeGreaterThan(0)
    expect((await queued()).length).toBeLessThan(8)

    const paused = json<BatchView>(await onFarm('batch', 'pause', created.id.slice(0, 8), '--json'))
    expect(paused.status).toBe('paused')
    expect((await queued()).every((s) => s === 'paused')).toBe(true)
    // Refusals are the local ones.
    const again = await onFarm('batch', 'pause', created.id, '--json')
    expect(again.code).toBe(1)
    expect(JSON.parse(again.err).error).toEqual({ code: 'bad_state', message: 'batch is paused; only a running batch can be paused' })

    expect(json<BatchView>(await onFarm('batch', 'resume', created.id, '--json')).status).toBe('running')
    expect((await queued()).every((s) => s === 'pending')).toBe(true)

    const stopped = json<BatchView>(await onFarm('batch', 'stop', created.id, '--json'))
    expect(stopped.status).toBe('stopped')
    expect(stopped.cancelledRows).toBe((await queued()).length)
    expect((await queued()).every((s) => s === 'cancelled')).toBe(true)

    const retried = json<BatchView>(await onFarm('batch', 'retry', created.id, '--json'))
    expect(retried.status).toBe('running')
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(w)
    const done = await waitFor(
      async () => {
        const v = json<BatchView>(await onFarm('batch', 'status', created.id, '--json'))
        return v.status === 'completed' ? v : null
      },
      240_000,
      'the batch to complete',
      w.output
    )
    expect(done).toMatchObject({ doneRows: 8, failedRows: 0, cancelledRows: 0, invalidRows: 1 })
    expect(done.finishedAt).not.toBeNull()
    const jobs = await farm.user.pool.query<{ n: number; rows: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT r.row_number)::int AS rows FROM jobs j JOIN batch_rows r ON r.job_id = j.id WHERE j.batch_id = $1`,
      [created.id]
    )
    expect(jobs.rows[0]).toEqual({ n: 8, rows: 8 })
  }, 300_000)

  it('--estimate answers on the farm and queues nothing; a sheet that cannot be read leaves no batch', async () => {
    const count = async () => (await farm.user.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM batches')).rows[0]!.n
    const before = await count()
    const r = await onFarm('batch', sheet(['A line about the sea']), '--pipeline', 'text', '--estimate', '--json')
    expect(r, r.err).toMatchObject({ code: 0 })
    expect(JSON.parse(r.out)).toMatchObject({ pipeline: 'text', rows: 1, refused: 1 })
    expect(await count()).toBe(before)
    const empty = join(tempDir('studio-farm-batch-empty-'), 'empty.csv')
    writeFileSync(empty, 'prompt\n')
    const refused = await onFarm('batch', empty, '--pipeline', 'text', '--json')
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.err).error).toEqual({ code: 'bad_request', message: 'empty.csv has no data rows (only a header row)' })
    expect((await farm.user.pool.query('SELECT id FROM batches WHERE name = $1', ['empty.csv'])).rows).toEqual([])
  }, 120_000)

  it('following a batch with no live worker says so; a stop from another machine ends the follow', async () => {
    const file = sheet(['Waiting line one', 'Waiting line two'])
    const following = builtStudio(['batch', file, '--pipeline', 'text', '--name', 'Waiting', '--queue-url', farm.url], { STUDIO_DATA_DIR: farm.dataDir })
    const id = await waitFor(
      async () => (await farm.user.pool.query<{ id: string }>("SELECT id FROM batches WHERE name = 'Waiting' AND status = 'running'")).rows[0]?.id,
      60_000,
      'the batch to start on the farm'
    )
    json(await onFarm('batch', 'stop', id, '--json'))
    const ran = await following
    expect(ran.err).toContain('studio: no worker is running on the farm: the batch waits until one starts (studio farm worker)')
    // Stopped with rows cancelled: the command ends, as a local batch's does, with exit code 1.
    expect(ran.code).toBe(1)
    expect(ran.out).toMatch(/status\s+stopped/)
  }, 120_000)

  it('a row naming a file of this machine outside the shared folder is refused; one inside it is stored relative to it', async () => {
    const outside = join(tempDir('studio-farm-batch-outside-'), 'notes.txt')
    writeFileSync(outside, 'mine only\n')
    const inside = join(farm.dataDir, 'media', 'notes.txt')
    mkdirSync(join(farm.dataDir, 'media'), { recursive: true })
    writeFileSync(inside, 'everyone reads this\n')
    const file = join(tempDir('studio-farm-batch-paths-'), 'paths.csv')
    writeFileSync(file, `prompt\n${outside}\n${inside}\n`)
    const v = json<BatchView>(await onFarm('batch', file, '--pipeline', 'text', '--detach', '--json'))
    expect(v.errors).toEqual([
      { rowNumber: 2, reason: `row 2: prompt: ${outside} is not inside the farm's shared folder ${farm.dataDir}: the workers cannot read it (copy it there)`, jobId: null }
    ])
    const rows = await farm.user.pool.query<{ row_number: number; state: string; input: string | null }>(
      'SELECT row_number, state, input FROM batch_rows WHERE batch_id = $1 ORDER BY row_number',
      [v.id]
    )
    expect(rows.rows.map((r) => [r.row_number, r.state])).toEqual([
      [2, 'invalid'],
      [3, 'queued']
    ])
    expect(JSON.parse(rows.rows[1]!.input!)).toMatchObject({ prompt: 'studio-data:media/notes.txt' })
    json(await onFarm('batch', 'stop', v.id, '--json'))
  }, 120_000)
})
