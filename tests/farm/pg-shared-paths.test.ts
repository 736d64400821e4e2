/**
 * Paths inside a step's output and a job's result on a farm whose machines mount the shared data
 * folder in different places: the folder is created once and two symlinks to it play the two
 * machines' mounts. Worker A finishes the first step, its lease runs out, worker B takes the job
 * over: the step B runs next must receive the first step's paths under B's mount; a window on a
 * third machine (a PgJobStore, the relay) sees the result under its own.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventBus } from '../../src/main/engine/events'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { relayFarmChanges } from '../../src/main/engine/store/postgres/job-relay'
import { markWindowClosed, markWindowOpen } from '../../src/main/engine/store/postgres/windows'
import type { EngineEvent, JobView } from '../../src/shared/types'
import { addJob, claimOne, commit, held, leaseStore, success } from '../helpers/farm-jobs'
import { userMachine, waitFor } from '../helpers/farm-worker'
import { endPool } from '../helpers/pg-pool'
import { usePostgres } from '../helpers/postgres'

const db = usePostgres()
let pool: pg.Pool
const root = mkdtempSync(join(tmpdir(), 'studio-farm-mounts-'))
const share = join(root, 'share')
const mountA = join(root, 'mnt-studio')
const mountB = join(root, 'srv-share')
const mountC = join(root, 'desktop-share')
mkdirSync(share)
for (const m of [mountA, mountB, mountC]) symlinkSync(share, m, 'dir')
const clock = { now: 1_000_000 }
const LEASE = 30_000

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 4 })
})
afterAll(async () => {
  await endPool(pool)
})

/** A file a step writes, through the mount of the machine running it. */
function writeThrough(path: string, content: string): string {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, content)
  return path
}

describe('farm: paths in outputs and results, across machines that mount the shared folder elsewhere', () => {
  it('the worker taking a job over reads the previous step’s paths under its own mount; windows read the result under theirs', async () => {
    await addJob(pool, 'moved', [{ name: 'images', resource: 'image' }, { name: 'render', resource: 'ffmpeg' }])
    const a = leaseStore(pool, 'worker-a', mountA, clock)
    const b = leaseStore(pool, 'worker-b', mountB, clock)

    const first = (await claimOne(a, LEASE))!
    expect(first.lease.jobId).toBe('moved')
    const image = writeThrough(join(mountA, 'jobs', 'moved', 'images.w', '1.png'), 'png bytes')
    const outside = '/opt/fonts/caption.ttf'
    const data = { images: [image], font: outside, prompt: 'A lighthouse at dusk', note: 'studio-data:not a path' }
    await commit(a, a.completeStep(first.lease, held(first.steps[0]!), success(mountA, 'moved', 'images', { data }), { resource: 'ffmpeg', step: 'render', jobProgress: 50 }))

    // Stored relative to the folder, in its marked form: no machine's mount in the row.
    const stored = await pool.query<{ output: string }>("SELECT output FROM steps WHERE job_id = 'moved' AND idx = 0")
    expect(JSON.parse(stored.rows[0]!.output)).toEqual({
      images: ['studio-data:jobs/moved/images.w/1.png'],
      font: outside,
      prompt: 'A lighthouse at dusk',
      note: 'studio-text:studio-data:not a path'
    })

    // Worker A is gone (its lease ran out); B takes the job over and is given the images under its mount.
    clock.now += LEASE + 1
    expect(await b.reclaimAbandoned()).toEqual(['moved'])
    const second = (await claimOne(b, LEASE))!
    expect(second.lease.jobId).toBe('moved')
    const previous = second.steps[0]!.output as typeof data
    expect(previous).toEqual({ images: [join(mountB, 'jobs', 'moved', 'images.w', '1.png')], font: outside, prompt: 'A lighthouse at dusk', note: 'studio-data:not a path' })
    expect(readFileSync(previous.images[0]!, 'utf8')).toBe('png bytes')

    // A window on a third machine, listening before the job completes.
    const desktop = userMachine(db.url, mountC)
    const seen: EngineEvent[] = []
    const events = new EventBus()
    events.subscribe((e) => seen.push(e))
    // An open window: the database announces the workers' status changes (migration 6).
    await markWindowOpen(desktop.pool, 'desktop')
    const relay = await relayFarmChanges({ url: db.url, pool: desktop.pool, events, dataDir: mountC, ownOrigin: desktop.store.origin })
    try {
      const video = writeThrough(join(mountB, 'jobs', 'moved', 'render.w', 'out.mp4'), 'mp4 bytes')
      const done = await commit(b, b.completeStep(second.lease, held(second.steps[1]!), success(mountB, 'moved', 'render', { data: { video } }), { resource: null, jobProgress: 100, jobResult: { video, images: previous.images } }))
      // The worker's own view of what it wrote: its mount.
      expect(done.result).toEqual({ video, images: previous.images })
      const raw = await pool.query<{ result: string }>("SELECT result FROM jobs WHERE id = 'moved'")
      expect(JSON.parse(raw.rows[0]!.result)).toEqual({ video: 'studio-data:jobs/moved/render.w/out.mp4', images: ['studio-data:jobs/moved/images.w/1.png'] })

      const underC = { video: join(mountC, 'jobs', 'moved', 'render.w', 'out.mp4'), images: [join(mountC, 'jobs', 'moved', 'images.w', '1.png')] }
      const detail = (await desktop.store.get('moved'))!
      expect(detail.result).toEqual(underC)
      expect(detail.steps.map((s) => s.output)).toEqual([{ ...data, images: underC.images }, { video: underC.video }])
      expect((await desktop.store.list({})).find((j) => j.id === 'moved')!.result).toEqual(underC)
      expect((await desktop.store.require('moved')).result).toEqual(underC)
      expect(existsSync(underC.video)).toBe(true)

      const relayed = await waitFor(
        () => [...seen].reverse().find((e): e is Extract<EngineEvent, { type: 'job.changed' }> => e.type === 'job.changed' && e.job.id === 'moved' && e.job.status === 'completed')?.job,
        20_000,
        'the completion to be relayed'
      )
      expect((relayed as JobView).result).toEqual(underC)
    } finally {
      await relay.close()
      await markWindowClosed(desktop.pool, 'desktop')
      await endPool(desktop.pool)
    }
  })

  it('a hostile stored form in a row is shown as stored, never followed out of the folder', async () => {
    await addJob(pool, 'hostile', [{ name: 'one', resource: 'cpu' }, { name: 'two', resource: 'cpu' }])
    const hostile = { a: 'studio-data:../../../etc/passwd', b: 'studio-data:/etc/passwd', c: 'studio-data:jobs/ok.png' }
    await pool.query("UPDATE steps SET status = 'completed', output = $1 WHERE job_id = 'hostile' AND idx = 0", [JSON.stringify(hostile)])
    await pool.query("UPDATE jobs SET next_resource = 'cpu', next_needs = '{}' WHERE id = 'hostile'")
    const c = leaseStore(pool, 'worker-c', mountB, clock)
    const claimed = (await claimOne(c, LEASE))!
    expect(claimed.lease.jobId).toBe('hostile')
    expect(claimed.steps[0]!.output).toEqual({ ...hostile, c: join(mountB, 'jobs', 'ok.png') })
  })
})
