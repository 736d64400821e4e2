import { describe, expect, it } from 'vitest'
import { clockTime, jobDetailText, jobTable, logLineText, queueEtaText } from '../../src/cli/format'
import type { JobDetail, StepView } from '../../src/shared/types'

/** The fields `studio show` prints; the rest of a JobDetail does not matter here. */
function detail(costUsd: number, steps: Array<Pick<StepView, 'name' | 'cost' | 'costKnown'>>): JobDetail {
  return {
    id: 'j1', title: 'A job', type: 'video', projectId: 'default', batchId: null, status: 'completed', waitingReason: null,
    pauseRequested: false, progress: 100, priority: 10, retryCount: 0, maxRetries: 3, createdAt: 0, startedAt: 0, completedAt: 1,
    actualDurationMs: 1, costUsd, error: null,
    steps: steps.map((s, index) => ({ ...s, index, status: 'completed', attempts: 1, provider: null, fallback: false, durationMs: 1, error: null, files: {} }))
  } as unknown as JobDetail
}

describe('studio show', () => {
  it('prints a job with a step of unknown price as a lower bound, never as an exact cost', () => {
    expect(jobDetailText(detail(0.0125, [{ name: 'script', cost: null, costKnown: false }, { name: 'audio', cost: 0.0125, costKnown: true }]), [])).toMatch(
      /cost ≥ \$0\.0125/
    )
    expect(jobDetailText(detail(0.0125, [{ name: 'audio', cost: 0.0125, costKnown: true }]), [])).toMatch(/cost \$0\.0125/)
  })
})

describe('studio list', () => {
  it('shows the short id: the end of a time-ordered id, the start of an older random one', () => {
    const job = (id: string) => ({ ...detail(0, []), id, status: 'pending', estimatedDurationMs: 1 }) as never
    const [timeOrdered, random] = jobTable([job('019ae8f3-2c41-7a10-8b2d-3f4e9c1d7a55'), job('5f0c2e1a-9b3d-4c7e-8a1f-2d3c4b5a6e7f')]).split('\n').slice(-2)
    expect(timeOrdered).toMatch(/^9c1d7a55 /)
    expect(random).toMatch(/^5f0c2e1a /)
  })
})

describe('studio eta', () => {
  it('counts the queue in words that agree: "1 job", "2 jobs"', () => {
    const eta = (n: number) => ({ paused: false, totalMs: 60_000, concurrency: 2, jobs: Array.from({ length: n }, (_, i) => ({ jobId: `j${i}`, finishInMs: 1 })) }) as never
    expect(queueEtaText(eta(1))).toMatch(/\(1 job\)$/)
    expect(queueEtaText(eta(2))).toMatch(/\(2 jobs\)$/)
    const withBatch = { paused: false, totalMs: 60_000, concurrency: 2, jobs: [], batchRowsWaiting: 2_996 } as never
    expect(queueEtaText(withBatch)).toMatch(/\(0 jobs \+ 2996 batch rows to queue\)$/)
  })
})

describe('times of day', () => {
  it("are on the user's clock, not UTC: a batch's end, a log line", () => {
    const previous = process.env.TZ
    process.env.TZ = 'Europe/Paris'
    try {
      const ts = Date.UTC(2026, 0, 15, 14, 3, 9, 42) // 15:03:09 in Paris in winter
      expect(clockTime(ts)).toBe('15:03:09')
      expect(logLineText({ id: 1, jobId: 'j', ts, level: 'info', step: 'script', message: 'started' })).toBe('15:03:09.042 INFO  [script] started')
    } finally {
      if (previous === undefined) delete process.env.TZ
      else process.env.TZ = previous
    }
  })
})
