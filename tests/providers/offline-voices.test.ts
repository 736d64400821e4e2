/**
 * The voices a machine offers (providers/voices, `studio voices`), and which engine speaks a
 * language: RHVoice or Festival when one of their voices speaks it, else espeak-ng.
 *
 * This machine has espeak-ng (a real `--voices` listing). RHVoice is not packaged for this Debian
 * and Festival is not installed, so the selection between engines is checked with real executables
 * installed under their names in a folder put on PATH, and their voice folders as Debian lays them
 * out (RHVoice: <voice>/voice.info; Festival: <language>/<voice>/).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { clearExecutableCache, findExecutable } from '../../src/main/engine/providers/find-executable'
import { festivalCommand, rhvoiceCommand } from '../../src/main/engine/providers/speech-engines'
import { SystemSpeechProvider } from '../../src/main/engine/providers/system-speech'
import { parseSapiVoices } from '../../src/main/engine/providers/voice-lists'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { VoiceView } from '../../src/shared/voices'
import { cli } from '../helpers/cli'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'
import { startElevenLabsServer } from '../helpers/elevenlabs-server'

const track = closeAfterEach()
const espeak = await findExecutable('espeak-ng')

describe.skipIf(!espeak)('voices of this machine', () => {
  it('espeak-ng --voices, through providers/voices and studio voices --json: language codes, no MBROLA voice', async () => {
    const studio = track(openStudio({ dataDir: tempDir('studio-voices-'), env: {} }), (s: Studio) => s.close(0))
    studio.settings.replace({ ...studio.settings.get(), providers: { speech: { kind: 'offline', engine: 'espeak-ng' } } })
    const r = (await dispatch(studioHandlers(studio), 'providers/voices', { kind: 'speech' })) as { ok: true; value: VoiceView[] }
    expect(r.ok).toBe(true)
    expect(r.value).toContainEqual({ id: 'fr-fr', name: 'French (France)', language: 'fr-fr', engine: 'espeak-ng' })
    expect(r.value).toContainEqual({ id: 'en-us', name: 'English (America)', language: 'en-us', engine: 'espeak-ng' })
    expect(r.value.some((v) => /mbrola/i.test(v.name))).toBe(false)
    expect(new Set(r.value.map((v) => v.id)).size).toBe(r.value.length)
    const bad = await dispatch(studioHandlers(studio), 'providers/voices', { kind: 'music' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/kind must be 'speech'/) } })

    const dir = tempDir('studio-voices-cli-')
    const run = cli(dir, 'studio')
    expect((await run('settings', '--providers', JSON.stringify({ speech: { kind: 'offline', engine: 'espeak-ng' } }))).code).toBe(0)
    const json = await run('--json', 'voices')
    expect(json.code).toBe(0)
    expect(JSON.parse(json.out)).toEqual(r.value)
    expect((await run('voices')).out).toMatch(/^espeak-ng +fr-fr +fr-fr +French \(France\)$/m)
  })

  it('RHVoice, then Festival, speak the languages they have a voice for; espeak-ng the others; a forced engine without the voice says so', async () => {
    const root = tempDir('studio-engines-')
    const bin = join(root, 'bin')
    mkdirSync(bin)
    // Real executables under the names the engines install.
    symlinkSync(espeak!, join(bin, 'RHVoice-test'))
    symlinkSync(espeak!, join(bin, 'text2wave'))
    const rhvoiceDir = join(root, 'RHVoice', 'voices')
    mkdirSync(join(rhvoiceDir, 'slt'), { recursive: true })
    writeFileSync(join(rhvoiceDir, 'slt', 'voice.info'), 'name=SLT\nlanguage=English\ngender=female\n')
    mkdirSync(join(rhvoiceDir, 'anna'), { recursive: true })
    writeFileSync(join(rhvoiceDir, 'anna', 'voice.info'), 'name=Anna\nlanguage=Russian\n')
    const festivalDir = join(root, 'festival', 'voices')
    mkdirSync(join(festivalDir, 'english', 'kal_diphone'), { recursive: true })
    mkdirSync(join(festivalDir, 'spanish', 'el_diphone'), { recursive: true })
    mkdirSync(join(festivalDir, 'english', 'bad(name)'), { recursive: true })
    clearExecutableCache()
    const env = { PATH: `${bin}:${dirname(espeak!)}` }
    const voiceDirs = { rhvoice: [rhvoiceDir], festival: [festivalDir] }

    const auto = new SystemSpeechProvider({ env, platform: 'linux', voiceDirs })
    expect((await auto.engines()).map((e) => e.name)).toEqual(['rhvoice', 'festival', 'espeak-ng', 'mespeak'])
    expect(await auto.engineFor('en')).toMatchObject({ engine: { name: 'rhvoice', executable: join(bin, 'RHVoice-test') }, voice: 'SLT' })
    expect(await auto.engineFor('ru')).toMatchObject({ engine: { name: 'rhvoice' }, voice: 'Anna' })
    expect(await auto.engineFor('es')).toMatchObject({ engine: { name: 'festival' }, voice: 'el_diphone' })
    expect(await auto.engineFor('fr')).toMatchObject({ engine: { name: 'espeak-ng' } })
    expect((await auto.engineFor('fr'))?.voice).toBeUndefined()
    const voices = await auto.voices()
    expect(voices.slice(0, 4)).toEqual([
      { id: 'Anna', name: 'Anna', language: 'ru', engine: 'rhvoice' },
      { id: 'SLT', name: 'SLT', language: 'en', engine: 'rhvoice' },
      { id: 'kal_diphone', name: 'kal diphone', language: 'en', engine: 'festival' },
      { id: 'el_diphone', name: 'el diphone', language: 'es', engine: 'festival' }
    ])
    expect(voices.some((v) => v.engine === 'espeak-ng' && v.id === 'fr-fr')).toBe(true)

    // Without RHVoice, Festival speaks English.
    const noRhvoice = new SystemSpeechProvider({ env, platform: 'linux', voiceDirs: { rhvoice: [join(root, 'none')], festival: [festivalDir] } })
    const festivalFirst = await noRhvoice.engineFor('en')
    expect(festivalFirst).toMatchObject({ engine: { name: 'festival' }, voice: 'kal_diphone' })
    // A voice asked for by id wins when it speaks the language.
    expect(await auto.engineFor('en', 'SLT')).toMatchObject({ voice: 'SLT' })

    const forced = new SystemSpeechProvider({ env, platform: 'linux', voiceDirs, engine: 'festival' })
    await expect(forced.engineFor('fr')).rejects.toMatchObject({ kind: 'permanent', message: 'festival: no voice for language "fr" is installed' })
    clearExecutableCache()
  })
})

describe('engine command lines', () => {
  it('RHVoice and Festival read the text on stdin; a Festival voice name never carries Scheme', () => {
    expect(rhvoiceCommand('/usr/bin/RHVoice-test', 'Hello', '/tmp/o.wav', 'SLT')).toEqual({ command: '/usr/bin/RHVoice-test', args: ['-p', 'SLT', '-o', '/tmp/o.wav'], input: 'Hello' })
    expect(festivalCommand('/usr/bin/text2wave', 'Hello', '/tmp/o.wav', 'kal_diphone')).toEqual({
      command: '/usr/bin/text2wave',
      args: ['-otype', 'riff', '-o', '/tmp/o.wav', '-eval', '(voice_kal_diphone)'],
      input: 'Hello'
    })
    expect(() => festivalCommand('/usr/bin/text2wave', 'x', '/tmp/o.wav', 'kal) (system "rm -rf ~")')).toThrow(/not a voice name/)
    expect(parseSapiVoices('Microsoft Hortense Desktop\tfr-FR\r\nMicrosoft Zira Desktop\ten-US\r\n\r\n')).toEqual([
      { id: 'Microsoft Hortense Desktop', name: 'Microsoft Hortense Desktop', language: 'fr-fr' },
      { id: 'Microsoft Zira Desktop', name: 'Microsoft Zira Desktop', language: 'en-us' }
    ])
  })
})

describe('voices of a speech service', () => {
  it('ElevenLabs: the account voices from GET /v1/voices', async () => {
    const server = track(await startElevenLabsServer({ key: 'xi-test-key-0123456789' }), (s) => s.close())
    const studio = track(openStudio({ dataDir: tempDir('studio-voices-xi-'), env: { XI_TEST: 'xi-test-key-0123456789' } }), (s: Studio) => s.close(0))
    studio.settings.replace({ ...studio.settings.get(), providers: { speech: { kind: 'elevenlabs', baseURL: server.baseURL, apiKeyEnv: 'XI_TEST' } } })
    const r = (await dispatch(studioHandlers(studio), 'providers/voices', { kind: 'speech' })) as { ok: true; value: VoiceView[] }
    expect(r.value).toContainEqual({ id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', language: null, engine: 'elevenlabs' })
    expect(r.value).toContainEqual({ id: 'xFr3nchV0ice0000001', name: 'Chloé', language: 'fr', engine: 'elevenlabs' })
    studio.settings.replace({ ...studio.settings.get(), providers: { speech: { kind: 'elevenlabs', baseURL: server.baseURL, apiKeyEnv: 'NOT_SET' } } })
    const refused = await dispatch(studioHandlers(studio), 'providers/voices', { kind: 'speech' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'provider_error' } })
  })
})
