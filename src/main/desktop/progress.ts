/**
 * The whole queue as one taskbar / dock progress bar: cleared when idle, indeterminate while
 * jobs only wait (provider down, backoff), "paused" when the user paused the queue, otherwise
 * the share of the current busy period already behind us according to the ETA.
 */
import { app, type BrowserWindow } from 'electron'
import type { QueueSnapshot } from './queue-monitor'

export type ProgressMode = 'none' | 'normal' | 'indeterminate' | 'paused'
export interface TaskbarProgress {
  /** Electron's convention: < 0 removes the bar, > 1 is indeterminate. */
  value: number
  mode: ProgressMode
}

export function taskbarProgress(snapshot: QueueSnapshot): TaskbarProgress {
  const { stats, eta, active, busySince, at } = snapshot
  if (active === 0) return { value: -1, mode: 'none' }
  const elapsed = busySince === null ? 0 : Math.max(0, at - busySince)
  // A paused queue has no end time, but its bar should not jump to full: the work left, spread
  // over the workers, stands in for it (about what the bar showed before the pause).
  const left = eta.totalMs ?? eta.jobs.reduce((sum, j) => sum + j.remainingWorkMs, 0) / Math.max(1, eta.concurrency)
  const total = elapsed + Math.max(0, left)
  const share = total > 0 ? Math.min(0.99, Math.max(0.01, elapsed / total)) : 0.01
  const value = Math.round(share * 100) / 100
  if (stats.paused) return { value, mode: 'paused' }
  if (stats.byStatus.processing === 0) return { value: 2, mode: 'indeterminate' }
  return { value, mode: 'normal' }
}

/** Apply snapshots to a window's taskbar button (and the macOS dock badge); only changes are sent. */
export function taskbarUpdater(getWindow: () => BrowserWindow | null, platform: NodeJS.Platform = process.platform) {
  let last = ''
  let lastWindow: BrowserWindow | null = null
  let lastBadge = -1
  return (snapshot: QueueSnapshot | null) => {
    const progress = snapshot ? taskbarProgress(snapshot) : { value: -1, mode: 'none' as const }
    const win = getWindow()
    if (win !== lastWindow) {
      lastWindow = win
      last = ''
    }
    const key = `${progress.value}:${progress.mode}`
    if (win && !win.isDestroyed() && key !== last) {
      win.setProgressBar(progress.value, { mode: progress.mode })
      last = key
    }
    const badge = snapshot?.active ?? 0
    if (platform === 'darwin' && badge !== lastBadge) {
      app.setBadgeCount(badge)
      lastBadge = badge
    }
  }
}
