/**
 * `studio serve --queue-url`: the page's WebSocket (as the built UI uses it) on a farm's queue, a
 * real `studio farm worker` running a long music job: the window's push events carry the job's
 * progress moving through intermediate values and its current step while it runs, not only its
 * start and end.
 */
import { describe, expect, it } from 'vitest'
import type { EngineEvent, JobView } from '../../src/shared/types'
import { until } from '../helpers/engine'
import { startWorker, useFarm } from '../helpers/farm-worker'
import { useServeOnFarm } from '../helpers/serve-farm'

const farm = useFarm()
const serveOnFarm = useServeOnFarm(() => farm.dataDir)

/** `studio serve` on the farm, and the push events its page receives once it is on the farm. */
async function windowOnFarm(): Promise<EngineEvent[]> {
  const { window } = await serveOnFarm(farm.url)
  // The window is on the farm once it has said so (its row in farm_windows written before it listens).
  await until(async () => (await farm.user.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM farm_windows')).rows[0]!.n > 0, 60_000, 'the window to reach the farm')
  return window.events
}

const views = (events: EngineEvent[], id: string): JobView[] => events.flatMap((e) => (e.type === 'job.changed' && e.job.id === id ? [e.job] : []))

describe('studio serve --queue-url: a farm job’s progress', () => {
  it('reaches the window while a farm worker runs it', async () => {
    const events = await windowOnFarm()
    farm.workers.push(startWorker(farm.url, farm.dataDir, { concurrency: 1 }))
    // Ten to twenty seconds of offline synthesis (the longest track allowed), reporting its progress as it goes.
    const job = await farm.user.store.enqueue({ type: 'music', input: { mood: 'slow harbour waltz', durationSec: 600 } })
    await until(() => views(events, job.id).some((j) => j.status === 'completed'), 240_000, 'the window to hear the job complete')
    const running = views(events, job.id).filter((j) => j.status === 'processing')
    const intermediate = new Set(running.filter((j) => j.progress > 0 && j.progress < 100).map((j) => j.progress))
    expect(intermediate.size, `progress the window saw: ${[...intermediate].join(', ')}`).toBeGreaterThanOrEqual(2)
    expect(running.some((j) => j.currentStep === 'generate')).toBe(true)
  }, 300_000)
})
