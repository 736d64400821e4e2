/**
 * The app and the CLI share one data folder. What the CLI commits must show in the app as it
 * happens: the jobs it adds, the queue it pauses. Two engines on one SQLite file, as two
 * processes would be (each its own connection).
 */
import { describe, expect, it } from 'vitest'
import type { EngineEvent } from '../../src/shared/types'
import { closeAfterEach } from '../helpers/closing'
import { openTestEngine, tempDir, until } from '../helpers/engine'

const track = closeAfterEach()

describe('changes made by another process', () => {
  it('reach this engine as events: jobs added and changed, the queue paused and resumed', async () => {
    const dir = tempDir()
    const app = track(openTestEngine({}, dir), (e) => e.close(100))
    const cli = track(openTestEngine({}, dir), (e) => e.close(100))
    const seen: EngineEvent[] = []
    app.events.subscribe((e) => seen.push(e))
    app.pool.start()

    cli.queue.setQueuePaused(true)
    await until(() => seen.some((e) => e.type === 'queue.changed' && e.paused), 3_000, 'the pause to be seen')

    const added = cli.queue.enqueue({ type: 'one', input: { label: 'from the cli' }, priority: 3 })
    await until(() => seen.some((e) => e.type === 'job.changed' && e.job.id === added.id && e.job.priority === 3), 3_000, 'the new job')

    cli.queue.setPriority(added.id, 1)
    await until(() => seen.some((e) => e.type === 'job.changed' && e.job.id === added.id && e.job.priority === 1), 3_000, 'its new priority')

    cli.queue.setQueuePaused(false)
    await until(() => seen.some((e) => e.type === 'queue.changed' && !e.paused), 3_000, 'the resume to be seen')
    // This engine's pool runs it, and says so.
    await until(() => seen.some((e) => e.type === 'job.changed' && e.job.id === added.id && e.job.status === 'completed'), 5_000, 'the job to run')

    // Deleted there: its row is gone, the note its deletion left is what this engine sees.
    cli.queue.remove(added.id)
    await until(() => seen.some((e) => e.type === 'job.removed' && e.jobId === added.id), 3_000, 'the deletion to be seen')
  })

  it('a cleanup elsewhere: every job it deleted is announced here', async () => {
    const dir = tempDir()
    const app = track(openTestEngine({}, dir), (e) => e.close(100))
    const cli = track(openTestEngine({}, dir), (e) => e.close(100))
    const ids = cli.queue.enqueueMany(Array.from({ length: 30 }, (_, i) => ({ type: 'one', input: { label: `old ${i}` } }))).map((j) => j.id)
    for (const id of ids) cli.queue.cancel(id)
    const removed = new Set<string>()
    app.events.on('job.removed', (e) => removed.add(e.jobId))
    app.pool.start()
    expect(cli.queue.cleanup({ olderThanMs: -1_000 })).toBe(30)
    await until(() => removed.size === 30, 3_000, 'every deletion to be seen')
    expect([...removed].sort()).toEqual([...ids].sort())
  })

  it("are looked for only when another connection committed: this engine's own writes are not announced twice", async () => {
    const app = track(openTestEngine(), (e) => e.close(100))
    app.queue.setQueuePaused(true)
    app.pool.start()
    app.queue.enqueue({ type: 'one', input: {} })
    const seen: EngineEvent[] = []
    app.events.subscribe((e) => seen.push(e))
    app.pool.external.look()
    expect(seen).toEqual([])
  })
})

describe('a batch created by another process', () => {
  it('is announced by this engine too', async () => {
    const { BatchManager } = await import('../../src/main/engine/batch/manager')
    const { csvFile, labelledRows } = await import('../batch/helpers/batches')
    const dir = tempDir()
    const app = track(openTestEngine({}, dir), (e) => e.close(100))
    const cli = track(openTestEngine({}, dir), (e) => e.close(100))
    const appBatches = track(new BatchManager(app), (b) => b.stop())
    const cliBatches = track(new BatchManager(cli), (b) => b.stop())
    const seen: EngineEvent[] = []
    app.events.subscribe((e) => seen.push(e))
    appBatches.start()
    app.pool.start()
    const created = await cliBatches.create({ source: { kind: 'file', path: csvFile(dir, 'rows.csv', labelledRows('c', 3)) }, config: { pipeline: 'one' } })
    await until(() => seen.some((e) => e.type === 'batch.changed' && e.batch.id === created.id), 3_000, 'the batch to be announced')
  })
})
