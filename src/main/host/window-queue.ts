/**
 * Which queue the window works on, for the engine host: this computer's (the studio's SQLite queue
 * and its pool, as always) or a farm's — chosen by `studio serve --queue-url` / STUDIO_QUEUE_URL
 * ('flag': fixed for the session) or by Settings → "Studio farm" ('settings': switched when the
 * user connects or disconnects, without restarting anything).
 *
 * On a farm:
 *  - jobs/* and queue/* go to the farm's PgJobStore (api/farm-queue-routes.ts), its events and
 *    other machines' (LISTEN/NOTIFY, relayed) are the window's, and its queue.summary is the farm's;
 *    the local queue's own job and queue events are held back, so the window never mixes the two;
 *  - this computer's pool and batches are stopped: it does not run its local queue behind the
 *    user's back (its jobs stay there, untouched, until the user disconnects). Machines that run
 *    the farm's jobs are started with `studio farm worker`; the window says so;
 *  - batches are the farm's (api/farm-batch-routes.ts); storyboard renders go to the farm, the
 *    storyboards staying this computer's (api/farm-storyboard-routes.ts);
 *  - a lost link is announced (`farm.queue`, connected false) and retried until it is back.
 * Settings, projects, storyboards' editing and providers stay this computer's in both cases.
 */
import type { FarmQueueState } from '../../shared/farm'
import type { EngineEvent, EngineEventType, QueueSummary } from '../../shared/types'
import { saveSharedDir } from '../api/farm'
import { farmWindowRoutes, QUEUE_URL_UNSUPPORTED } from '../api/farm-queue-routes'
import { farmStoryboardRoutes } from '../api/farm-storyboard-routes'
import { farmBatchEstimateRoute } from '../api/farm-batch-routes'
import type { Handlers } from '../api/handler-map'
import type { Engine } from '../engine/engine'
import { withPassword } from '../engine/farm/connection'
import { FarmError } from '../engine/farm/errors'
import type { FarmQueue } from '../engine/farm/farm-queue'
import { publishQueueSummary, publishSummaries } from '../engine/queue-summary'
import { Studio } from '../engine/studio'

/** The local queue's events a window on a farm must not see (they describe the set-aside queue). */
const LOCAL_QUEUE_EVENTS = new Set<EngineEventType>(['job.changed', 'job.removed', 'job.progress', 'job.log', 'queue.changed', 'queue.summary', 'batch.changed'])

export interface WindowQueueOptions {
  engine: Engine<any>
  /** The studio's own handlers (every command on this computer). */
  local: Handlers
  /** `--queue-url` / STUDIO_QUEUE_URL: the window is on this farm for the whole session. */
  queueUrl?: string
  /** `serve --farm-data-dir`: the farm's shared folder on this computer (else Settings', else the data folder). */
  farmDataDir?: string
  /** Run the local pool (and batches) while on the local queue. */
  startWork: boolean
  /** An event for the window. */
  send: (event: EngineEvent) => void
  /** How often a lost farm link is tried again. */
  retryMs?: number
  log: (message: string) => void
}

export class WindowQueue {
  /** What dispatch answers with now. */
  handlers: Handlers
  private farm: FarmQueue | null = null
  private farmUrl: string | null = null
  private chosenBy: 'flag' | 'settings' | null = null
  private stopFarm: Array<() => void> = []
  private stopLocalSummaries: (() => void) | null = null
  private readonly unsubscribeLocal: () => void
  /** Switches run one after the other (a connect clicked twice, a disconnect meanwhile). */
  private chain: Promise<void> = Promise.resolve()
  private closed = false

  constructor(private readonly o: WindowQueueOptions) {
    this.handlers = this.compose()
    this.unsubscribeLocal = o.engine.events.subscribe((event) => {
      if (this.farm && LOCAL_QUEUE_EVENTS.has(event.type)) return
      o.send(event)
    })
  }

  /** Opens the farm the flag or the settings name, else starts the local queue's work. */
  start(): Promise<void> {
    const url = this.o.queueUrl ?? this.settingsUrl()
    const chosenBy = this.o.queueUrl !== undefined ? 'flag' : 'settings'
    // The first link to the farm is not awaited: a farm that is down must not keep the window
    // from opening (it says so, and keeps trying).
    return this.serial(() => (url ? this.toFarm(url, chosenBy, false) : this.toLocal()))
  }

  state(): FarmQueueState {
    if (!this.farm) return { queueUrl: null, connected: true, problem: null }
    return { ...this.farm.state(), chosenBy: this.chosenBy ?? 'settings', sharedDir: this.farm.dataDir }
  }

  /** Where this computer reads the farm's results: `--farm-data-dir`, else Settings → "Studio farm", else the data folder. */
  private sharedDir(): string {
    const engine = this.o.engine
    const saved = engine instanceof Studio ? engine.settings.get().farm.sharedDir : null
    return this.o.farmDataDir ?? saved ?? engine.dataDir
  }

  async close(): Promise<void> {
    this.closed = true
    await this.chain.catch(() => undefined)
    this.unsubscribeLocal()
    this.stopLocalSummaries?.()
    await this.leaveFarm()
  }

  private settingsUrl(): string | null {
    const engine = this.o.engine
    if (!(engine instanceof Studio)) return null
    const saved = engine.settings.get().farm.queueUrl
    return saved ? withPassword(saved, engine.services.secrets.get({ kind: 'farm' })) : null
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work)
    this.chain = next.catch(() => undefined)
    return next
  }

  /** `announceNow` false: the same farm read from another folder; the window hears of it once the link is up (no "lost", no "back"). */
  private async toFarm(url: string, chosenBy: 'flag' | 'settings', awaitLink = true, announceNow = true): Promise<void> {
    if (this.closed) return
    await this.leaveFarm()
    await this.stopLocalWork()
    const { FarmQueue } = await import('../engine/farm/farm-queue')
    const farm = new FarmQueue({ url, dataDir: this.sharedDir(), ...(this.o.retryMs !== undefined ? { retryMs: this.o.retryMs } : {}), log: this.o.log })
    this.farm = farm
    this.farmUrl = url
    this.chosenBy = chosenBy
    this.handlers = this.compose()
    this.stopFarm.push(
      farm.events.subscribe((event) => this.o.send(event)),
      farm.onState(() => this.announce()),
      publishSummaries(farm.events, () => this.farmSummary(farm))
    )
    this.o.log(`the window's queue is the farm at ${farm.where}; this computer's own queue is set aside`)
    if (announceNow) this.announce()
    const linked = farm.listen()
    if (awaitLink) await linked
  }

  private async toLocal(): Promise<void> {
    if (this.closed) return
    const wasFarm = this.farm !== null
    await this.leaveFarm()
    this.handlers = this.compose()
    // The window and the tray read stats and ETA from these, never by asking (see queue-summary.ts).
    this.stopLocalSummaries ??= publishQueueSummary(this.o.engine)
    if (this.o.startWork) {
      const engine = this.o.engine
      if (engine instanceof Studio) engine.startWork()
      else engine.pool.start()
    }
    if (wasFarm) this.announce()
  }

  private async leaveFarm(): Promise<void> {
    for (const stop of this.stopFarm.splice(0)) stop()
    const farm = this.farm
    this.farm = null
    this.farmUrl = null
    this.chosenBy = null
    await farm?.close()
  }

  private async stopLocalWork(): Promise<void> {
    this.stopLocalSummaries?.()
    this.stopLocalSummaries = null
    const engine = this.o.engine
    if (engine instanceof Studio) engine.batches.stop()
    // Running local steps finish (up to 10 s); their jobs then wait in the local queue at their next step.
    await engine.pool.stop(10_000)
  }

  private announce(): void {
    this.o.send({ type: 'farm.queue', ...this.state() })
  }

  private async farmSummary(farm: FarmQueue): Promise<QueueSummary> {
    const stats = await farm.store.stats()
    const providers = await this.o.engine.health()
    return {
      stats,
      eta: { paused: stats.paused, totalMs: null, concurrency: 0, jobs: [], batchRowsWaiting: 0 },
      pool: this.o.engine.pool.status(),
      providers,
      at: Date.now()
    }
  }

  private compose(): Handlers {
    const local = this.o.local
    const farm = this.farm
    const switched: Partial<Handlers> = {
      'farm/queue': () => this.state(),
      'farm/connect': async (request) => {
        this.refuseIfFlag()
        const view = await local['farm/connect'](request)
        await this.serial(async () => {
          const url = this.settingsUrl()
          if (url) await this.toFarm(url, 'settings')
        })
        return view
      },
      'farm/disconnect': async (request) => {
        this.refuseIfFlag()
        const view = await local['farm/disconnect'](request)
        await this.serial(() => this.toLocal())
        return view
      },
      // Checked against the farm the window is on; then the window reads the farm's results there.
      'farm/setSharedDir': async (request) => {
        const engine = this.o.engine
        const view = this.chosenBy === 'flag' && engine instanceof Studio
          ? (await saveSharedDir(engine, request.sharedDir, this.farmUrl), await local['farm/get']({}))
          : await local['farm/setSharedDir'](request)
        const url = this.farmUrl
        const by = this.chosenBy
        if (url && by) await this.serial(() => this.toFarm(url, by, true, false))
        return view
      }
    }
    const engine = this.o.engine
    const storyboards = farm && engine instanceof Studio ? { ...farmStoryboardRoutes(farm, engine), ...farmBatchEstimateRoute(farm, engine) } : {}
    return { ...local, ...(farm ? farmWindowRoutes(farm) : {}), ...storyboards, ...switched } as Handlers
  }

  private refuseIfFlag(): void {
    if (this.chosenBy !== 'flag' || !this.farm) return
    throw new FarmError(
      QUEUE_URL_UNSUPPORTED,
      `this window runs on the farm given by --queue-url or STUDIO_QUEUE_URL (${this.farm.where}): restart \`studio serve\` without it to choose a farm in Settings`
    )
  }
}
