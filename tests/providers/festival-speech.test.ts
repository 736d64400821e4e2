/**
 * The real Festival (Debian's festival + the kal_diphone English voice), unpacked by
 * scripts/test.sh into a private folder instead of being installed, so that every other test
 * still finds a plain machine whose engine is espeak-ng. With that folder on PATH:
 *  - the voice list has Festival's voice as well as espeak-ng's;
 *  - the default choice ('auto', through the registry as the studio builds it) speaks English
 *    with Festival, real audible speech of a plausible length;
 *  - choosing an espeak-ng voice in Settings still speaks with espeak-ng;
 *  - a language Festival has no voice for goes to espeak-ng.
 * (RHVoice, the other engine preferred to espeak-ng, is not packaged in Debian 12:
 * `apt-cache policy rhvoice` lists nothing.) The last test checks the same choice of engine on
 * any machine, with a Festival voice folder and espeak-ng standing in for text2wave.
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StepError } from '../../src/main/engine/errors'
import { findExecutable } from '../../src/main/engine/providers/find-executable'
import { createProviders } from '../../src/main/engine/providers/registry'
import { SystemSpeechProvider } from '../../src/main/engine/providers/system-speech'
import { decodeWavSamples, rmsLevel } from '../../src/main/engine/providers/wav'
import { tempDir } from '../helpers/engine'

/** Where scripts/test.sh unpacks Festival (it exports the folder; the default is the same). */
const FESTIVAL_DIR = process.env.STUDIO_TEST_FESTIVAL ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'creative-studio-tests', 'festival')
const prepared = existsSync(join(FESTIVAL_DIR, 'bin', 'text2wave'))
// Run through scripts/test.sh, a Festival that could not be prepared fails the test; run alone
// on a machine where it never was, the test says how to get it.
const skip = !prepared && !process.env.STUDIO_TEST_FESTIVAL
if (skip) console.warn(`Festival is not unpacked in ${FESTIVAL_DIR}: its test is skipped (scripts/test.sh prepares it)`)

const espeakPath = await findExecutable('espeak-ng')
const env = { ...process.env, PATH: [join(FESTIVAL_DIR, 'bin'), process.env.PATH ?? ''].join(delimiter) }
const voiceDirs = { festival: [join(FESTIVAL_DIR, 'usr', 'share', 'festival', 'voices')] }
const signal = () => new AbortController().signal

/** A WAV that holds speech: long enough for the words, and loud (not a silent file of the right size). */
async function speechIn(path: string): Promise<{ seconds: number; rms: number; voicedShare: number }> {
  const { info, samples } = decodeWavSamples(await readFile(path))
  // Share of 20 ms windows that are not silence: speech has pauses, but mostly sound.
  const window = Math.round(info.sampleRate * 0.02)
  let voiced = 0
  let windows = 0
  for (let i = 0; i + window <= samples.length; i += window) {
    windows++
    if (rmsLevel(samples.subarray(i, i + window)) > 0.01) voiced++
  }
  return { seconds: info.durationSec, rms: rmsLevel(samples), voicedShare: voiced / Math.max(1, windows) }
}

const TEXT = 'Compost turns kitchen scraps into dark and crumbly soil in a few months.'

describe.skipIf(skip || !espeakPath)('Festival unpacked from the Debian packages', () => {
  it('is found on PATH, lists its voice with espeak-ng’s, and speaks English by default with real, audible speech', async () => {
    expect(prepared, `Festival should be unpacked in ${FESTIVAL_DIR} (scripts/test.sh)`).toBe(true)
    const speech = new SystemSpeechProvider({ env, voiceDirs })
    // Festival first (no RHVoice here), then espeak-ng (then mespeak when that optional package is installed).
    expect((await speech.engines()).map((e) => e.name).slice(0, 2)).toEqual(['festival', 'espeak-ng'])
    expect((await speech.engine())?.executable).toBe(join(FESTIVAL_DIR, 'bin', 'text2wave'))

    const voices = await speech.voices()
    expect(voices.filter((v) => v.engine === 'festival')).toEqual([{ id: 'kal_diphone', name: 'kal diphone', language: 'en', engine: 'festival' }])
    expect(voices.some((v) => v.engine === 'espeak-ng' && v.language.startsWith('fr'))).toBe(true)

    // The default choice, through the registry as the studio builds the speech provider from settings.
    const { speech: fromSettings } = createProviders({ speech: { kind: 'offline' } }, { speech: { env, voiceDirs } })
    const dir = tempDir('festival-')
    const result = await fromSettings.synthesize({ text: TEXT, language: 'en', outPath: join(dir, 'festival.wav') }, { signal: signal() })
    expect(result).toMatchObject({ provider: 'festival', offline: true, costUsd: 0 })
    const heard = await speechIn(result.path)
    expect(heard.seconds).toBeCloseTo(result.durationSec, 2)
    // 13 words: a diphone voice at a normal rate says them in 3 to 7 seconds.
    expect(heard.seconds).toBeGreaterThan(3)
    expect(heard.seconds).toBeLessThan(7)
    expect(heard.rms).toBeGreaterThan(0.02)
    expect(heard.voicedShare).toBeGreaterThan(0.5)
    // Festival's own sound, not espeak-ng's: kal_diphone writes 16 kHz, espeak-ng 22.05 kHz.
    expect(decodeWavSamples(await readFile(result.path)).info.sampleRate).toBe(16_000)
  })

  it('an espeak-ng voice chosen in Settings still speaks with espeak-ng; a language Festival lacks goes to espeak-ng', async () => {
    const dir = tempDir('festival-')
    const { speech: chosen } = createProviders({ speech: { kind: 'offline', voice: 'en-gb' } }, { speech: { env, voiceDirs } })
    const british = await chosen.synthesize({ text: TEXT, language: 'en', outPath: join(dir, 'espeak.wav') }, { signal: signal() })
    expect(british.provider).toBe('espeak-ng')
    const heard = await speechIn(british.path)
    expect(heard.rms).toBeGreaterThan(0.02)
    expect(decodeWavSamples(await readFile(british.path)).info.sampleRate).toBe(22_050)

    // The Festival voice chosen by name speaks with Festival.
    const { speech: kal } = createProviders({ speech: { kind: 'offline', voice: 'kal_diphone' } }, { speech: { env, voiceDirs } })
    expect((await kal.synthesize({ text: 'Hello there.', language: 'en', outPath: join(dir, 'kal.wav') }, { signal: signal() })).provider).toBe('festival')

    const { speech: auto } = createProviders({ speech: { kind: 'offline' } }, { speech: { env, voiceDirs } })
    const french = await auto.synthesize({ text: 'Le compost nourrit le jardin.', language: 'fr', outPath: join(dir, 'fr.wav') }, { signal: signal() })
    expect(french.provider).toBe('espeak-ng')
  })

  it('a voice Festival cannot load fails the step permanently with Festival’s own message (text2wave still exits 0)', async () => {
    // A voice folder with nothing Festival can load in it: `(voice_broken_voice)` is unbound.
    const dirs = tempDir('festival-voices-')
    mkdirSync(join(dirs, 'english', 'broken_voice'), { recursive: true })
    const speech = new SystemSpeechProvider({ env, voiceDirs: { festival: [dirs] }, voice: 'broken_voice' })
    const out = join(tempDir('festival-'), 'broken.wav')
    const error = await speech.synthesize({ text: 'Hello.', language: 'en', outPath: out }, { signal: signal() }).then(
      () => undefined,
      (err: unknown) => err
    )
    expect(error).toBeInstanceOf(StepError)
    expect(error).toMatchObject({ kind: 'permanent', provider: 'festival' })
    expect((error as StepError).message).toMatch(/wrote no audio \(.*unbound variable.*voice_broken_voice/)
    expect(existsSync(out)).toBe(false)
  })
})

describe.skipIf(!espeakPath)('a chosen voice picks its engine (any machine: a Festival voice folder and a text2wave that is espeak-ng)', () => {
  it('an espeak-ng voice, with or without its variant, is not handed to Festival; a Festival voice is', async () => {
    const root = tempDir('festival-layout-')
    mkdirSync(join(root, 'bin'))
    symlinkSync(espeakPath!, join(root, 'bin', 'text2wave'))
    mkdirSync(join(root, 'voices', 'english', 'kal_diphone'), { recursive: true })
    const speech = new SystemSpeechProvider({ env: { ...process.env, PATH: [join(root, 'bin'), process.env.PATH ?? ''].join(delimiter) }, platform: 'linux', voiceDirs: { rhvoice: [join(root, 'none')], festival: [join(root, 'voices')] } })
    expect(await speech.engineFor('en')).toMatchObject({ engine: { name: 'festival' }, voice: 'kal_diphone' })
    expect(await speech.engineFor('en', 'kal_diphone')).toMatchObject({ engine: { name: 'festival' }, voice: 'kal_diphone' })
    expect((await speech.engineFor('en', 'en-gb'))?.engine.name).toBe('espeak-ng')
    expect((await speech.engineFor('en', 'en-us+f3'))?.engine.name).toBe('espeak-ng')
    expect((await speech.engineFor('en', '+f3'))?.engine.name).toBe('espeak-ng')
    // A name no engine has (an OpenAI voice left in settings) changes nothing.
    expect(await speech.engineFor('en', 'alloy')).toMatchObject({ engine: { name: 'festival' }, voice: 'kal_diphone' })
  })
})
