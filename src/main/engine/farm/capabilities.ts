/**
 * What this machine can run, as a farm worker advertises it (workers.capabilities), and whether a
 * step's needs are met. A worker claims only steps it can run; a step nobody can run is shown as
 * such instead of waiting silently.
 *
 * Detection reuses what `studio doctor` uses (the same ffmpeg search, the same speech engine
 * choice, the same provider listing), so a worker and the doctor never disagree. Provider keys are
 * reported by provider id only: a key's value never leaves the registry.
 */
import { execFile } from 'node:child_process'
import { cpus, hostname } from 'node:os'
import { listProviders, ProviderSettings, type ProviderSettingsInput, type RegistryOptions } from '../providers/registry'
import { findExecutable } from '../providers/find-executable'
import { detectSpeechEngine } from '../providers/system-speech'
import { findFfmpeg, type BinarySettings, type ResolveOptions } from '../render/binaries'
import { speechSettingsOf } from '../doctor'
import { FarmError } from './init'

/**
 * The names a claim matches against: a job's next step needs a subset of them (jobs.next_needs).
 *  - ffmpeg, libass: an ffmpeg with every filter renders use, and its subtitles filter;
 *  - text, image, speech, moderation, music, stock: the provider configured for that kind can be
 *    called from here (an offline one, a local server, or an online one whose key this machine has);
 *  - gpu: nvidia-smi lists at least one GPU.
 */
export type Capability = 'ffmpeg' | 'libass' | 'text' | 'image' | 'speech' | 'moderation' | 'music' | 'stock' | 'gpu'

export interface GpuInfo {
  name: string
  memoryMiB: number | null
}

export interface WorkerCapabilities {
  host: string
  platform: NodeJS.Platform
  cpus: number
  ffmpeg: { ok: true; version: string; libass: boolean } | { ok: false; reason: string }
  /** The offline speech engine narration would use here, or null (online speech, or none found). */
  speechEngine: string | null
  /** The configured provider of each kind and whether it can be called from here. No key, no URL credentials. */
  providers: Array<{ kind: string; id: string; type: string; offline: boolean; hasKey: boolean; usable: boolean }>
  /** Ids of the providers whose key this machine has (names only, never values). */
  keys: string[]
  gpus: GpuInfo[]
  /** Sorted capability names, for the claim. */
  has: Capability[]
}

export interface CapabilityOptions {
  /** The settings' binaries (ffmpegPath, ffprobePath). */
  binaries?: BinarySettings
  /** The providers settings (settings.get().providers). */
  providers?: ProviderSettingsInput
  /** The key store and environment the engine would use. */
  registry?: Pick<RegistryOptions, 'secrets' | 'env'>
  /** ffmpeg search options (tests pass their own env). */
  resolve?: ResolveOptions
  /** PATH and friends for nvidia-smi and speech engines; defaults to process.env. */
  env?: NodeJS.ProcessEnv
}

/** What this machine can run, found the way `studio doctor` finds it. */
export async function detectCapabilities(options: CapabilityOptions = {}): Promise<WorkerCapabilities> {
  const env = options.env ?? process.env
  const providerSettings = options.providers ?? {}
  const checked = ProviderSettings.safeParse(providerSettings)
  if (!checked.success) {
    const issue = checked.error.issues[0]
    throw new FarmError('invalid-settings', `providers.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, 'providers')
  }
  const speech = speechSettingsOf(providerSettings) ?? { kind: 'offline' as const, engine: 'auto' as const }
  const [ffmpeg, speechEngine, gpus] = await Promise.all([
    findFfmpeg(options.binaries ?? {}, { env, ...options.resolve }).then(
      ({ binary }) => ({ ok: true as const, version: binary.version, libass: binary.hasLibass }),
      (err: unknown) => ({ ok: false as const, reason: (err as Error).message })
    ),
    speech.kind === 'offline' ? detectSpeechEngine({ engine: speech.engine, env }).catch(() => undefined) : Promise.resolve(undefined),
    detectGpus(env)
  ])
  const listed = listProviders(providerSettings, { env, ...options.registry })
  const providers = listed.map((p) => {
    // Offline speech needs an engine here; offline music is made with ffmpeg; stock searches need
    // the library's key (the listing calls Pexels "free": it charges nothing, but still wants a
    // key); a local server or a free endpoint needs no key; any other online provider needs its key.
    const usable =
      p.kind === 'speech' && p.offline ? speechEngine !== undefined
        : p.kind === 'music' && p.offline ? ffmpeg.ok
          : p.kind === 'stock' ? p.hasKey
            : p.offline || p.free === true || p.hasKey
    return { kind: p.kind, id: p.id, type: p.type, offline: p.offline, hasKey: p.hasKey, usable }
  })
  const has = new Set<Capability>()
  if (ffmpeg.ok) has.add('ffmpeg')
  if (ffmpeg.ok && ffmpeg.libass) has.add('libass')
  for (const p of providers) if (p.usable) has.add(p.kind as Capability)
  if (gpus.length > 0) has.add('gpu')
  return {
    host: hostname(),
    platform: process.platform,
    cpus: cpus().length,
    ffmpeg,
    speechEngine: speechEngine ?? null,
    providers,
    keys: providers.filter((p) => p.hasKey).map((p) => p.id),
    gpus,
    has: [...has].sort()
  }
}

/** `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits` output, one GPU a line. */
export function parseNvidiaSmi(output: string): GpuInfo[] {
  const gpus: GpuInfo[] = []
  for (const line of output.split(/\r?\n/)) {
    const cut = line.lastIndexOf(',')
    const name = (cut >= 0 ? line.slice(0, cut) : line).trim()
    if (!name) continue
    const mem = cut >= 0 ? Number.parseInt(line.slice(cut + 1).trim(), 10) : Number.NaN
    gpus.push({ name, memoryMiB: Number.isFinite(mem) ? mem : null })
  }
  return gpus
}

/** The NVIDIA GPUs nvidia-smi reports; none when it is absent, fails or takes over 10 s. */
export async function detectGpus(env: NodeJS.ProcessEnv = process.env): Promise<GpuInfo[]> {
  const smi = await findExecutable(process.platform === 'win32' ? 'nvidia-smi.exe' : 'nvidia-smi', { env })
  if (!smi) return []
  return new Promise((resolve) => {
    execFile(smi, ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], { timeout: 10_000, env }, (err, stdout) => {
      resolve(err ? [] : parseNvidiaSmi(String(stdout)))
    })
  })
}

/** What a step occupying `resource` needs of a machine. Resources the farm does not know need nothing special. */
export function stepNeeds(resource: string): Capability[] {
  switch (resource) {
    case 'ffmpeg':
      return ['ffmpeg', 'libass']
    case 'llm':
      return ['text']
    case 'tts':
      return ['speech']
    case 'image':
      return ['image']
    case 'music':
      return ['music']
    case 'moderation':
      return ['moderation']
    case 'stock':
      return ['stock']
    default:
      return []
  }
}

const NEED_TEXT: Record<Capability, string> = {
  ffmpeg: 'ffmpeg with the filters renders use',
  libass: "ffmpeg's subtitles filter (libass)",
  text: 'a usable text provider (offline, or an online one with its key)',
  image: 'a usable image provider',
  speech: 'a speech engine or an online voice with its key',
  moderation: 'a usable moderation provider',
  music: 'a usable music provider',
  stock: 'a stock library key',
  gpu: 'a GPU'
}

export type Fit = { ok: true } | { ok: false; missing: Capability[]; reason: string }

/** Whether a machine with `has` can run a step that needs `needs`, and if not, what it lacks in words. */
export function canRun(needs: readonly string[], has: readonly string[]): Fit {
  const missing = needs.filter((n) => !has.includes(n)) as Capability[]
  if (missing.length === 0) return { ok: true }
  return { ok: false, missing, reason: `needs ${missing.map((m) => NEED_TEXT[m] ?? m).join(', ')}` }
}
