/**
 * settings/update for the providers of issue 19 (what the Settings page sends): speech offline
 * with an engine and a voice, or ElevenLabs with a voice; image on AUTOMATIC1111 or ComfyUI with a
 * workflow; music on a Suno-style server; stock on or off; spend caps shown back. A stored key
 * never follows its provider to another server, and bad values are refused naming the field.
 */
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { MemorySecrets } from '../../src/main/engine/services'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { SettingsView } from '../../src/shared/types'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'

const track = closeAfterEach()

function open(secrets = new MemorySecrets()): Studio {
  return track(openStudio({ dataDir: tempDir('studio-settings-19-'), env: {}, secrets }), (s: Studio) => s.close(0))
}

async function update(studio: Studio, patch: unknown): Promise<SettingsView> {
  const r = (await dispatch(studioHandlers(studio), 'settings/update', patch)) as { ok: boolean; value?: SettingsView; error?: { code: string; message: string } }
  if (!r.ok) throw Object.assign(new Error(r.error!.message), { code: r.error!.code })
  return r.value!
}

describe('settings/update: the providers of issue 19', () => {
  it('stores each choice and shows it back; what the form does not show is kept for the same kind', async () => {
    const studio = open()
    let view = await update(studio, { providers: { speech: { kind: 'offline', engine: 'espeak-ng', voice: 'fr-fr' } } })
    expect(view.providers.speech).toEqual({ kind: 'offline', engine: 'espeak-ng', voice: 'fr-fr', hasKey: false })
    view = await update(studio, { providers: { speech: { kind: 'offline', voice: null } } })
    expect(view.providers.speech).toEqual({ kind: 'offline', engine: 'espeak-ng', hasKey: false })

    studio.settings.replace({ ...studio.settings.get(), providers: { ...(studio.settings.get().providers as Record<string, unknown>), speech: { kind: 'elevenlabs', stability: 0.3 } } })
    view = await update(studio, { providers: { speech: { kind: 'elevenlabs', voice: '21m00Tcm4TlvDq8ikWAM', model: 'eleven_flash_v2_5' } } })
    expect(view.providers.speech).toEqual({ kind: 'elevenlabs', baseURL: 'https://api.elevenlabs.io', model: 'eleven_flash_v2_5', voice: '21m00Tcm4TlvDq8ikWAM', hasKey: false })
    expect((studio.settings.get().providers as Record<string, unknown>).speech).toMatchObject({ stability: 0.3 })

    const workflow = { '3': { class_type: 'KSampler', inputs: { seed: 1 } }, '6': { class_type: 'CLIPTextEncode', inputs: { text: '%prompt%' } } }
    view = await update(studio, { providers: { image: { kind: 'comfyui', baseURL: 'http://192.168.1.20:8188', workflow } } })
    expect(view.providers.image).toEqual({ kind: 'comfyui', baseURL: 'http://192.168.1.20:8188', hasWorkflow: true, hasKey: false })
    view = await update(studio, { providers: { image: { kind: 'comfyui', baseURL: 'http://192.168.1.20:8188', workflow: null } } })
    expect(view.providers.image).toMatchObject({ hasWorkflow: false })
    view = await update(studio, { providers: { image: { kind: 'automatic1111', baseURL: 'http://127.0.0.1:7860' } } })
    expect(view.providers.image).toEqual({ kind: 'automatic1111', baseURL: 'http://127.0.0.1:7860', hasKey: false })

    view = await update(studio, { providers: { music: { kind: 'suno', baseURL: 'http://127.0.0.1:3000' } } })
    expect(view.providers.music).toEqual({ kind: 'suno', baseURL: 'http://127.0.0.1:3000', hasKey: false })
    expect(view.providers.stock).toEqual({ kind: 'pexels', baseURL: 'https://api.pexels.com', hasKey: false })
    view = await update(studio, { providers: { stock: { kind: 'none' } } })
    expect(view.providers.stock).toEqual({ kind: 'none', hasKey: false })

    view = await update(studio, { budget: { dailyUsd: 5, monthlyUsd: null, providers: { elevenlabs: { monthlyUsd: 20 } } } })
    expect(view.budget).toEqual({ dailyUsd: 5, monthlyUsd: null, providers: { elevenlabs: { dailyUsd: null, monthlyUsd: 20 } } })
  })

  it('a stored key never follows its provider to another server, nor does the variable naming one', async () => {
    const secrets = new MemorySecrets()
    const studio = open(secrets)
    await update(studio, { providers: { speech: { kind: 'elevenlabs' } } })
    secrets.set('speech', 'xi-secret-0123456789')
    secrets.set('stock', 'pexels-secret-0123456789')
    studio.settings.replace({ ...studio.settings.get(), providers: { ...(studio.settings.get().providers as Record<string, unknown>), speech: { kind: 'elevenlabs', apiKeyEnv: 'OPENAI_API_KEY' } } })
    // Same server, another voice: the key stays.
    await update(studio, { providers: { speech: { kind: 'elevenlabs', voice: 'ErXwobaYiN019PkySvjV' } } })
    expect(secrets.get({ kind: 'speech', envName: '', baseURL: '' })).toBe('xi-secret-0123456789')
    // A page pointing ElevenLabs at itself: the key is forgotten, the variable name dropped.
    await update(studio, { providers: { speech: { kind: 'elevenlabs', baseURL: 'http://attacker.example:8080' } } })
    expect(secrets.get({ kind: 'speech', envName: '', baseURL: '' })).toBeUndefined()
    expect((studio.settings.get().providers as Record<string, unknown>).speech).not.toHaveProperty('apiKeyEnv')
    // Stock off and on again stays with Pexels' own server: its key stays.
    await update(studio, { providers: { stock: { kind: 'pexels' } } })
    expect(secrets.get({ kind: 'stock', envName: '', baseURL: '' })).toBe('pexels-secret-0123456789')
  })

  it('refuses bad values naming the field, and stores nothing', async () => {
    const studio = open()
    const before = JSON.stringify(studio.settings.get())
    for (const [patch, message] of [
      [{ providers: { speech: { kind: 'elevenlabs', voice: 'x' } } }, /voice must be a voice id/],
      [{ providers: { image: { kind: 'automatic1111', baseURL: 'file:///etc/passwd' } } }, /baseURL must be an http\(s\) address/],
      [{ providers: { speech: { kind: 'offline', engine: '/bin/sh' } } }, /engine is not a known speech engine/],
      [{ providers: { music: { kind: 'suno' } } }, /baseURL/],
      [{ providers: { stock: { kind: 'pexels', baseURL: 'http://127.0.0.1:1' } } }, /baseURL/],
      [{ providers: { speech: { kind: 'elevenlabs', apiKeyEnv: 'OPENAI_API_KEY' } } }, /apiKeyEnv/]
    ] as const) {
      await expect(update(studio, patch)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(message) })
    }
    expect(JSON.stringify(studio.settings.get())).toBe(before)
  })
})
