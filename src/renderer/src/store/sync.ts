/**
 * Keeps the store in step with the engine: push events subscribed once at boot, buffered and
 * applied together at most ten times a second, on an animation frame (a thousand progress ticks
 * and a hundred finished jobs become one render), and snapshots
 * loaded at start and after every reconnection. Nothing is polled: the derived figures (stats,
 * ETA, pool, provider health) arrive as `queue.summary` events, pushed by the engine.
 */
import type { PushEvent, StudioApi } from '../../../shared/contract'
import type { Connection } from '../api/connection'
import { call } from '../api/context'
import type { studioStore as StoreType } from './index'
import { errorText } from '../api/error-text'
import { translate } from '../i18n'

type Store = typeof StoreType

export interface SyncOptions {
  /** Defaults to requestAnimationFrame with a timer fallback (hidden tabs do not get frames). */
  schedule?: (flush: () => void) => void
  now?: () => number
}

export const JOB_LIST_LIMIT = 100_000

/**
 * Events are applied at most once per FLUSH_INTERVAL_MS, on an animation frame. A frame each
 * (60 a second) was too often under load: with 20 000 jobs and a hundred finishing a second, every
 * frame re-derived the lists and the page's main thread was busy nine tenths of the time, so a
 * click waited for it (232 ms). Ten updates a second still read as live; a click is answered at once.
 */
export const FLUSH_INTERVAL_MS = 100

let lastFlush = -Infinity

function frameScheduler(flush: () => void): void {
  let done = false
  const run = () => {
    if (done) return
    done = true
    lastFlush = performance.now()
    flush()
  }
  const wait = Math.max(0, lastFlush + FLUSH_INTERVAL_MS - performance.now())
  const onFrame = () => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : run())
  if (wait > 0) setTimeout(onFrame, wait)
  else onFrame()
  // Hidden tabs get no frames: the timer applies the events anyway.
  setTimeout(run, wait + 100)
}

export function startSync(api: StudioApi, connection: Connection, store: Store, options: SyncOptions = {}): () => void {
  const schedule = options.schedule ?? frameScheduler
  const now = options.now ?? Date.now
  let buffer: PushEvent[] = []
  let scheduled = false
  let stopped = false

  const flush = () => {
    scheduled = false
    if (stopped || buffer.length === 0) return
    const events = buffer
    buffer = []
    store.getState().applyEvents(events)
  }

  let batchConfigsLoaded = false

  /** The derived figures' snapshot (at connection); afterwards queue.summary events keep them. */
  const loadDerived = async () => {
    const [stats, eta, pool] = await Promise.all([
      call(api, 'queue/stats', {}, { quiet: true }),
      call(api, 'queue/eta', {}, { quiet: true }),
      call(api, 'pool/status', {}, { quiet: true })
    ])
    const s = store.getState()
    if (stats.ok) s.setStats(stats.value)
    if (eta.ok) s.setEta(eta.value, now())
    if (pool.ok) s.setPool(pool.value)
  }

  const unsubscribe = api.subscribe((event) => {
    if (event.type === 'engine.connection') {
      // The engine's process died and was started again (desktop app, `studio serve`): the window
      // says so while it is away, then reloads what it may have missed, as after a reconnection.
      const s = store.getState()
      if (event.state === 'lost') {
        s.setConnection({ ...s.connection, state: 'reconnecting', retryInMs: null })
      } else {
        s.setConnection(connection.get())
        s.notify('success', translate(s.locale, 'engine.reconnected'))
        void loadAll()
      }
      return
    }
    if (event.type === 'farm.queue') {
      // The window's queue moved (to a farm, back to this computer's) or the farm's link came back:
      // the job list is another queue's, or missed what the lost notices said. Read it again.
      const s = store.getState()
      const before = s.farmQueue
      const { type: _type, ...state } = event
      s.setFarmQueue(state)
      const moved = before.queueUrl !== state.queueUrl
      const back = state.queueUrl !== null && !before.connected && state.connected
      // Read from another folder (Settings → "Shared folder on this computer"): the results' paths changed.
      const reshared = state.queueUrl !== null && state.sharedDir !== before.sharedDir
      if (moved || back || reshared) void loadAll()
      if (back && !moved) s.notify('success', translate(s.locale, 'farmQueue.back'))
      return
    }
    if (event.type === 'settings.changed') {
      // Saved elsewhere (the CLI): what the Settings panel shows is read again.
      void call(api, 'settings/get', {}, { quiet: true }).then((r) => r.ok && store.getState().setSettings(r.value))
      return
    }
    buffer.push(event)
    if (event.type === 'job.changed' && (event.job.status === 'completed' || event.job.status === 'failed')) {
      const before = store.getState().jobs[event.job.id]
      if (before && before.status !== event.job.status) store.getState().announce(event.job.status, event.job.title)
    }
    if (!scheduled) {
      scheduled = true
      schedule(flush)
    }
  })

  // ------------------------------------------------------------ snapshots
  const loadAll = async () => {
    const [jobs, pipelines] = await Promise.all([
      call(api, 'jobs/list', { limit: JOB_LIST_LIMIT }, { quiet: true }),
      call(api, 'pipelines/list', {}, { quiet: true })
    ])
    // Events that arrived before the snapshot are older than it: apply them first, then replace.
    flush()
    const s = store.getState()
    if (jobs.ok) s.setJobs(jobs.value)
    else s.notify('error', errorText(jobs.error, s.locale))
    if (pipelines.ok) s.setPipelines(pipelines.value)
    await loadDerived()
    const farmQueue = await call(api, 'farm/queue', {}, { quiet: true })
    if (farmQueue.ok) store.getState().setFarmQueue(farmQueue.value)
    const [health, batches, projects, settings] = await Promise.all([
      call(api, 'providers/health', {}, { quiet: true }),
      call(api, 'batch/list', {}, { quiet: true }),
      call(api, 'projects/list', {}, { quiet: true }),
      call(api, 'settings/get', {}, { quiet: true })
    ])
    const t = store.getState()
    if (health.ok) t.setProviders(health.value)
    if (batches.ok) t.setBatches(batches.value)
    if (projects.ok) t.setProjects(projects.value)
    if (settings.ok) t.setSettings(settings.value)
    if (!batchConfigsLoaded) {
      const configs = await call(api, 'batch/configs/list', {}, { quiet: true })
      if (configs.ok) {
        batchConfigsLoaded = true
        store.getState().setBatchConfigs(configs.value)
      }
    }
  }

  let lastEpoch = -1
  const onConnection = (info: ReturnType<Connection['get']>) => {
    store.getState().setConnection(info)
    if (info.state === 'open' && info.epoch !== lastEpoch) {
      lastEpoch = info.epoch
      void loadAll()
    }
  }
  const unsubscribeConnection = connection.subscribe(onConnection)
  onConnection(connection.get())

  return () => {
    stopped = true
    unsubscribe()
    unsubscribeConnection()
  }
}
