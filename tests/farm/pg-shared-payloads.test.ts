/**
 * Paths in a job's payload (its pipeline's input: a project's media, a batch's image) on a farm
 * whose machines mount the shared data folder in different places: the folder is created once and
 * three symlinks to it play three machines' mounts, as pg-shared-paths.test.ts does for outputs. A
 * window on machine C enqueues a video of a project's picture named under C's mount: the farm stores
 * it relative to the folder, worker B is given it under B's mount (and can open it), a window on
 * A lists it under A's. A file of C outside the folder is refused at enqueue, naming the field;
 * text that merely looks like a path stays text.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { farmInit } from '../../src/main/engine/store/postgres/init'
import { claimOne, leaseStore } from '../helpers/farm-jobs'
import { userMachine } from '../helpers/farm-worker'
import { endPool } from '../helpers/pg-pool'
import { usePostgres } from '../helpers/postgres'

const db = usePostgres()
let pool: pg.Pool
const root = mkdtempSync(join(tmpdir(), 'studio-farm-payload-mounts-'))
const share = join(root, 'share')
const mountA = join(root, 'mnt-studio')
const mountB = join(root, 'srv-share')
const mountC = join(root, 'desktop-share')
mkdirSync(join(share, 'projects', 'p1'), { recursive: true })
writeFileSync(join(share, 'projects', 'p1', 'cover.png'), 'png bytes')
for (const m of [mountA, mountB, mountC]) symlinkSync(share, m, 'dir')
const elsewhere = mkdtempSync(join(tmpdir(), 'studio-farm-payload-local-'))
writeFileSync(join(elsewhere, 'holiday.png'), 'a file of machine C only')
const clock = { now: 1_000_000 }
const machines: Array<ReturnType<typeof userMachine>> = []
const machine = (dataDir: string) => {
  const m = userMachine(db.url, dataDir)
  machines.push(m)
  return m
}

beforeAll(async () => {
  await farmInit(db.url)
  pool = new pg.Pool({ connectionString: db.url, max: 4 })
})
afterAll(async () => {
  for (const m of machines) await endPool(m.pool)
  await endPool(pool)
})

describe('farm: paths in job payloads, across machines that mount the shared folder elsewhere', () => {
  it('a project picture named under the enqueuing machine’s mount is stored relative, and read under each machine’s own', async () => {
    const c = machine(mountC)
    const cover = join(mountC, 'projects', 'p1', 'cover.png')
    const job = await c.store.enqueue({
      type: 'video',
      input: { idea: 'A lighthouse at dusk', assets: [cover], draft: true, captions: 'none', music: false, meta: { note: '/imagine a lighthouse', real: join(share, 'projects', 'p1', 'cover.png') } }
    })
    // C's own view names its own mount.
    expect((job.payload as { assets: string[] }).assets).toEqual([cover])

    // The row names no machine's mount.
    const stored = JSON.parse((await pool.query<{ payload: string }>('SELECT payload FROM jobs WHERE id = $1', [job.id])).rows[0]!.payload)
    expect(stored.assets).toEqual(['studio-data:projects/p1/cover.png'])
    // The real path of the folder (not C's mount) is inside it too; text that names no file stays text.
    expect(stored.meta).toEqual({ note: '/imagine a lighthouse', real: 'studio-data:projects/p1/cover.png' })
    expect(JSON.stringify(stored)).not.toContain(root)

    // Worker B claims it: the step's input holds the picture under B's mount, and B can open it.
    const b = leaseStore(pool, 'worker-b', mountB, clock)
    const claimed = (await claimOne(b, 30_000))!
    expect(claimed.job.id).toBe(job.id)
    const input = claimed.job.payload as { assets: string[]; meta: { note: string; real: string } }
    expect(input.assets).toEqual([join(mountB, 'projects', 'p1', 'cover.png')])
    expect(input.meta.real).toBe(join(mountB, 'projects', 'p1', 'cover.png'))
    expect(input.meta.note).toBe('/imagine a lighthouse')
    expect(readFileSync(input.assets[0]!, 'utf8')).toBe('png bytes')

    // A window on A reads it under A's mount.
    const a = machine(mountA)
    expect(((await a.store.get(job.id))!.payload as { assets: string[] }).assets).toEqual([join(mountA, 'projects', 'p1', 'cover.png')])
    expect(((await a.store.list({})).find((j) => j.id === job.id)!.payload as { assets: string[] }).assets).toEqual([join(mountA, 'projects', 'p1', 'cover.png')])
  })

  it('a file of the enqueuing machine outside the shared folder is refused, naming the field; nothing is queued', async () => {
    const c = machine(mountC)
    const before = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows[0]!.n
    const outside = join(elsewhere, 'holiday.png')
    await expect(c.store.enqueue({ type: 'text', input: { prompt: 'a caption for my holiday', meta: { picture: outside } } })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^input\.meta\.picture: .*holiday\.png.* outside the farm's shared folder/),
      issues: [{ path: ['input', 'meta', 'picture'], code: 'custom', reason: 'farm.outsideShare' }]
    })
    // In a list, the job at fault is named, and none of the list is queued.
    await expect(
      c.store.enqueueMany([
        { type: 'text', input: { prompt: 'a fine caption' } },
        { type: 'text', input: { prompt: 'another caption', meta: { pictures: ['x', outside] } } }
      ])
    ).rejects.toMatchObject({ message: expect.stringMatching(/^jobs\[1\]\.input\.meta\.pictures\[1\]: /), issues: [{ path: ['jobs', 1, 'input', 'meta', 'pictures', 1] }] })
    expect((await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows[0]!.n).toBe(before)
  })
})
