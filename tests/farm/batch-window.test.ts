/**
 * The Batches page on a farm: a window of `studio serve --queue-url` (the real built CLI, a client
 * of its WebSocket as the page is) creates a batch from a dropped sheet, lists it, pages its rows
 * and drives it on the farm; a real `studio farm worker` runs it, and the window hears the batch
 * change (`batch.changed`) up to its completion. A batch another machine creates and pauses is
 * heard too, its reset (which changes no job) by the batches' own notice. Its export and removal
 * are the farm's too.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BatchRowsPage, BatchView } from '../../src/shared/types'
import { builtStudio } from '../helpers/cli'
import { tempDir, until } from '../helpers/engine'
import { startWorker, useFarm } from '../helpers/farm-worker'
import { useServeOnFarm, type FarmWindow } from '../helpers/serve-farm'

const farm = useFarm()
const serveOnFarm = useServeOnFarm(() => farm.dataDir)

const heard = (window: FarmWindow, id: string, status: BatchView['status']) =>
  window.events.find((e) => e.type === 'batch.changed' && e.batch.id === id && e.batch.status === status)

describe('the Batches page on a farm', () => {
  it('creates, lists, pages and drives the farm’s batches; hears them change up to their completion', async () => {
    const { window } = await serveOnFarm(farm.url, { STUDIO_FARM_RETRY_MS: '300' })
    await until(async () => ((await window.call('farm/queue', {})).value as { connected: boolean }).connected, 60_000, 'the window to reach the farm')

    const csv = 'prompt\nA line about the sea\nA line about the hills\nA line about rain\n\n'
    const created = await window.call('batch/create', {
      source: { kind: 'upload', name: 'lines.csv', contentBase64: Buffer.from(csv).toString('base64') },
      config: { pipeline: 'text' }
    })
    expect(created.error).toBeUndefined()
    const batch = created.value as BatchView
    expect(batch).toMatchObject({ name: 'lines.csv', status: 'running', totalRows: 3 })
    expect(((await window.call('batch/list', {})).value as BatchView[]).map((b) => b.id)).toEqual([batch.id])
    expect(((await window.call('batch/get', { id: batch.id })).value as BatchView).id).toBe(batch.id)

    // Paused and resumed from the window, on the farm.
    expect(((await window.call('batch/pause', { id: batch.id })).value as BatchView).status).toBe('paused')
    expect((await farm.user.pool.query('SELECT status FROM batches WHERE id = $1', [batch.id])).rows[0]).toEqual({ status: 'paused' })
    await until(() => heard(window, batch.id, 'paused'), 30_000, 'the window to hear the pause')
    expect(((await window.call('batch/resume', { id: batch.id })).value as BatchView).status).toBe('running')

    farm.workers.push(startWorker(farm.url, farm.dataDir, { concurrency: 2 }))
    const done = await until(() => heard(window, batch.id, 'completed'), 240_000, 'the window to hear the batch complete')
    expect(done.type === 'batch.changed' && done.batch).toMatchObject({ doneRows: 3, failedRows: 0, progress: 100 })

    const page = (await window.call('batch/rows', { id: batch.id, status: 'completed' })).value as BatchRowsPage
    expect(page.total).toBe(3)
    expect(page.counts).toEqual({ completed: 3 })
    expect(page.rows.map((r) => [r.rowNumber, r.main, r.status])).toEqual([
      [2, 'A line about the sea', 'completed'],
      [3, 'A line about the hills', 'completed'],
      [4, 'A line about rain', 'completed']
    ])
    // Each row's file, under this machine's mount of the shared folder.
    for (const r of page.rows) expect(r.outputPath?.startsWith(farm.dataDir)).toBe(true)

    const exported = await window.call('batch/export', { id: batch.id })
    expect(exported.error).toBeUndefined()
    const { fileName, csv: results } = exported.value as { fileName: string; csv: string }
    expect(fileName).toBe('lines.csv-results.csv')
    expect(results.split('\r\n').slice(0, 2)).toEqual([
      '\uFEFFrow,prompt,status,job_id,output,word_count,duration_ms,cost_usd,cost_known,finished_at,error',
      expect.stringMatching(/^2,A line about the sea,completed,/)
    ])
    // Removed from the window: gone from the farm with its rows; its finished jobs stay as history.
    expect((await window.call('batch/remove', { id: batch.id })).ok).toBe(true)
    expect((await farm.user.pool.query('SELECT count(*)::int AS n FROM batch_rows WHERE batch_id = $1', [batch.id])).rows[0]).toEqual({ n: 0 })
    expect(((await window.call('batch/list', {})).value as BatchView[]).map((b) => b.id)).toEqual([])
  }, 300_000)

  it('hears a batch another machine creates and pauses', async () => {
    const { window } = await serveOnFarm(farm.url, { STUDIO_FARM_RETRY_MS: '300' })
    await until(async () => ((await window.call('farm/queue', {})).value as { connected: boolean }).connected, 60_000, 'the window to reach the farm')
    const file = join(tempDir('studio-farm-window-sheet-'), 'other.csv')
    writeFileSync(file, 'prompt\nOne\nTwo\n')
    const other = (args: string[]) => builtStudio([...args, '--json'], { STUDIO_QUEUE_URL: farm.url, STUDIO_DATA_DIR: farm.dataDir })
    const run = await other(['batch', file, '--pipeline', 'text', '--detach'])
    expect(run.code, run.err).toBe(0)
    const id = (JSON.parse(run.out) as BatchView).id
    await until(() => heard(window, id, 'running'), 30_000, 'the window to hear the new batch')
    expect((await other(['batch', 'pause', id])).code).toBe(0)
    await until(() => heard(window, id, 'paused'), 30_000, 'the window to hear the pause')
    expect((await other(['batch', 'stop', id])).code).toBe(0)
    await until(() => heard(window, id, 'stopped'), 30_000, 'the window to hear the stop')
    // A reset changes no job (the stop cancelled them all): the batches' own notice tells the window.
    expect((await other(['batch', 'reset', id])).code).toBe(0)
    await until(() => heard(window, id, 'idle'), 30_000, 'the window to hear the reset')
  }, 120_000)
})
