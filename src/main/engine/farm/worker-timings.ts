/**
 * A farm worker's clock. The defaults suit a real farm: a 30 s lease renewed every 10 s, a
 * heartbeat every 5 s, a worker counted gone after 15 s of silence, and a safety sweep every 5 s
 * (LISTEN/NOTIFY wakes workers at once; the sweep only covers a notification lost with a dropped
 * connection). Tests shorten them through STUDIO_FARM_WORKER_TIMINGS (JSON), checked field by field.
 */
import { z } from 'zod'
import { DEFAULT_STALE_AFTER_MS } from '../store/postgres/workers'
import { FarmError } from './errors'

const ms = (min: number) => z.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(min, `must be at least ${min} ms`).max(3_600_000, 'must be at most an hour')

export const FarmWorkerTimings = z.strictObject({
  /** Lease length; the pool renews it every third of it while a step runs. */
  leaseMs: ms(300),
  /** How often the worker tells the farm it is alive. */
  heartbeatMs: ms(50),
  /** Another worker silent this long is gone: its jobs are taken back. */
  staleAfterMs: ms(200),
  /** Safety sweep: look for work and re-read the queue's pause even when no notification came. */
  sweepMs: ms(20),
  /** How often leases that ran out are looked for. */
  reclaimEveryMs: ms(20),
  /** On a first SIGINT/SIGTERM, how long running steps may take to finish before their jobs go back. */
  stopGraceMs: ms(0)
})
export type FarmWorkerTimings = z.output<typeof FarmWorkerTimings>

export const DEFAULT_FARM_WORKER_TIMINGS: FarmWorkerTimings = {
  leaseMs: 30_000,
  heartbeatMs: 5_000,
  staleAfterMs: DEFAULT_STALE_AFTER_MS,
  sweepMs: 5_000,
  reclaimEveryMs: 5_000,
  stopGraceMs: 10_000
}

export const TIMINGS_ENV = 'STUDIO_FARM_WORKER_TIMINGS'

/** The defaults with what STUDIO_FARM_WORKER_TIMINGS overrides; a bad value is an error naming its field. */
export function farmWorkerTimings(env: NodeJS.ProcessEnv = process.env): FarmWorkerTimings {
  const raw = env[TIMINGS_ENV]
  if (!raw) return { ...DEFAULT_FARM_WORKER_TIMINGS }
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw new FarmError('invalid-timings', `${TIMINGS_ENV}: not JSON (e.g. {"leaseMs":2000,"sweepMs":500})`, TIMINGS_ENV)
  }
  const parsed = FarmWorkerTimings.partial().safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = issue.path.join('.')
    throw new FarmError('invalid-timings', `${TIMINGS_ENV}${field ? `.${field}` : ''}: ${issue.message}`, TIMINGS_ENV)
  }
  const timings = { ...DEFAULT_FARM_WORKER_TIMINGS, ...parsed.data }
  if (timings.staleAfterMs <= timings.heartbeatMs) {
    throw new FarmError('invalid-timings', `${TIMINGS_ENV}.staleAfterMs: must be longer than heartbeatMs (${timings.heartbeatMs} ms), or live workers would be taken for gone`, TIMINGS_ENV)
  }
  return timings
}
