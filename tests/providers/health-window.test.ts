import { describe, expect, it } from 'vitest'
import { openStudio, type Studio } from '../../src/main/engine/studio'
import { closeAfterEach } from '../helpers/closing'
import { tempDir } from '../helpers/engine'

/**
 * After a dead provider was replaced in the settings, it stopped counting: it is marked as no
 * longer used (the panel never alerts on it) and leaves the list once its calls are an hour old.
 * A provider's failure rate is judged on its recent calls, not on the whole day.
 */
const track = closeAfterEach()

function studioWith(baseURL: string): Studio {
  const studio = track(openStudio({ dataDir: tempDir('studio-health-'), env: { K: 'sk-test' } }), (s) => s.close(100))
  setText(studio, baseURL)
  return studio
}

function setText(studio: Studio, baseURL: string): string {
  studio.settings.replace({ ...studio.settings.get(), providers: { text: { kind: 'openai', baseURL, model: 'm', apiKeyEnv: 'K' } } })
  return studio.services.providers().text.id
}

describe('provider health over a recent window', () => {
  it('a replaced provider is no longer in use, and leaves the list when its calls are old', async () => {
    const studio = studioWith('http://127.0.0.1:9/v1')
    const dead = studio.services.providers().text.id
    for (let i = 0; i < 6; i++) studio.providerCalls.record({ provider: dead, ts: Date.now(), ok: false, durationMs: 10, error: 'ECONNREFUSED' })
    studio.pool.breaker(dead).recordFailure('ECONNREFUSED', true, 10)
    const before = (await studio.health()).find((h) => h.provider === dead)!
    expect(before).toMatchObject({ inUse: true, recentCalls: 6, recentFailureRate: 1 })

    const live = setText(studio, 'http://127.0.0.1:10/v1')
    expect(live).not.toBe(dead)
    const after = (await studio.health()).find((h) => h.provider === dead)!
    // Still shown (its calls are recent and worth reading) but never counted as the one in use.
    expect(after.inUse).toBe(false)

    // An hour later its calls are history: it drops out (its breaker is still open in memory).
    studio.db.prepare('UPDATE provider_calls SET ts = ts - 3700000 WHERE provider = ?').run(dead)
    expect((await studio.health()).map((h) => h.provider)).not.toContain(dead)
  })

  it('the rate is over the last 20 calls: failures that came before 20 successes are forgotten', async () => {
    const studio = studioWith('http://127.0.0.1:9/v1')
    const id = studio.services.providers().text.id
    for (let i = 0; i < 10; i++) studio.providerCalls.record({ provider: id, ts: Date.now(), ok: false, durationMs: 10, error: 'HTTP 503' })
    expect((await studio.health()).find((h) => h.provider === id)!.recentFailureRate).toBe(1)
    // Calls recorded in the same millisecond keep their order by id; make the successes newer.
    studio.db.prepare('UPDATE provider_calls SET ts = ts - 1000 WHERE provider = ?').run(id)
    for (let i = 0; i < 20; i++) studio.providerCalls.record({ provider: id, ts: Date.now(), ok: true, durationMs: 10, error: null })
    const h = (await studio.health()).find((x) => x.provider === id)!
    expect(h.recentCalls).toBe(20)
    expect(h.recentFailureRate).toBe(0)
    // The 24-hour figure still tells the day's story.
    expect(h.successRate24h).toBeCloseTo(20 / 30)
  })
})
