/**
 * A worker's relay (job-relay.ts with `only`): it turns into events only what concerns the jobs it
 * runs — their cancels and removals — and every pause of the queue, whatever else a notice names.
 * Without it each worker would read and announce every job of a bulk enqueue: one read per job per
 * worker.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { EventBus } from '../../src/main/engine/events'
import { stepNeeds } from '../../src/main/engine/farm/capabilities'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { relayFarmChanges } from '../../src/main/engine/store/postgres/job-relay'
import { PgJobStore } from '../../src/main/engine/store/postgres/jobs'
import type { EngineEvent } from '../../src/shared/types'
import { tempDir, until } from '../helpers/engine'
import { usePostgres } from '../helpers/postgres'
import { testPipelines } from '../helpers/test-pipelines'

const database = usePostgres()
let pool: pg.Pool
let store: PgJobStore

beforeAll(async () => {
  await farmInit(database.url)
  pool = new pg.Pool({ connectionString: database.url, max: 4 })
  pool.on('error', () => undefined)
  const dataDir = tempDir('studio-farm-')
  store = new PgJobStore({ pool, events: new EventBus(), pipelines: testPipelines(), dataDir, artifactsRoot: `${dataDir}/jobs`, stepNeeds })
})
afterAll(async () => {
  await pool.end()
})

const one = (title: string) => ({ type: 'one', input: {}, title })

it("a worker's relay announces only its own jobs' changes and removals, and every pause", async () => {
  const seen: EngineEvent[] = []
  const events = new EventBus()
  events.subscribe((e) => seen.push(e))
  const running: string[] = []
  const relay = await relayFarmChanges({ url: database.url, pool, events, dataDir: tempDir('studio-farm-'), ownOrigin: 'the worker', only: () => running })
  try {
    // A bulk enqueue's notice names no job (`all`): nothing of it concerns a worker running none.
    await store.enqueueMany(Array.from({ length: 300 }, (_, i) => one(`bulk ${i}`)))
    const [mine, other] = await store.enqueueMany([one('mine'), one('other')])
    running.push(mine!.id)
    await store.cancel(other!.id)
    await store.cancel(mine!.id)
    await until(() => seen.some((e) => e.type === 'job.changed' && e.job.id === mine!.id && e.job.status === 'cancelled'), 20_000, 'the cancel of the job it runs')
    await store.remove(other!.id)
    await store.remove(mine!.id)
    await store.setQueuePaused(true)
    await until(() => seen.some((e) => e.type === 'queue.changed'), 20_000, 'the pause')
    // Its own job only (once or twice: the enqueue's notice may be read after it was taken on).
    expect([...new Set(seen.filter((e) => e.type === 'job.changed').map((e) => e.type === 'job.changed' && e.job.id))]).toEqual([mine!.id])
    expect(seen.filter((e) => e.type === 'job.removed')).toEqual([{ type: 'job.removed', jobId: mine!.id }])
    expect(seen.at(-1)).toEqual({ type: 'queue.changed', paused: true })
    // A notice naming every job (`all`) while it runs one: only that one is read.
    const [third] = await store.enqueueMany([one('third')])
    running.push(third!.id)
    await store.enqueueMany(Array.from({ length: 300 }, (_, i) => one(`more ${i}`)))
    await store.setQueuePaused(false)
    await until(() => seen.filter((e) => e.type === 'queue.changed').length === 2, 20_000, 'the resume')
    const changed = seen.filter((e) => e.type === 'job.changed').map((e) => (e.type === 'job.changed' ? e.job.title : ''))
    expect(changed.filter((t) => t.startsWith('bulk ') || t.startsWith('more ') || t === 'other')).toEqual([])
  } finally {
    await relay.close()
    await store.setQueuePaused(false)
  }
})
