/**
 * "This server does not charge" reaches the stored settings through both ways in: the contract
 * command the window calls (settings/update, validated by SettingsPatch) and the CLI
 * (`studio settings --providers`, validated by ProviderSettings). Anything else is still refused.
 */
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import type { SettingsView } from '../../src/shared/types'
import { cli } from '../helpers/cli'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'

const track = closeAfterEach()
const closeStudio = (s: Studio) => s.close(100)
const LOCAL = 'http://127.0.0.1:11434/v1'

describe('free endpoints in settings/update', () => {
  it('accepts free: true, shows it, and still refuses what the contract does not know, naming it', async () => {
    const studio = track(openStudio({ dataDir: tempDir('free-contract-'), env: {} }), closeStudio)
    const handlers = studioHandlers(studio)
    const update = (text: unknown) => dispatch(handlers, 'settings/update', { providers: { text } })

    const saved = await update({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true })
    expect(saved.ok).toBe(true)
    expect((saved as { value: SettingsView }).value.providers.text).toEqual({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true, hasKey: false })

    const notBoolean = await update({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: 'yes' })
    expect(notBoolean).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('free') } })
    // Only "free" was added: the price overrides, a key variable or any other field stay out of reach.
    for (const field of ['pricing', 'apiKeyEnv', 'costFree']) {
      const refused = await update({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', [field]: true })
      expect(refused, field).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining(field) } })
    }
    // An offline provider has no server to be free.
    expect(await update({ kind: 'offline', free: true })).toMatchObject({ ok: false, error: { message: expect.stringContaining('free') } })
    expect((studio.settings.get().providers as { text: unknown }).text).toEqual({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true })
  })
})

describe('free endpoints from the CLI', () => {
  it('studio settings --providers takes "free": true and prints it back', async () => {
    const studio = cli(tempDir('free-cli-'), 'studio')
    const providers = JSON.stringify({ text: { kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true } })
    const saved = await studio('settings', '--providers', providers, '--json')
    expect(saved.code, saved.err).toBe(0)
    expect(JSON.parse(saved.out).providers.text).toEqual({ kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: true, hasKey: false })
    const wrong = JSON.stringify({ text: { kind: 'openai', baseURL: LOCAL, model: 'llama3.2', free: 'yes' } })
    const { code, err } = await studio('settings', '--providers', wrong)
    expect(code).toBe(1)
    expect(err).toMatch(/providers\.text\.free/)
  })
})
