/** Real espeak-ng (the Linux system engine) and the mespeak fallback, run as the provider runs them. */
import { readFile, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findExecutable } from '../../src/main/engine/providers/find-executable'
import { locateMespeak } from '../../src/main/engine/providers/mespeak-speech'
import { detectSpeechEngine, SystemSpeechProvider } from '../../src/main/engine/providers/system-speech'
import { decodeWavSamples, rmsLevel } from '../../src/main/engine/providers/wav'
import { until } from '../helpers/engine'

const espeakPath = await findExecutable('espeak-ng')
const hasMespeak = Boolean(locateMespeak())
if (!espeakPath) console.warn('espeak-ng is not on PATH: espeak-ng tests are skipped (apt-get install espeak-ng)')
if (!hasMespeak) console.warn('the optional mespeak package is not installed: mespeak tests are skipped')

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'system-speech-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const signal = () => new AbortController().signal

async function expectSpeech(path: string, minSec: number, maxSec: number): Promise<void> {
  const { info, samples } = decodeWavSamples(await readFile(path))
  expect(info.durationSec).toBeGreaterThan(minSec)
  expect(info.durationSec).toBeLessThan(maxSec)
  expect(rmsLevel(samples)).toBeGreaterThan(0.01)
}

const processIsGone = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

const LONG_TEXT = Array.from({ length: 3000 }, (_, i) => `Sentence number ${i} keeps the speech engine busy for a while.`).join(' ')

describe.skipIf(!espeakPath)('espeak-ng', () => {
  it('is what auto picks on Linux', async () => {
    expect(await detectSpeechEngine()).toBe('espeak-ng')
  })

  it('writes a non-silent WAV of plausible duration, English and French', async () => {
    const speech = new SystemSpeechProvider()
    const en = await speech.synthesize({ text: 'Hello! This is a short test of the offline speech engine.', language: 'en', outPath: join(dir, 'en.wav') }, { signal: signal() })
    expect(en).toMatchObject({ provider: 'espeak-ng', offline: true, costUsd: 0 })
    // espeak-ng reports no word timings: the renderer spreads subtitles proportionally.
    expect(en.words).toBeUndefined()
    // ~10 words at 175 wpm ≈ 3.5 s.
    expect(en.durationSec).toBeGreaterThan(1.5)
    expect(en.durationSec).toBeLessThan(8)
    await expectSpeech(en.path, 1.5, 8)

    const fr = await speech.synthesize({ text: 'Bonjour ! Ceci est un court essai de la synthèse vocale hors ligne.', language: 'fr', outPath: join(dir, 'fr.wav') }, { signal: signal() })
    await expectSpeech(fr.path, 1.5, 8)
  })

  it('uses a matching espeak voice and ignores voices meant for other providers', async () => {
    const speech = new SystemSpeechProvider()
    await speech.synthesize({ text: 'Variant voice.', language: 'en', voice: '+f3', outPath: join(dir, 'f3.wav') }, { signal: signal() })
    await speech.synthesize({ text: 'OpenAI voice name.', language: 'en', voice: 'alloy', outPath: join(dir, 'alloy.wav') }, { signal: signal() })
    await expectSpeech(join(dir, 'alloy.wav'), 0.3, 5)
  })

  it('an unknown language is a permanent error; empty text too', async () => {
    const speech = new SystemSpeechProvider()
    await expect(speech.synthesize({ text: 'x', language: 'zz-nope', outPath: join(dir, 'zz.wav') }, { signal: signal() })).rejects.toMatchObject({ kind: 'permanent', provider: 'espeak-ng' })
    await expect(speech.synthesize({ text: '  ', language: 'en', outPath: join(dir, 'empty.wav') }, { signal: signal() })).rejects.toMatchObject({ kind: 'permanent' })
  })

  it('abort kills the TTS process and leaves no file behind', async () => {
    const pids: number[] = []
    const speech = new SystemSpeechProvider({ onSpawn: (pid) => pids.push(pid) })
    const controller = new AbortController()
    const outPath = join(dir, 'aborted.wav')
    const pending = speech.synthesize({ text: LONG_TEXT, language: 'en', outPath }, { signal: controller.signal })
    await until(() => pids.length > 0, 10_000, 'the TTS process to start')
    await new Promise((r) => setTimeout(r, 150))
    expect(processIsGone(pids[0] as number)).toBe(false)
    const started = Date.now()
    controller.abort()
    await expect(pending).rejects.toMatchObject({ kind: 'cancelled', provider: 'espeak-ng' })
    expect(Date.now() - started).toBeLessThan(2_500)
    expect(processIsGone(pids[0] as number)).toBe(true)
    expect((await readdir(dir)).filter((f) => f.includes('aborted'))).toEqual([])
  })

  it('a process that runs past its time limit is stopped → retryable', async () => {
    const speech = new SystemSpeechProvider({ timeoutMs: 200 })
    await expect(speech.synthesize({ text: LONG_TEXT, language: 'en', outPath: join(dir, 'slow.wav') }, { signal: signal() })).rejects.toMatchObject({ kind: 'retryable' })
  })
})

describe.skipIf(!hasMespeak)('mespeak fallback', () => {
  it('produces a non-silent WAV when forced (English and French)', async () => {
    const speech = new SystemSpeechProvider({ engine: 'mespeak' })
    const en = await speech.synthesize({ text: 'Hello from the fallback voice.', language: 'en', outPath: join(dir, 'mespeak-en.wav') }, { signal: signal() })
    expect(en.provider).toBe('mespeak')
    await expectSpeech(en.path, 0.8, 6)
    const fr = await speech.synthesize({ text: 'Bonjour depuis la voix de secours.', language: 'fr', outPath: join(dir, 'mespeak-fr.wav') }, { signal: signal() })
    await expectSpeech(fr.path, 0.8, 6)
  })

  it('is what auto falls back to when the OS has no engine', async () => {
    const speech = new SystemSpeechProvider({ env: { PATH: join(dir, 'empty-path') } })
    expect((await speech.engine())?.name).toBe('mespeak')
  })

  it('abort terminates the worker', async () => {
    const controller = new AbortController()
    const pending = new SystemSpeechProvider({ engine: 'mespeak' }).synthesize({ text: LONG_TEXT.slice(0, 20_000), language: 'en', outPath: join(dir, 'mespeak-aborted.wav') }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 300)
    const started = Date.now()
    await expect(pending).rejects.toMatchObject({ kind: 'cancelled' })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect((await readdir(dir)).filter((f) => f.includes('mespeak-aborted'))).toEqual([])
  })
})

describe('engine selection', () => {
  it('a forced engine that is missing → provider-unavailable from probe and synthesize', async () => {
    const speech = new SystemSpeechProvider({ engine: 'say', env: { PATH: join(dir, 'empty-path') } })
    await expect(speech.probe()).rejects.toMatchObject({ kind: 'provider-unavailable', provider: 'system-speech' })
    await expect(speech.synthesize({ text: 'x', language: 'en', outPath: join(dir, 'none.wav') }, { signal: signal() })).rejects.toMatchObject({ kind: 'provider-unavailable' })
  })
})
