/**
 * A farm worker's own settings (the studio.db of its local folder: spend caps, providers, limits),
 * read again on each safety sweep, so that a cap raised or a provider changed (`studio settings
 * --data-dir LOCAL`, or the app on that folder) applies without restarting the worker, as the local
 * studio applies settings another process saved (Studio.applyPoolSettings). The check is the
 * settings store's own: the stored document compared with the one in use (one small read a sweep,
 * no polling of its own).
 *
 * On a change: the resource limits are applied; the jobs waiting on a provider's cap that the new
 * caps allow are released and the farm's spend is read again at once (the budget holds again what
 * a claim finds still over); providers are rebuilt for the next step (services follow the
 * settings' version), and what this machine can run is detected again and told to the farm. The
 * worker's concurrency is fixed for its run (its database connections are sized for it): a change
 * says so. Each change is said in one log line.
 */
import { defaultResourceLimits } from '../pool/pool'
import type { ResourceLimit } from '../pool/resource-limiter'
import type { ProviderSettingsInput } from '../providers/registry'
import type { SettingsStore, StudioSettings } from '../settings'
import { detectCapabilities, type WorkerCapabilities } from './capabilities'

export interface SettingsReloadOptions {
  settings: Pick<SettingsStore, 'refresh' | 'get'>
  /** Where the settings are (said in the log line). */
  where: string
  limiter: { setLimits(limits: Record<string, ResourceLimit>): void }
  /** Read the farm's spend against the caps now in force. */
  refreshBudget(): Promise<void>
  /** Whether a paid step of `provider` would wait under the caps now in force. */
  holds(provider: string): boolean
  /** The providers that charge, as now configured. */
  paid(): string[]
  releaseWaiting(provider: string): Promise<number>
  /** What this machine can run was detected again (providers or ffmpeg changed). */
  capabilitiesChanged(capabilities: WorkerCapabilities): Promise<void>
  env: NodeJS.ProcessEnv
  log(line: string): void
}

type Part = 'budget' | 'providers' | 'ffmpegPath' | 'resources' | 'concurrency'
const PARTS: readonly Part[] = ['budget', 'providers', 'ffmpegPath', 'resources', 'concurrency']
const WORDS: Record<Part, string> = { budget: 'spend caps', providers: 'providers', ffmpegPath: 'ffmpeg', resources: 'resource limits', concurrency: 'concurrency' }

const snapshot = (s: StudioSettings): Record<Part, string> =>
  Object.fromEntries(PARTS.map((p) => [p, JSON.stringify(s[p] ?? null)])) as Record<Part, string>

/** Returns what to run on each sweep: nothing when the settings did not change, else applies them. */
export function settingsReloader(o: SettingsReloadOptions): () => Promise<void> {
  let before = snapshot(o.settings.get())
  let applying: Promise<void> | null = null
  const apply = async (): Promise<void> => {
    if (!o.settings.refresh()) return
    const s = o.settings.get()
    const now = snapshot(s)
    const changed = PARTS.filter((p) => now[p] !== before[p])
    before = now
    if (changed.length === 0) return
    const said: string[] = []
    if (changed.includes('resources')) o.limiter.setLimits({ ...defaultResourceLimits(), ...s.resources })
    if (changed.includes('providers') || changed.includes('ffmpegPath')) {
      try {
        const caps = await detectCapabilities({ binaries: s.ffmpegPath ? { ffmpegPath: s.ffmpegPath } : {}, providers: s.providers as ProviderSettingsInput, registry: { env: o.env }, env: o.env })
        await o.capabilitiesChanged(caps)
        said.push(`can run ${caps.has.join(', ') || 'nothing special'}`)
      } catch (err) {
        said.push(`what it can run is unchanged (${(err as Error).message})`)
      }
    }
    if (changed.includes('budget') || changed.includes('providers')) {
      // Against the spend last read (a claim asks the budget again: a job still over waits again),
      // then a fresh read, which holds what the new caps do not allow.
      let released = 0
      for (const provider of o.paid()) {
        if (o.holds(provider)) continue
        released += await o.releaseWaiting(provider).catch((err: Error) => {
          o.log(`could not release the jobs waiting on ${provider}'s spend cap (${err.message})`)
          return 0
        })
      }
      await o.refreshBudget()
      if (released > 0) said.push(`${released} job${released === 1 ? '' : 's'} waiting on a spend cap released`)
    }
    if (changed.includes('concurrency')) said.push('the concurrency applies when the worker starts again')
    o.log(`this machine's settings changed (${changed.map((p) => WORDS[p]).join(', ')}) in ${o.where}: applied without a restart${said.length ? `; ${said.join('; ')}` : ''}`)
  }
  return () => {
    // One at a time: a sweep during a slow apply (capabilities) does not start another.
    applying ??= apply()
      .catch((err: Error) => o.log(`could not apply this machine's changed settings (${err.message})`))
      .finally(() => {
        applying = null
      })
    return applying
  }
}
