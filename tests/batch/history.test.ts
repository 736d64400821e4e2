import { describe, expect, it } from 'vitest'
import { HISTORY_BUCKETS } from '../../src/main/engine/batch/history'
import { until } from '../helpers/engine'
import { csvFile, useBatchEngine } from './helpers/batches'

/**
 * The dashboard's charts start from BatchView.history after a reload: rows finished at known
 * times (set on the real jobs after a real run) must come back as cumulative points over time.
 */
const open = useBatchEngine()

const T0 = 1_700_000_000_000

async function finishedBatch(rows: number) {
  const { engine, batches, dir } = open()
  const file = csvFile(dir, 'ideas.csv', ['idea', ...Array.from({ length: rows }, (_, i) => `idea ${i + 1}`)])
  const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'three' } })
  batches.start()
  engine.pool.start()
  batches.startBatch(created.id)
  await until(() => batches.view(created.id).status === 'completed', 10_000, 'batch to complete')
  const jobIds = engine.db
    .prepare<[string], { job_id: string }>('SELECT job_id FROM batch_rows WHERE batch_id = ? ORDER BY row_number')
    .all(created.id)
    .map((r) => r.job_id)
  /** Rewrite when each row finished, how, and what it cost. */
  const finish = (i: number, at: number, status: 'completed' | 'failed', cost: number) =>
    engine.db.prepare('UPDATE jobs SET completed_at = ?, status = ?, cost_usd = ? WHERE id = ?').run(at, status, cost, jobIds[i])
  engine.db.prepare('UPDATE batches SET started_at = ? WHERE id = ?').run(T0, created.id)
  return { id: created.id, finish, view: () => batches.view(created.id) }
}

describe('batch history for the dashboard charts', () => {
  it('gives cumulative done, failed and cost at each second from the start to the last finished row', async () => {
    const b = await finishedBatch(4)
    b.finish(0, T0 + 10_000, 'completed', 0.01)
    b.finish(1, T0 + 20_000, 'completed', 0.01)
    b.finish(2, T0 + 50_000, 'failed', 0.02)
    b.finish(3, T0 + 60_000, 'completed', 0.01)
    const view = b.view()
    const at = (t: number) => view.history.find((p) => p.t === t)
    expect(view.history[0]).toEqual({ t: T0, done: 0, failed: 0, costUsd: 0 })
    expect(at(T0 + 9_000)).toMatchObject({ done: 0, failed: 0 })
    expect(at(T0 + 10_000)).toMatchObject({ done: 1, failed: 0 })
    expect(at(T0 + 49_000)).toMatchObject({ done: 2, failed: 0 })
    expect(at(T0 + 50_000)).toMatchObject({ done: 2, failed: 1 })
    const last = view.history.at(-1)!
    expect(last).toMatchObject({ t: T0 + 60_000, done: 3, failed: 1 })
    expect(last.costUsd).toBeCloseTo(0.05)
    // The chart ends where the dashboard's numbers are.
    expect(last).toMatchObject({ done: view.doneRows, failed: view.failedRows })
    expect(view.history.map((p) => p.t)).toEqual([...view.history.map((p) => p.t)].sort((x, y) => x - y))
  })

  it('stays small for a long run: at most one point per bucket, still ending at the totals', async () => {
    const b = await finishedBatch(5)
    const hour = 3_600_000
    for (let i = 0; i < 5; i++) b.finish(i, T0 + (i + 1) * 2 * hour, 'completed', 0)
    const { history } = b.view()
    expect(history.length).toBeLessThanOrEqual(HISTORY_BUCKETS + 1)
    expect(history.length).toBeGreaterThan(HISTORY_BUCKETS / 2)
    expect(history.at(-1)).toMatchObject({ t: T0 + 10 * hour, done: 5, failed: 0 })
    // Points in between rise with the rows: 2 done by the 4-hour mark, not before it.
    const byFour = history.filter((p) => p.t <= T0 + 4 * hour).at(-1)!
    expect(byFour.done).toBe(2)
  })

  it('is empty before any row finished', async () => {
    const { batches, dir } = open()
    const file = csvFile(dir, 'ideas.csv', ['idea', 'one', 'two'])
    const created = await batches.create({ source: { kind: 'file', path: file }, config: { pipeline: 'three' } })
    expect(batches.view(created.id).history).toEqual([])
  })
})
