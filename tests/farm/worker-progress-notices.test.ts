/**
 * A job's progress on a farm worker reaches the windows open on the farm: a real `studio farm
 * worker` runs a music job (the offline synthesizer, which reports its progress for several
 * seconds on a long track) while a window (FarmQueue, as `studio serve --queue-url` and the desktop
 * use) listens; the window sees the job's progress move through intermediate values before it
 * completes, at most about one notice per job per second. With no window open, the worker sends no
 * progress notice at all (heard on the channel directly).
 */
import { describe, expect, it } from 'vitest'
import { FarmQueue } from '../../src/main/engine/farm/farm-queue'
import { FARM_PROGRESS_ORIGIN, listenForJobChanges, type FarmJobNotice } from '../../src/main/engine/store/postgres/job-events'
import type { JobView } from '../../src/shared/types'
import { startWorker, useFarm, waitFor, workerId } from '../helpers/farm-worker'

const farm = useFarm()

/** Ten to twenty seconds of synthesis (the longest track allowed), reporting progress as it goes. */
const longTrack = (mood: string) => ({ type: 'music', input: { mood, durationSec: 600 } })

const status = async (id: string) => (await farm.user.pool.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [id])).rows[0]?.status

describe('a farm worker announces its jobs’ progress to open windows', () => {
  it('a window sees a running job’s progress move, at most about once a second per job', async () => {
    const window = new FarmQueue({ url: farm.url, dataDir: farm.dataDir })
    const seen: JobView[] = []
    window.events.on('job.changed', (e) => seen.push(e.job))
    const notices: Array<{ at: number; notice: FarmJobNotice }> = []
    const channel = await listenForJobChanges(farm.url, (notice) => notices.push({ at: Date.now(), notice }))
    try {
      await window.listen()
      expect(window.state().connected).toBe(true)
      const w = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
      farm.workers.push(w)
      await workerId(w)
      const job = await farm.user.store.enqueue(longTrack('calm piano'))
      await waitFor(async () => (await status(job.id)) === 'completed', 240_000, 'the music job to complete', w.output)
      await waitFor(() => seen.some((j) => j.id === job.id && j.status === 'completed'), 30_000, 'the window to hear the completion', w.output)
      const intermediate = new Set(seen.filter((j) => j.id === job.id && j.status === 'processing' && j.progress > 0 && j.progress < 100).map((j) => j.progress))
      expect(intermediate.size, `progress the window saw: ${[...intermediate].join(', ')}`).toBeGreaterThanOrEqual(2)
      // The step the job is at comes with it.
      expect(seen.some((j) => j.id === job.id && j.status === 'processing' && j.currentStep === 'generate')).toBe(true)
      // Throttled: the worker's progress notices naming this job come at least about a second apart.
      const times = notices.filter((n) => n.notice.origin === FARM_PROGRESS_ORIGIN && n.notice.changed?.includes(job.id)).map((n) => n.at)
      expect(times.length).toBeGreaterThanOrEqual(2)
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(800)
    } finally {
      await channel.close()
      await window.close()
    }
  }, 300_000)

  it('with no window open, the worker sends no progress notice', async () => {
    const notices: FarmJobNotice[] = []
    const channel = await listenForJobChanges(farm.url, (notice) => notices.push(notice))
    try {
      expect((await farm.user.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM farm_windows')).rows[0]!.n).toBe(0)
      const w = startWorker(farm.url, farm.dataDir, { concurrency: 1 })
      farm.workers.push(w)
      await workerId(w)
      const job = await farm.user.store.enqueue(longTrack('quiet strings'))
      // The job did report progress (stored), so a notice would have had something to say.
      await waitFor(async () => {
        const { rows } = await farm.user.pool.query<{ progress: number }>("SELECT progress FROM jobs WHERE id = $1 AND status = 'processing'", [job.id])
        return rows[0] && rows[0].progress > 0
      }, 240_000, 'the job to report progress', w.output)
      await waitFor(async () => (await status(job.id)) === 'completed', 240_000, 'the music job to complete', w.output)
      // A marker sent after the job's end proves the listener was hearing all along.
      await farm.user.pool.query(`SELECT pg_notify('studio_farm_jobs', '{"origin":"marker"}')`)
      await waitFor(() => notices.some((n) => n.origin === 'marker'), 20_000, 'the marker')
      expect(notices.filter((n) => n.origin === FARM_PROGRESS_ORIGIN)).toEqual([])
    } finally {
      await channel.close()
    }
  }, 300_000)
})
