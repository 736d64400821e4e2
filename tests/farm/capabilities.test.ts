import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { canRun, detectCapabilities, detectGpus, parseNvidiaSmi, stepNeeds } from '../../src/main/engine/farm/capabilities'
import { FarmError } from '../../src/main/engine/farm/init'

const empty = mkdtempSync(join(tmpdir(), 'studio-caps-'))
afterAll(() => rmSync(empty, { recursive: true, force: true }))

describe('worker capabilities', () => {
  it('this machine (the test machine has ffmpeg with libass and espeak-ng) can render and speak offline', async () => {
    const caps = await detectCapabilities({ env: { PATH: process.env.PATH }, resolve: { bundled: { ffmpeg: null, ffprobe: null } } })
    expect(caps.ffmpeg).toMatchObject({ ok: true, libass: true })
    expect(caps.speechEngine).toBeTruthy()
    expect(caps.has).toEqual(expect.arrayContaining(['ffmpeg', 'libass', 'text', 'image', 'speech', 'music']))
    // The default stock library (Pexels) needs a key, and there is none in this environment.
    expect(caps.has).not.toContain('stock')
    expect(caps.keys).toEqual([])
    expect(canRun(stepNeeds('ffmpeg'), caps.has)).toEqual({ ok: true })
    expect(canRun(stepNeeds('tts'), caps.has)).toEqual({ ok: true })
  })

  it('a machine without ffmpeg cannot run render steps, and says why', async () => {
    const caps = await detectCapabilities({ env: { PATH: empty }, resolve: { bundled: { ffmpeg: null, ffprobe: null } } })
    expect(caps.ffmpeg.ok).toBe(false)
    expect(caps.has).not.toContain('ffmpeg')
    // Offline music is made with ffmpeg too.
    expect(caps.has).not.toContain('music')
    const fit = canRun(stepNeeds('ffmpeg'), caps.has)
    expect(fit).toMatchObject({ ok: false, missing: ['ffmpeg', 'libass'] })
    expect(fit.ok || fit.reason).toMatch(/needs ffmpeg .*libass/)
    // A step that needs nothing special runs anywhere.
    expect(canRun(stepNeeds('cpu'), caps.has)).toEqual({ ok: true })
  })

  it('online providers count only where their key is, and only the names of keys are reported', async () => {
    const secret = 'sk-farm-test-0123456789abcdef'
    const providers = { text: { kind: 'openai', model: 'gpt-4o-mini' }, speech: { kind: 'elevenlabs' } }
    const base = { PATH: process.env.PATH }
    const without = await detectCapabilities({ env: base, providers })
    expect(without.has).not.toContain('text')
    expect(without.has).not.toContain('speech')
    expect(canRun(stepNeeds('llm'), without.has)).toMatchObject({ ok: false, missing: ['text'] })

    const withKeys = await detectCapabilities({ env: { ...base, OPENAI_API_KEY: secret, ELEVENLABS_API_KEY: secret, PEXELS_API_KEY: secret }, providers })
    expect(withKeys.has).toEqual(expect.arrayContaining(['text', 'speech', 'stock']))
    expect(withKeys.keys).toEqual(expect.arrayContaining(['openai:gpt-4o-mini', 'pexels']))
    expect(withKeys.keys.some((k) => k.startsWith('elevenlabs:'))).toBe(true)
    expect(JSON.stringify(withKeys)).not.toContain(secret)
  })

  it('bad provider settings are refused naming the field, not crashing', async () => {
    const err = await detectCapabilities({ providers: { text: { kind: 'openai' } } as never }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FarmError)
    expect((err as Error).message).toMatch(/^providers\.text/)
  })

  it('GPUs: none without nvidia-smi; its CSV is read when it answers', async () => {
    expect(await detectGpus({ PATH: empty })).toEqual([])
    expect(parseNvidiaSmi('NVIDIA GeForce RTX 4090, 24564\nNVIDIA A100-SXM4-80GB, 81920\n')).toEqual([
      { name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564 },
      { name: 'NVIDIA A100-SXM4-80GB', memoryMiB: 81920 }
    ])
    expect(parseNvidiaSmi('')).toEqual([])
    // A real program by that name on PATH, answering as nvidia-smi does: the machine advertises a GPU.
    const bin = mkdtempSync(join(tmpdir(), 'studio-smi-'))
    try {
      const smi = join(bin, 'nvidia-smi')
      writeFileSync(smi, '#!/bin/sh\necho "NVIDIA L4, 23034"\n')
      chmodSync(smi, 0o755)
      expect(await detectGpus({ PATH: bin })).toEqual([{ name: 'NVIDIA L4', memoryMiB: 23034 }])
      const caps = await detectCapabilities({ env: { PATH: `${bin}:${process.env.PATH}` } })
      expect(caps.has).toContain('gpu')
    } finally {
      rmSync(bin, { recursive: true, force: true })
    }
  })
})

describe('step needs', () => {
  it('maps each pool resource to what a machine must have', () => {
    expect(stepNeeds('ffmpeg')).toEqual(['ffmpeg', 'libass'])
    expect(stepNeeds('llm')).toEqual(['text'])
    expect(stepNeeds('tts')).toEqual(['speech'])
    expect(stepNeeds('image')).toEqual(['image'])
    expect(stepNeeds('music')).toEqual(['music'])
    expect(stepNeeds('cpu')).toEqual([])
  })
})
