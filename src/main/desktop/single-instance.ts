import { app } from 'electron'

/**
 * One app per user: two processes on one SQLite queue would work (leases fence them) but two
 * windows and two trays would confuse. A second launch focuses the first one's window.
 * Returns false in the second process, which then quits.
 */
export function claimSingleInstance(onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return false
  }
  app.on('second-instance', () => onSecondLaunch())
  return true
}
