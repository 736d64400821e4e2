/**
 * Seed 4: alert when more than 20 % of the last 20 finished rows failed. Not before 5 rows have
 * finished: one early failure (1 of 1, 100 %) is not yet a trend worth an alarm.
 */
export const ALERT_WINDOW = 20
export const ALERT_RATE = 0.2
export const ALERT_MIN_ROWS = 5

/** `recent`: the statuses of the latest finished rows, newest first (at most ALERT_WINDOW are looked at). */
export function failureAlert(recent: readonly string[]): boolean {
  const window = recent.slice(0, ALERT_WINDOW)
  if (window.length < ALERT_MIN_ROWS) return false
  return window.filter((s) => s === 'failed').length / window.length > ALERT_RATE
}
