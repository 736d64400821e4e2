import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/api/handlers'
import { studioHandlers } from '../../src/main/api/studio-handlers'
import { openStudio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'
import { startOpenAICompatibleServer } from '../helpers/openai-compatible-server'

const track = closeAfterEach()

describe('providers/test', () => {
  it('runs the configured provider’s health probe through the contract: a live server answers, a dead one is named with its error', async () => {
    const server = track(await startOpenAICompatibleServer(), (s) => s.close())
    const studio = track(openStudio({ dataDir: tempDir('studio-test-conn-'), env: { K: 'sk-test-123456789' } }), (s) => s.close(100))
    const handlers = studioHandlers(studio)
    studio.settings.replace({ ...studio.settings.get(), providers: { text: { kind: 'openai', baseURL: server.baseURL, model: 'm', apiKeyEnv: 'K' } } })
    const live = await dispatch(handlers, 'providers/test', { kind: 'text' })
    expect(live).toMatchObject({ ok: true, value: { ok: true, message: null } })
    expect((live as { value: { ms: number } }).value.ms).toBeGreaterThanOrEqual(0)

    studio.settings.replace({ ...studio.settings.get(), providers: { text: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'K' } } })
    const dead = await dispatch(handlers, 'providers/test', { kind: 'text' })
    expect(dead).toMatchObject({ ok: true, value: { ok: false } })
    expect((dead as { value: { message: string } }).value.message).not.toContain('sk-test-123456789')

    expect(await dispatch(handlers, 'providers/test', { kind: 'video' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })
})
