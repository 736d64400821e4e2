import type { ProviderTestResult } from '../../../shared/types'
import { redact } from './redact'

const TEST_TIMEOUT_MS = 15_000

/**
 * Settings' "Test connection": the provider's own health probe (the one the circuit breaker
 * uses), timed. Never throws: a refusal is an answer to show, with the provider's words.
 */
export async function testProvider(provider: { id: string; probe(signal?: AbortSignal): Promise<void> }): Promise<ProviderTestResult> {
  const started = performance.now()
  try {
    await provider.probe(AbortSignal.timeout(TEST_TIMEOUT_MS))
    return { ok: true, provider: provider.id, ms: Math.round(performance.now() - started), message: null }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return { ok: false, provider: provider.id, ms: Math.round(performance.now() - started), message: redact(message) }
  }
}
