import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clearExecutableCache, findExecutable } from '../../src/main/engine/providers/find-executable'
import { espeakCommand, espeakVoice, parseSayVoices, pickSayVoice, SAPI_SCRIPT, sapiCommand, sayCommand } from '../../src/main/engine/providers/speech-engines'

describe('command lines', () => {
  it('espeak: UTF-8 text on stdin, voice from the language', () => {
    expect(espeakCommand('/usr/bin/espeak-ng', '-- hi', 'fr', '/tmp/o.wav')).toEqual({
      command: '/usr/bin/espeak-ng',
      args: ['-v', 'fr', '-b', '1', '-w', '/tmp/o.wav', '--stdin'],
      input: '-- hi'
    })
    expect(espeakVoice('en')).toBe('en-us')
    expect(espeakVoice('en', '+f3')).toBe('en-us+f3')
    expect(espeakVoice('fr', 'fr-be')).toBe('fr-be')
    expect(espeakVoice('fr', 'alloy')).toBe('fr')
    expect(espeakVoice('fr', 'en-us')).toBe('fr')
  })

  it('say: 16-bit WAVE at 22.05 kHz, text on stdin, voice by language from `say -v ?`', () => {
    const voices = parseSayVoices(['Alex                en_US    # Most people recognize me by my voice.', 'Bad News            en_US    # The light you see…', 'Thomas              fr_FR    # Bonjour, je m’appelle Thomas.', 'garbage line'].join('\n'))
    expect(voices).toEqual([{ name: 'Alex', locale: 'en_US' }, { name: 'Bad News', locale: 'en_US' }, { name: 'Thomas', locale: 'fr_FR' }])
    expect(pickSayVoice(voices, 'fr')).toBe('Thomas')
    expect(pickSayVoice(voices, 'en', 'Bad News')).toBe('Bad News')
    expect(pickSayVoice(voices, 'de')).toBeUndefined()
    expect(sayCommand('/usr/bin/say', 'hi', '/tmp/o.wav', 'Thomas').args).toEqual(['-v', 'Thomas', '-o', '/tmp/o.wav', '--file-format=WAVE', '--data-format=LEI16@22050', '-f', '-'])
    expect(sayCommand('/usr/bin/say', 'hi', '/tmp/o.wav').args[0]).toBe('-o')
  })

  it('SAPI: the script travels encoded, user text and paths only through env and a file', () => {
    const cmd = sapiCommand('C:\\Windows\\powershell.exe', 'C:\\t\\in.txt', 'fr-FR', 'C:\\t\\o.wav', 'Microsoft Hortense')
    const encoded = cmd.args[cmd.args.indexOf('-EncodedCommand') + 1] as string
    expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(SAPI_SCRIPT)
    expect(SAPI_SCRIPT).toContain('SetOutputToWaveFile')
    expect(cmd.env).toEqual({ STUDIO_TTS_TEXT: 'C:\\t\\in.txt', STUDIO_TTS_OUT: 'C:\\t\\o.wav', STUDIO_TTS_LANG: 'fr', STUDIO_TTS_VOICE: 'Microsoft Hortense' })
  })
})

describe('findExecutable', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'which-'))
    await mkdir(join(dir, 'bin'))
    await writeFile(join(dir, 'bin', 'tool'), '#!/bin/sh\n')
    await chmod(join(dir, 'bin', 'tool'), 0o755)
    await writeFile(join(dir, 'bin', 'not-executable'), '')
    await writeFile(join(dir, 'bin', 'POWERSHELL.EXE'), '')
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('finds executables on PATH and caches', async () => {
    clearExecutableCache()
    const env = { PATH: `/nonexistent:${join(dir, 'bin')}` }
    expect(await findExecutable('tool', { env })).toBe(join(dir, 'bin', 'tool'))
    expect(await findExecutable('not-executable', { env })).toBeUndefined()
    expect(await findExecutable('missing', { env })).toBeUndefined()
    expect(await findExecutable('sh')).toBeDefined()
  })

  it('uses PATHEXT and ; on Windows', async () => {
    const env = { Path: `C:\\nope;${join(dir, 'bin')}`, PATHEXT: '.COM;.EXE' }
    expect(await findExecutable('POWERSHELL', { env, platform: 'win32' })).toMatch(/POWERSHELL\.EXE$/)
  })
})
