import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine, type EngineOptions } from '../../src/main/engine/engine'
import { testPipelines, type TestServices } from './test-pipelines'

export const FAST_TIMINGS = { leaseMs: 1_000, pollMs: 25, reclaimEveryMs: 100, progressIntervalMs: 100 }

export function tempDir(prefix = 'studio-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A real engine on a real SQLite file in a fresh folder, with fast timings for tests. */
export function openTestEngine(overrides: Partial<EngineOptions<TestServices>> = {}, dataDir = tempDir()): Engine<TestServices> {
  return new Engine<TestServices>({
    dataDir,
    pipelines: testPipelines(),
    services: { dir: dataDir },
    concurrency: 2,
    timings: FAST_TIMINGS,
    backoff: { baseMs: 20, maxMs: 200 },
    breaker: { failureThreshold: 3, cooldownMs: 150, maxCooldownMs: 600 },
    ...overrides
  })
}

/**
 * Wait until `check` gives a value (an async check too: its answer is awaited, not taken for the
 * promise, which is always truthy and made such waits return at once).
 */
export async function until<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  what = 'condition'
): Promise<T> {
  const start = Date.now()
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
