/**
 * A batch moved by `studio farm push` runs its remaining rows on the farm: a local batch with some
 * rows done here and the rest ready, paused, pushed (the built CLI), resumed with `studio batch
 * resume --queue-url`; a real `studio farm worker` runs the rest, each remaining row exactly once,
 * the rows done here never again, and the batch ends completed with every row counted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStudio } from '../../src/main/engine/studio'
import type { BatchView } from '../../src/shared/types'
import { builtStudio } from '../helpers/cli'
import { tempDir, until } from '../helpers/engine'
import { startWorker, useFarm, waitFor } from '../helpers/farm-worker'

const farm = useFarm()

describe('a pushed batch on the farm', () => {
  it('is resumed with --queue-url and its remaining rows run on the farm, each once', async () => {
    const localDir = tempDir('studio-batch-push-')
    const s = openStudio({ dataDir: localDir, concurrency: 1, env: {}, timings: { leaseMs: 5_000, pollMs: 25, reclaimEveryMs: 200, progressIntervalMs: 100 } })
    const sheet = join(mkdtempSync(join(tmpdir(), 'studio-batch-push-sheet-')), 'ideas.csv')
    writeFileSync(sheet, ['prompt', ...Array.from({ length: 8 }, (_, i) => `Idea ${i + 1} for a line`)].join('\n') + '\n')
    let batch: BatchView
    try {
      batch = await s.batches.create({ source: { kind: 'file', path: sheet }, config: { pipeline: 'text' } })
      await until(() => s.batches.view(batch.id).totalRows === 8, 30_000, 'the batch to import')
      // Two rows run here, then the batch is paused at once (a running batch stays here).
      let finished = 0
      const off = s.events.on('job.changed', (e) => {
        if (e.job.batchId === batch.id && e.job.status === 'completed' && ++finished === 2) s.batches.pause(batch.id)
      })
      s.batches.startBatch(batch.id)
      s.startWork()
      await until(() => s.batches.view(batch.id).status === 'paused', 60_000, 'two rows to finish here')
      off()
      await until(() => s.queue.list({ status: 'processing' }).length === 0, 60_000, 'the running rows to settle')
    } finally {
      await s.close(1_000)
    }
    const doneHere = (await (async () => {
      const again = openStudio({ dataDir: localDir, concurrency: 1, env: {} })
      try {
        return again.batches.view(batch!.id).doneRows
      } finally {
        await again.close(0)
      }
    })())
    expect(doneHere).toBeGreaterThanOrEqual(2)

    const pushed = await builtStudio(['--json', 'farm', 'push', '--data-dir', localDir, '--farm-data-dir', farm.dataDir], { STUDIO_QUEUE_URL: farm.url })
    expect(JSON.parse(pushed.out), pushed.err).toMatchObject({ batches: 1, batchRows: 8 })
    const onFarm = (...args: string[]) => builtStudio([...args, '--queue-url', farm.url, '--json'], { STUDIO_DATA_DIR: farm.dataDir })
    const status = JSON.parse((await onFarm('batch', 'status', batch!.id)).out) as BatchView
    expect(status).toMatchObject({ status: 'paused', doneRows: doneHere, totalRows: 8 })

    const resumed = await onFarm('batch', 'resume', batch!.id)
    expect(resumed.code, resumed.err).toBe(0)
    const w = startWorker(farm.url, farm.dataDir, { concurrency: 2 })
    farm.workers.push(w)
    const done = await waitFor(
      async () => {
        const v = JSON.parse((await onFarm('batch', 'status', batch!.id)).out) as BatchView
        return v.status === 'completed' ? v : null
      },
      240_000,
      'the pushed batch to complete on the farm',
      w.output
    )
    expect(done).toMatchObject({ doneRows: 8, failedRows: 0, cancelledRows: 0, progress: 100 })
    // Each row has one job; the rows done here were not run again on the farm (no worker ran a step of theirs).
    const rows = await farm.user.pool.query<{ row_number: number; job_id: string; worker: string | null }>(
      `SELECT r.row_number, r.job_id, (SELECT max(s.worker_id) FROM steps s WHERE s.job_id = r.job_id) AS worker
         FROM batch_rows r WHERE r.batch_id = $1 ORDER BY r.row_number`,
      [batch!.id]
    )
    expect(new Set(rows.rows.map((r) => r.job_id)).size).toBe(8)
    expect(rows.rows.filter((r) => r.worker === null)).toHaveLength(doneHere)
    const jobs = await farm.user.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE batch_id = $1', [batch!.id])
    expect(jobs.rows[0]!.n).toBe(8)
  }, 300_000)
})
