import { useSyncExternalStore } from 'react'
import type { ProviderHealth } from '../../../../shared/types'

export const FAILURE_ALERT = 0.2
const MIN_SAMPLE = 5

/**
 * Seed 4: the failure rate passed 20 % (over enough calls to mean something). A provider is
 * judged on its recent calls (the engine's window: its last 20, none older than an hour), and
 * only while the settings still use it: a provider that was replaced never keeps the alert on.
 */
export function failureAlert(stats: { successRate24h: number | null; finished24h: number } | null, providers: ProviderHealth[]): string[] {
  const alerts: string[] = []
  if (stats && stats.successRate24h !== null && stats.finished24h >= MIN_SAMPLE && 1 - stats.successRate24h > FAILURE_ALERT) alerts.push('jobs')
  for (const p of providers) {
    if (!p.inUse) continue
    if (p.recentFailureRate !== null && p.recentCalls >= MIN_SAMPLE && p.recentFailureRate > FAILURE_ALERT) alerts.push(p.provider)
  }
  return alerts
}

/** What the red banner and the Providers dot are about: the failure alert, and providers in use that are down. */
export function alertKey(stats: Parameters<typeof failureAlert>[0], providers: ProviderHealth[]): string {
  const down = providers.filter((p) => p.inUse && p.state === 'open').map((p) => `down:${p.provider}`)
  return [...failureAlert(stats, providers), ...down].sort().join('|')
}

/**
 * The user dismissed the alert as it stood (its key): it stays hidden until something changes
 * (another provider fails, one recovers and fails again). Kept for the page's session.
 */
const STORAGE_KEY = 'studio.dismissedAlert'
let dismissed: string = readStored()
const listeners = new Set<() => void>()

function readStored(): string {
  try {
    return globalThis.sessionStorage?.getItem(STORAGE_KEY) ?? ''
  } catch {
    return ''
  }
}

export function dismissAlert(key: string): void {
  dismissed = key
  try {
    globalThis.sessionStorage?.setItem(STORAGE_KEY, key)
  } catch {
    // Private mode: dismissed for this page only.
  }
  for (const l of listeners) l()
}

export function useDismissedAlert(): string {
  return useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => dismissed
  )
}

/** Whether the alert shows: something is wrong and it is not what the user dismissed. */
export function alertShown(key: string, dismissedKey: string): boolean {
  return key !== '' && key !== dismissedKey
}
