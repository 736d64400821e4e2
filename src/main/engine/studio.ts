import { cpus } from 'node:os'
import { resolve } from 'node:path'
import { BatchManager } from './batch/manager'
import { Engine, databaseFile } from './engine'
import { ProjectStore } from './projects'
import { builtinPipelines } from './pipelines/builtin'
import type { BackoffOptions } from './pool/backoff'
import type { BreakerOptions } from './pool/circuit-breaker'
import { defaultResourceLimits, type PoolTimings } from './pool/pool'
import { MemorySecrets, StudioServices, type SecretSource } from './services'
import { SettingsStore, type KeyedKind } from './settings'
import { StoryboardService } from './storyboards/service'
import { budgetHold, budgetReport, hasCaps, paidProviders, type BudgetLine } from './pool/budget'
import { spentSince } from './store/provider-calls'
import { openDatabase, type Db } from './store/database'
import { sqliteStores } from './store/stores'

export interface StudioOptions {
  dataDir: string
  /** Overrides the saved setting for this run (CLI --concurrency). */
  concurrency?: number
  /** The app passes its keychain-backed store; the CLI keeps keys from the environment only. */
  secrets?: SecretSource
  env?: NodeJS.ProcessEnv
  timings?: Partial<PoolTimings>
  /** Retry and breaker timing; the defaults suit real providers (tests shorten them). */
  backoff?: BackoffOptions
  breaker?: BreakerOptions
}

/**
 * The engine with the built-in pipelines (video, text, image, graphic, audio, music, 3d), the
 * user's settings and the services steps use. The CLI, `studio serve` and the desktop app all
 * open the studio this way.
 */
export class Studio extends Engine<StudioServices> {
  readonly settings: SettingsStore
  readonly services: StudioServices
  readonly batches: BatchManager
  readonly projects: ProjectStore
  readonly storyboards: StoryboardService

  constructor(options: StudioOptions) {
    const dataDir = resolve(options.dataDir)
    const db = openDatabase(databaseFile(dataDir))
    const stores = sqliteStores(db)
    const secrets = options.secrets ?? new MemorySecrets()
    // A key is forgotten when its provider moves to another server (see SettingsStore.replace).
    const forgetKey = (kind: KeyedKind) => {
      const had = secrets.get({ kind, envName: '', baseURL: '' }) !== undefined
      secrets.set(kind, '')
      return had
    }
    const settings = new SettingsStore(stores.settings, { forgetKey })
    const services = new StudioServices(dataDir, settings, stores, secrets, options.env ?? process.env)
    const saved = settings.get()
    const projects = new ProjectStore(stores.projects, dataDir)
    super({
      dataDir,
      db,
      stores,
      pipelines: builtinPipelines({ dataDir, assetPath: (id) => projects.assetPath(id) }),
      services,
      concurrency: options.concurrency ?? saved.concurrency ?? Math.max(1, cpus().length),
      resources: { ...defaultResourceLimits(), ...saved.resources },
      ...(options.timings ? { timings: options.timings } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.breaker ? { breaker: options.breaker } : {}),
      budget: (provider) => studioBudgetHold(services, db, provider),
      probe: (provider) => {
        const set = services.providers()
        // Moderation too: jobs waiting on it are released as soon as it answers again.
        const match = [set.text, set.image, set.speech, set.moderation].find((p) => p.id === provider)
        return match ? (signal) => match.probe(signal) : undefined
      },
      inUse: (provider) => {
        const set = services.providers()
        return [set.text, set.image, set.speech, set.moderation].some((p) => p.id === provider)
      }
    })
    this.settings = settings
    this.services = services
    this.batches = new BatchManager(this)
    this.projects = projects
    this.storyboards = new StoryboardService({
      transactions: stores.transactions,
      queue: this.queue,
      events: this.events,
      services,
      assets: (projectId) => this.projects.assets(projectId),
      averageStepMs: (kind) => stores.estimates.averageStepMs(kind)
    })
    services.storyboardService = this.storyboards
    // Settings saved by another process (the CLI next to the app) apply here too: providers for
    // the next steps, concurrency and limits for the pool.
    this.pool.external.onChange(() => {
      if (!settings.refresh()) return
      this.applyPoolSettings()
      this.events.emit({ type: 'settings.changed' })
    })
  }

  /** Start processing: resume batches left running, then the pool. */
  startWork(): void {
    this.batches.start()
    this.pool.start()
  }

  override async close(graceMs = 10_000): Promise<void> {
    this.batches.stop()
    await super.close(graceMs)
  }

  /** Spend against each cap that is set (studio stats, the UI). */
  spendReport(): BudgetLine[] {
    return budgetReport(this.settings.get().budget, (since, provider) => spentSince(this.db, since, provider))
  }

  /** Apply saved concurrency and resource limits to the running pool. */
  applyPoolSettings(): void {
    const s = this.settings.get()
    // A raised cap (or a new provider) lets jobs held by the budget ask again; those still over it wait again.
    for (const p of paidProviders(this.services.providers())) this.leases.releaseWaiting(p)
    if (s.concurrency) this.pool.setConcurrency(s.concurrency)
    this.pool.limiter.setLimits({ ...defaultResourceLimits(), ...s.resources })
  }
}

function studioBudgetHold(services: StudioServices, db: Db, provider: string): { reason: string; until: number } | null {
  const budget = services.settings().budget
  if (!hasCaps(budget)) return null
  if (!paidProviders(services.providers()).includes(provider)) return null
  return budgetHold(provider, budget, (since, key) => spentSince(db, since, key))
}

export function openStudio(options: StudioOptions): Studio {
  return new Studio(options)
}
