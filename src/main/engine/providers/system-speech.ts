/**
 * Offline speech with the operating system's own engine, run as a separate process (espeak-ng on
 * Linux, `say` on macOS, SAPI on Windows), falling back to mespeak (pure JavaScript) when the OS
 * has none. The result's `provider` names the engine that actually ran. Word timings are not
 * available from these engines: `words` stays undefined and the renderer spreads subtitles
 * proportionally.
 */
import { randomBytes } from 'node:crypto'
import { rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { permanent, providerUnavailable, retryable, StepError } from '../errors'
import { produceFileAtomic } from './atomic-write'
import { throwIfCancelled } from './cancellation'
import { findExecutable, type LookupEnvironment } from './find-executable'
import { locateMespeak, MESPEAK_PROVIDER_ID, synthesizeWithMespeak } from './mespeak-speech'
import { runProcess, type RunResult } from './run-process'
import { espeakCommand, festivalCommand, parseSayVoices, pickSayVoice, rhvoiceCommand, sapiCommand, sayCommand, type EngineCommand, type SystemEngineName } from './speech-engines'
import { festivalVoices, parseEspeakVoices, parseSapiVoices, rhvoiceVoices, SAPI_VOICES_SCRIPT, sayVoices, voiceFor, type SystemVoice } from './voice-lists'
import type { SpeechCallOptions, SpeechProvider, SpeechRequest, SpeechResult } from './types'
import { readWavInfo, WavFormatError } from './wav'

export const SYSTEM_SPEECH_PROVIDER_ID = 'system-speech'

export type SpeechEngineName = SystemEngineName | 'mespeak'
export const SPEECH_ENGINES = ['auto', 'rhvoice', 'festival', 'espeak-ng', 'espeak', 'say', 'sapi', 'mespeak'] as const
export type SpeechEngineChoice = (typeof SPEECH_ENGINES)[number]

export interface SystemSpeechOptions extends LookupEnvironment {
  /** 'auto' (default) picks the platform's engine, then mespeak. Naming one forces it (e.g. 'mespeak' in tests). */
  engine?: SpeechEngineChoice
  /** Limit per synthesis; default 60 s + 50 ms per character. */
  timeoutMs?: number
  /** The user's voice (Settings), used when a request names none. */
  voice?: string
  /** Called with the engine process id when it starts (diagnostics, tests). */
  onSpawn?: (pid: number) => void
  /** Where RHVoice and Festival keep their voices (defaults: the Debian paths). */
  voiceDirs?: { rhvoice?: readonly string[]; festival?: readonly string[] }
}

/** A voice of an engine installed here (providers/voices, `studio voices`). */
export interface EngineVoice extends SystemVoice {
  engine: SpeechEngineName
}

/** Engines that only speak the languages they have a voice for: another engine speaks the rest. */
const VOICE_BOUND: ReadonlySet<SpeechEngineName> = new Set(['rhvoice', 'festival'])

interface ResolvedEngine {
  name: SpeechEngineName
  executable?: string
}

/** Engines to try, best first, for a platform. */
function candidatesFor(platform: NodeJS.Platform): SystemEngineName[] {
  if (platform === 'darwin') return ['say', 'espeak-ng', 'espeak']
  if (platform === 'win32') return ['sapi', 'espeak-ng', 'espeak']
  // RHVoice and Festival sound more natural than espeak, for the languages they have voices for.
  return ['rhvoice', 'festival', 'espeak-ng', 'espeak']
}

const EXECUTABLES: Record<SystemEngineName, readonly string[]> = {
  rhvoice: ['RHVoice-test'],
  festival: ['text2wave'],
  'espeak-ng': ['espeak-ng'],
  espeak: ['espeak'],
  say: ['say'],
  sapi: ['powershell.exe', 'powershell']
}

export class SystemSpeechProvider implements SpeechProvider {
  readonly id = SYSTEM_SPEECH_PROVIDER_ID
  readonly offline = true
  readonly #options: SystemSpeechOptions
  #engines: Promise<ResolvedEngine[]> | undefined
  #sayVoices: Promise<ReturnType<typeof parseSayVoices>> | undefined
  readonly #voiceLists = new Map<SpeechEngineName, Promise<SystemVoice[]>>()

  constructor(options: SystemSpeechOptions = {}) {
    this.#options = options
  }

  /** The best engine installed here (detected once, then cached), or undefined when there is none. */
  async engine(): Promise<ResolvedEngine | undefined> {
    return (await this.engines())[0]
  }

  /** Every engine installed here that `auto` may use, best first (or only the one settings force). */
  engines(): Promise<ResolvedEngine[]> {
    this.#engines ??= this.#detect()
    return this.#engines
  }

  async #detect(): Promise<ResolvedEngine[]> {
    const choice = this.#options.engine ?? 'auto'
    const platform = this.#options.platform ?? process.platform
    const names: SpeechEngineName[] = choice === 'auto' ? [...candidatesFor(platform), 'mespeak'] : [choice]
    const found: ResolvedEngine[] = []
    for (const name of names) {
      if (name === 'mespeak') {
        if (locateMespeak()) found.push({ name })
        continue
      }
      for (const program of EXECUTABLES[name]) {
        const executable = await findExecutable(program, this.#options)
        if (executable) {
          found.push({ name, executable })
          break
        }
      }
    }
    return found
  }

  /**
   * The engine (and voice) that speaks a language: RHVoice or Festival when one of their voices
   * speaks it, else the next engine; but a voice chosen in Settings that belongs to another engine
   * (an espeak-ng voice) is spoken by that engine. A voice-bound engine forced in settings without
   * such a voice is an error, not a silent switch.
   */
  async engineFor(language: string, wanted?: string): Promise<{ engine: ResolvedEngine; voice?: string } | undefined> {
    const engines = await this.engines()
    for (const engine of engines) {
      if (!VOICE_BOUND.has(engine.name)) return { engine }
      const voices = await this.#voicesOf(engine)
      // A voice chosen in Settings that another engine has (an espeak-ng voice, say) is that engine's to speak.
      if (wanted && !voices.some((v) => v.id === wanted) && (await this.#hasVoice(engines.filter((e) => e !== engine), wanted))) continue
      const voice = voiceFor(voices, language, wanted)
      if (voice) return { engine, voice: voice.id }
      if ((this.#options.engine ?? 'auto') !== 'auto') {
        throw permanent(`${engine.name}: no voice for language "${language}" is installed`, { provider: engine.name })
      }
    }
    return undefined
  }

  /** Whether one of these engines has the voice (espeak's "+variant" suffixes and bare variants included). */
  async #hasVoice(engines: readonly ResolvedEngine[], voice: string): Promise<boolean> {
    for (const engine of engines) {
      const espeak = engine.name === 'espeak-ng' || engine.name === 'espeak'
      if (espeak && /^\+[a-z0-9]+$/i.test(voice)) return true
      const id = espeak ? voice.replace(/\+[a-z0-9]+$/i, '') : voice
      if ((await this.#voicesOf(engine)).some((v) => v.id === id)) return true
    }
    return false
  }

  /** The voices of every engine installed here, best engine first. */
  async voices(signal: AbortSignal = AbortSignal.timeout(20_000)): Promise<EngineVoice[]> {
    const all: EngineVoice[] = []
    for (const engine of await this.engines()) {
      for (const v of await this.#voicesOf(engine, signal)) all.push({ ...v, engine: engine.name })
    }
    return all
  }

  #voicesOf(engine: ResolvedEngine, signal: AbortSignal = AbortSignal.timeout(20_000)): Promise<SystemVoice[]> {
    let list = this.#voiceLists.get(engine.name)
    if (!list) {
      list = this.#listVoices(engine, signal).catch(() => [])
      this.#voiceLists.set(engine.name, list)
    }
    return list
  }

  async #listVoices(engine: ResolvedEngine, signal: AbortSignal): Promise<SystemVoice[]> {
    const dirs = this.#options.voiceDirs
    switch (engine.name) {
      case 'rhvoice':
        return rhvoiceVoices(dirs?.rhvoice)
      case 'festival':
        return festivalVoices(dirs?.festival)
      case 'espeak-ng':
      case 'espeak':
        return parseEspeakVoices((await runProcess(engine.executable!, ['--voices'], { signal, timeoutMs: 10_000, provider: engine.name })).stdout)
      case 'say':
        return sayVoices(await this.#listSayVoices(engine.executable!, signal))
      case 'sapi': {
        const args = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(SAPI_VOICES_SCRIPT, 'utf16le').toString('base64')]
        return parseSapiVoices((await runProcess(engine.executable!, args, { signal, timeoutMs: 20_000, provider: 'sapi' })).stdout)
      }
      case 'mespeak':
        // mespeak's own voice files (the ones it ships for English and French are what the studio uses).
        return [
          { id: 'en', name: 'mespeak English', language: 'en' },
          { id: 'fr', name: 'mespeak French', language: 'fr' }
        ]
    }
  }

  async probe(): Promise<void> {
    if (!(await this.engine())) throw this.#noEngine()
  }

  #noEngine(): StepError {
    const wanted = this.#options.engine && this.#options.engine !== 'auto' ? `"${this.#options.engine}" is` : 'no speech engine is'
    return providerUnavailable(
      `${this.id}: ${wanted} available (install espeak-ng on Linux; macOS and Windows have one built in; or install the optional mespeak package)`,
      { provider: this.id }
    )
  }

  async synthesize(request: SpeechRequest, options: SpeechCallOptions): Promise<SpeechResult> {
    const text = request.text.trim()
    if (!text) throw permanent(`${this.id}: nothing to say (empty text)`, { provider: this.id })
    throwIfCancelled(options.signal, this.id)
    const picked = await this.engineFor(request.language, request.voice ?? this.#options.voice)
    if (!picked) throw this.#noEngine()
    const { engine } = picked
    const provider = engine.name
    const timeoutMs = this.#options.timeoutMs ?? 60_000 + 50 * text.length

    const durationSec = await produceFileAtomic(request.outPath, async (tempWav) => {
      if (engine.name === 'mespeak') {
        await synthesizeWithMespeak(text, request.language, tempWav, { signal: options.signal, timeoutMs })
      } else {
        await this.#runSystemEngine(engine as Required<ResolvedEngine> & { name: SystemEngineName }, text, picked.voice ? { ...request, voice: picked.voice } : request, tempWav, options.signal, timeoutMs)
      }
      try {
        const info = await readWavInfo(tempWav)
        if (info.frames === 0) throw retryable(`${provider}: the engine produced no audio`, { provider })
        return info.durationSec
      } catch (err) {
        if (err instanceof WavFormatError) throw retryable(`${provider}: the engine wrote an unreadable WAV (${err.message})`, { provider })
        throw err
      }
    })

    return { path: request.outPath, durationSec, costUsd: 0, priceKnown: true, provider, offline: true }
  }

  async #runSystemEngine(
    engine: { name: SystemEngineName; executable: string },
    text: string,
    asked: SpeechRequest,
    outPath: string,
    signal: AbortSignal,
    timeoutMs: number
  ): Promise<void> {
    const voice = asked.voice ?? this.#options.voice
    const request = { ...asked, ...(voice ? { voice } : {}) }
    const run = (cmd: EngineCommand): Promise<RunResult> =>
      runProcess(cmd.command, cmd.args, {
        signal,
        timeoutMs,
        provider: engine.name,
        ...(cmd.input !== undefined ? { input: cmd.input } : {}),
        ...(cmd.env ? { env: { ...process.env, ...cmd.env } } : {}),
        ...(this.#options.onSpawn ? { onSpawn: this.#options.onSpawn } : {})
      })

    switch (engine.name) {
      case 'rhvoice':
        await run(rhvoiceCommand(engine.executable, text, outPath, request.voice!))
        return
      case 'festival': {
        const { stderr } = await run(festivalCommand(engine.executable, text, outPath, request.voice!))
        // text2wave exits 0 even when Festival's Scheme fails (a voice it cannot load, a missing
        // lexicon) and then writes nothing: its message is the only trace, and a retry fails the same way.
        if (!(await stat(outPath).catch(() => undefined))) {
          const said = stderr.trim().split('\n').slice(-3).join(' ')
          throw permanent(`festival: ${engine.executable} wrote no audio (${said || 'and said nothing'})`, { provider: 'festival' })
        }
        return
      }
      case 'espeak-ng':
      case 'espeak':
        try {
          await run(espeakCommand(engine.executable, text, request.language, outPath, request.voice))
        } catch (err) {
          // An unknown language will not start working on a retry.
          if (err instanceof StepError && /voice does not exist|unknown voice|no voice/i.test(err.message)) {
            throw permanent(`${engine.name}: no voice for language "${request.language}"`, { provider: engine.name, cause: err })
          }
          throw err
        }
        return
      case 'say': {
        const voice = pickSayVoice(await this.#listSayVoices(engine.executable, signal), request.language, request.voice)
        await run(sayCommand(engine.executable, text, outPath, voice))
        return
      }
      case 'sapi': {
        const textFile = join(tmpdir(), `studio-tts-${process.pid}-${randomBytes(4).toString('hex')}.txt`)
        await writeFile(textFile, text, 'utf8')
        try {
          await run(sapiCommand(engine.executable, textFile, request.language, outPath, request.voice))
        } finally {
          await rm(textFile, { force: true })
        }
        return
      }
    }
  }

  /** `say -v ?`, once: the installed voices do not change while the app runs. */
  #listSayVoices(executable: string, signal: AbortSignal): Promise<ReturnType<typeof parseSayVoices>> {
    this.#sayVoices ??= runProcess(executable, ['-v', '?'], { signal, timeoutMs: 10_000, provider: 'say' })
      .then((r) => parseSayVoices(r.stdout))
      .catch(() => [])
    return this.#sayVoices
  }
}

/** The engine `auto` would pick on this machine (for diagnostics / `studio doctor`). */
export async function detectSpeechEngine(options: SystemSpeechOptions = {}): Promise<SpeechEngineName | undefined> {
  return (await new SystemSpeechProvider(options).engine())?.name
}

export { MESPEAK_PROVIDER_ID }
