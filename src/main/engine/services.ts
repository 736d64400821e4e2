import { join } from 'node:path'
import { createProviders, type ProviderSet, type SecretRequest } from './providers/registry'
import type { BinarySettings } from './render/binaries'
import type { SettingsStore, StudioSettings } from './settings'
import type { DomainStores } from './store/stores'
import type { ArtifactStore, StoryboardStore } from './store/storyboards'
import { ArtifactCache } from './storyboards/artifact-cache'
import type { StoryboardSettingsInput, StoryboardSource, StoryboardView } from '../../shared/storyboard'
import type { JobView } from '../../shared/types'

/**
 * What the step that makes a storyboard from a batch row needs of the storyboard service. Stated
 * here, not imported: storyboards/service.ts and its steps are built on these services.
 */
export interface StoryboardMaker {
  create(
    request: { id: string; projectId: string; from: StoryboardSource; settings?: Partial<StoryboardSettingsInput> },
    signal?: AbortSignal
  ): Promise<StoryboardView>
  render(request: { id: string }): Promise<{ job: JobView }>
}

/**
 * Where API keys come from: the app's keychain-backed store, or nothing (environment only). The
 * studio farm's password (kind 'farm') is kept the same way: the settings hold its URL without it.
 */
export interface SecretSource {
  get(request: SecretRequest | { kind: 'farm' }): string | undefined
  /** Stores a key for a provider kind (or the farm's password); false when this process cannot keep secrets safely. */
  set(kind: 'text' | 'image' | 'speech' | 'stock' | 'farm', key: string): boolean
}

/** Keys typed into `studio serve` live in this process's memory only: never on disk in clear. */
export class MemorySecrets implements SecretSource {
  private readonly keys = new Map<string, string>()
  get(request: SecretRequest | { kind: 'farm' }): string | undefined {
    return this.keys.get(request.kind)
  }
  set(kind: string, key: string): boolean {
    if (key) this.keys.set(kind, key)
    else this.keys.delete(kind)
    return true
  }
}

/**
 * What built-in pipeline steps may use. Providers are rebuilt when settings change, so a
 * provider switch applies to the next step without a restart.
 */
export class StudioServices {
  private providerCache: { version: number; set: ProviderSet } | null = null
  /** Storyboards, their revisions and renders (the storyboard steps read their project's assets here). */
  readonly storyboards: StoryboardStore
  /** Content-addressed step results: what a storyboard render reuses instead of paying again. */
  artifacts: ArtifactCache
  /** Set by the studio once built: the step that makes a storyboard from a batch row uses it. */
  storyboardService: StoryboardMaker | null = null

  constructor(
    readonly dataDir: string,
    private readonly store: SettingsStore,
    private readonly stores: Pick<DomainStores, 'storyboards' | 'projects' | 'estimates'>,
    readonly secrets: SecretSource = new MemorySecrets(),
    readonly env: NodeJS.ProcessEnv = process.env
  ) {
    this.storyboards = stores.storyboards
    this.artifacts = new ArtifactCache(this.storyboards, dataDir)
  }

  /**
   * Keep the artifact cache and the assets' facts elsewhere than this studio's storyboard store: a
   * farm worker keeps them in the farm's database, where every worker finds them.
   */
  useArtifactStore(store: ArtifactStore): void {
    this.artifacts = new ArtifactCache(store, this.dataDir)
  }

  settings(): StudioSettings {
    return this.store.get()
  }

  providers(): ProviderSet {
    if (!this.providerCache || this.providerCache.version !== this.store.version) {
      this.providerCache = {
        version: this.store.version,
        set: createProviders(this.settings().providers, { secrets: (r) => this.secrets.get(r), env: this.env, binaries: () => this.binaries() })
      }
    }
    return this.providerCache.set
  }

  /** Drop cached providers (after a key was stored). */
  invalidateProviders(): void {
    this.providerCache = null
  }

  /**
   * Settings have an ffmpeg path only; resolution pairs it with the ffprobe beside it when there
   * is one (render/binaries.ts, ffprobeBeside), so renders and doctor agree on both tools.
   */
  binaries(): BinarySettings {
    const path = this.settings().ffmpegPath
    return path ? { ffmpegPath: path } : {}
  }

  /**
   * A folder for one job's step that outlives its attempts (a fresh work folder is made for each):
   * an asynchronous provider notes there what it already submitted, so a retry does not pay twice.
   */
  resumeDir(jobId: string, step: string): string {
    return join(this.dataDir, 'resume', jobId.replace(/[^\w-]/g, '_'), step.replace(/[^\w-]/g, '_'))
  }

  /** The project's newest audio asset: the first "existing track" a music fallback offers (seed 4). */
  projectTrack(projectId: string): string | null {
    return this.stores.projects.newestAsset(projectId, 'audio')?.path ?? null
  }

  /** The newest finished output of a step, for fallbacks that reuse existing work (seed 4). */
  latestArtifact(stepName: string, fileKey: string): string | null {
    return (
      this.stores.estimates
        .latestStepFiles(stepName)
        .map((files) => files[fileKey])
        .find(Boolean) ?? null
    )
  }
}
