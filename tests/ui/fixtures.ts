/**
 * Test doubles for component and store tests: plain data in the contract's shapes, and a fake
 * `StudioApi` (the transport boundary) that records every call and answers from a table.
 * The e2e tests use the real bridge and a real engine instead.
 */
import type { CommandName, PushEvent, RequestOf, Result, StudioApi } from '../../src/shared/contract'
import type { BatchView, JobDetail, JobView, ProviderHealth, QueueStats, SettingsView, StepView } from '../../src/shared/types'

let seq = 0

export function job(over: Partial<JobView> = {}): JobView {
  seq++
  const now = 1_700_000_000_000
  return {
    id: over.id ?? `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    projectId: 'default',
    type: 'three',
    title: `Job ${seq}`,
    payload: { prompt: `idea ${seq}` },
    status: 'pending',
    progress: 0,
    currentStep: null,
    result: null,
    error: null,
    priority: 10,
    position: seq,
    retryCount: 0,
    maxRetries: 3,
    waitingReason: null,
    runAfter: 0,
    pauseRequested: false,
    batchId: null,
    estimatedDurationMs: 300,
    actualDurationMs: null,
    costUsd: 0,
    costKnown: true,
    createdAt: now + seq,
    startedAt: null,
    completedAt: null,
    updatedAt: now + seq,
    ...over
  }
}

export function step(over: Partial<StepView> & { name: string; index: number }): StepView {
  return {
    title: over.name.toUpperCase(),
    resource: 'cpu',
    status: 'pending',
    attempts: 0,
    progress: 0,
    output: null,
    files: {},
    error: null,
    cost: null,
    provider: null,
    fallback: false,
    startedAt: null,
    completedAt: null,
    durationMs: null,
    ...over
  }
}

export function detail(j: JobView, steps: StepView[]): JobDetail {
  return { ...j, steps }
}

export const PIPELINES = [
  { name: 'three', title: 'Three steps', mainField: 'idea', fields: ['idea', 'label'], steps: ['a', 'b', 'c'].map((s) => ({ name: s, title: s.toUpperCase(), resource: 'cpu' })) },
  { name: 'one', title: 'One step', mainField: 'idea', fields: ['idea', 'label'], steps: [{ name: 'only', title: 'ONLY', resource: 'cpu' }] }
]

export function stats(over: Partial<QueueStats> = {}): QueueStats {
  return {
    total: 0,
    byStatus: { pending: 0, processing: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 },
    waiting: 0,
    byType: {},
    avgDurationMsByType: {},
    successRate24h: null,
    finished24h: 0,
    paused: false,
    ...over
  }
}

export function provider(over: Partial<ProviderHealth> & { provider: string }): ProviderHealth {
  return {
    state: 'closed',
    consecutiveFailures: 0,
    lastError: null,
    lastResponseMs: 120,
    lastCheckedAt: null,
    retryAt: null,
    successRate24h: 1,
    calls24h: 10,
    avgDurationMs24h: 800,
    recentCalls: 10,
    recentFailureRate: 0,
    lastCallAt: null,
    inUse: true,
    ...over
  }
}

export function batch(over: Partial<BatchView> = {}): BatchView {
  return {
    id: 'batch-1',
    name: 'ideas',
    status: 'running',
    source: 'ideas.csv',
    sheet: null,
    projectId: 'ideas',
    config: {
      pipeline: 'video',
      selective: 'standardEnhancement',
      adversarial: 'none',
      humanSimulation: 'none',
      patternBreaking: 'none',
      intensity: 1,
      saveIntermediateSteps: false
    },
    totalRows: 10,
    doneRows: 4,
    failedRows: 1,
    invalidRows: 0,
    cancelledRows: 0,
    progress: 50,
    currentRows: [7, 8],
    startedAt: 1_700_000_000_000,
    estimatedEndAt: null,
    finishedAt: null,
    lastResult: null,
    metrics: { avgRowMs: 1200, avgStepMs: { script: 100, video: 900 }, costUsd: 0.12, costKnown: true, projectedCostUsd: 0.3, errorRate: 0.2, alert: false },
    history: [],
    ignoredColumns: [],
    importing: null,
    errors: [{ rowNumber: 5, reason: 'row 5: idea is empty', jobId: null }],
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_500,
    ...over
  }
}

export function settings(over: Partial<SettingsView> = {}): SettingsView {
  return {
    providers: {
      text: { kind: 'offline', hasKey: false },
      image: { kind: 'offline', hasKey: false },
      speech: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'tts-1', hasKey: true }
    },
    ffmpegPath: null,
    concurrency: 2,
    resources: { cpu: { concurrency: 2, minIntervalMs: 0 } },
    captionRenderer: 'libass',
    subtitleStyle: {
      fonts: ['DejaVu Sans'],
      bold: true,
      fontSize: 64,
      color: '#ffffff',
      strokeColor: '#000000',
      strokeWidth: 4,
      highlightColor: '#ffd400',
      bottomOffset: 200,
      margin: 60,
      karaoke: false
    },
    videoPreset: 'short',
    ...over
  }
}

export interface Recorded {
  command: CommandName
  request: unknown
}

type Answer = Result<unknown> | ((request: any) => Result<unknown> | Promise<Result<unknown>>)

/** A fake transport: records calls, answers from `answers` (default `{ok: true, value: null}`), pushes events on demand. */
export function fakeApi(answers: Partial<Record<CommandName, Answer>> = {}) {
  const calls: Recorded[] = []
  const listeners = new Set<(e: PushEvent) => void>()
  const api: StudioApi = {
    async invoke<C extends CommandName>(command: C, request: RequestOf<C>) {
      calls.push({ command, request })
      const a = answers[command]
      const r = typeof a === 'function' ? await a(request) : (a ?? { ok: true, value: null })
      return r as never
    },
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    fileUrl: (path) => `/files?path=${encodeURIComponent(path)}&token=t`
  }
  return {
    api,
    calls,
    push: (e: PushEvent) => listeners.forEach((l) => l(e)),
    listenerCount: () => listeners.size,
    of: (command: CommandName) => calls.filter((c) => c.command === command).map((c) => c.request),
    answers
  }
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = (code: string, message: string): Result<never> => ({ ok: false, error: { code, message } })

/** Wait until `check` holds, looking every 10 ms, for at most `timeoutMs` (never a fixed sleep). */
export async function until(check: () => unknown, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
